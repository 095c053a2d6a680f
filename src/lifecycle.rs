//! Moving an item along its lifecycle, stored: read, move (the domain checks the move and its
//! note), save with its event; a save that lost a race reads the item again.

use chrono::{DateTime, Utc};

use crate::domain::text::Note;
use crate::domain::{ItemRef, Status, TransitionError, WorkItem};
use crate::storage::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("there is no {0}")]
    NotFound(ItemRef),
    #[error(transparent)]
    Invalid(#[from] TransitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[tracing::instrument(skip(store, note))]
pub async fn transition(
    store: &dyn Store,
    workspace: &str,
    item: ItemRef,
    to: Status,
    actor: &str,
    note: Option<Note>,
    now: DateTime<Utc>,
) -> Result<WorkItem, MoveError> {
    for _ in 0..5 {
        let mut loaded = store
            .item(workspace, item)
            .await?
            .ok_or(MoveError::NotFound(item))?;
        let event = loaded.transition(to, actor, note.clone(), now)?;
        match store.save_item(&mut loaded, &[], actor, &[event]).await {
            Ok(()) => return Ok(loaded),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}
