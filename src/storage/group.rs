//! Group commit: writes queued to one writer task are committed together, in one transaction.
//!
//! Under load many requests write at the same moment; each committing on its own pays a commit
//! (and on SQLite takes the single write lock) per request. Here every write is a [`Write`] sent
//! to the writer task, which takes whatever is queued (up to [`MAX_GROUP`]), runs it all in one
//! transaction and commits once. Each caller gets its answer only after the commit that holds its
//! write: nothing is acknowledged before it is durable.
//!
//! One failing write does not fail the others: the group is rolled back, the failing write is set
//! aside and the rest run again together; the write set aside then runs alone in its own
//! transaction, and its caller gets that result (its own error, or success if it only failed
//! because of the company it was in). If beginning or committing the group fails, every write of
//! it runs alone. A write may therefore run more than once before it commits: it owns what it
//! writes and keeps nothing between runs but its output.
//!
//! Any small write can ride along (an item created, an answer saved, a replay guard's claim): it
//! is a type implementing [`Write`], sent with [`GroupWriter::write`].

use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;

use async_trait::async_trait;
use futures_util::FutureExt;
use sqlx::{Database, Pool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;

/// The most writes committed in one transaction.
pub const MAX_GROUP: usize = 128;
/// Writes waiting for the writer at most; beyond that senders wait (back-pressure).
const QUEUE: usize = 1024;
/// Once this many writes of one group have failed, the rest run alone without more tries together.
const MAX_SET_ASIDE: usize = 4;

/// One write, run inside a transaction the writer owns. It may run again (see the module docs).
#[async_trait]
pub trait Write<DB: Database>: Send + 'static {
    type Output: Send + 'static;
    async fn run(&mut self, tx: &mut Transaction<'static, DB>) -> Result<Self::Output, StoreError>;
}

/// The writer task's queue; dropping the last handle ends the task once the queue is empty.
pub struct GroupWriter<DB: Database> {
    queue: mpsc::Sender<Box<dyn Queued<DB>>>,
}

impl<DB: Database> GroupWriter<DB> {
    /// Starts the writer task on the current runtime. It takes a connection of `pool` for each
    /// group and opens its transactions with `begin`.
    pub fn start(pool: Pool<DB>, begin: &'static str) -> GroupWriter<DB> {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(pool, begin, rx));
        GroupWriter { queue }
    }

    /// Queues `write` and returns its output once the transaction holding it is committed.
    pub async fn write<W: Write<DB>>(&self, write: W) -> Result<W::Output, StoreError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending { write, output: None, reply, db: PhantomData };
        self.queue.send(Box::new(pending)).await.map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        answer.await.map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?
    }
}

/// A queued write with the channel its caller waits on, its output type erased.
#[async_trait]
trait Queued<DB: Database>: Send {
    async fn run(&mut self, tx: &mut Transaction<'static, DB>) -> Result<(), StoreError>;
    /// Tells the caller: the output of the last run if `result` is Ok (the commit happened).
    fn answer(self: Box<Self>, result: Result<(), StoreError>);
}

struct Pending<DB: Database, W: Write<DB>> {
    write: W,
    output: Option<W::Output>,
    reply: oneshot::Sender<Result<W::Output, StoreError>>,
    db: PhantomData<fn() -> DB>,
}

#[async_trait]
impl<DB: Database, W: Write<DB>> Queued<DB> for Pending<DB, W> {
    async fn run(&mut self, tx: &mut Transaction<'static, DB>) -> Result<(), StoreError> {
        self.output = None;
        // a write that panics fails alone instead of taking the writer down with it
        let output = AssertUnwindSafe(self.write.run(tx))
            .catch_unwind()
            .await
            .map_err(|_| StoreError::Corrupt("a write panicked".into()))??;
        self.output = Some(output);
        Ok(())
    }

    fn answer(self: Box<Self>, result: Result<(), StoreError>) {
        let Pending { output, reply, .. } = *self;
        let answer = result.and_then(|()| output.ok_or(StoreError::Corrupt("a write left no output".into())));
        // the caller may have gone (its request was cancelled): the write stands all the same
        let _ = reply.send(answer);
    }
}

async fn writer<DB: Database>(pool: Pool<DB>, begin: &'static str, mut rx: mpsc::Receiver<Box<dyn Queued<DB>>>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        commit_group(&pool, begin, &mut group).await;
    }
}

/// Commits `group` (left empty), answering every write in it.
async fn commit_group<DB: Database>(pool: &Pool<DB>, begin: &'static str, group: &mut Vec<Box<dyn Queued<DB>>>) {
    let mut alone = Vec::new();
    while group.len() > 1 && alone.len() < MAX_SET_ASIDE {
        match run_together(pool, begin, group).await {
            Ok(()) => {
                for write in group.drain(..) {
                    write.answer(Ok(()));
                }
            }
            Err(Failed::At(i)) => alone.push(group.remove(i)),
            Err(Failed::Whole(e)) => {
                tracing::warn!(error = %e, writes = group.len(), "a group commit failed; its writes run one by one");
                break;
            }
        }
    }
    alone.append(group);
    for mut write in alone {
        let result = run_alone(pool, begin, write.as_mut()).await;
        write.answer(result);
    }
}

enum Failed {
    /// The write at this index failed; the transaction is rolled back.
    At(usize),
    /// Beginning or committing failed.
    Whole(StoreError),
}

async fn run_together<DB: Database>(
    pool: &Pool<DB>,
    begin: &'static str,
    group: &mut [Box<dyn Queued<DB>>],
) -> Result<(), Failed> {
    let mut tx = pool.begin_with(begin).await.map_err(|e| Failed::Whole(e.into()))?;
    for (i, write) in group.iter_mut().enumerate() {
        if write.run(&mut tx).await.is_err() {
            // rolled back when dropped; said explicitly so the connection is clean at once
            let _ = tx.rollback().await;
            return Err(Failed::At(i));
        }
    }
    tx.commit().await.map_err(|e| Failed::Whole(e.into()))
}

async fn run_alone<DB: Database>(
    pool: &Pool<DB>,
    begin: &'static str,
    write: &mut dyn Queued<DB>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin_with(begin).await?;
    if let Err(e) = write.run(&mut tx).await {
        let _ = tx.rollback().await;
        return Err(e);
    }
    tx.commit().await?;
    Ok(())
}
