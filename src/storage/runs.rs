//! Scheduled runs of jobs (unique on job, workspace and fire time, so a restart never fires
//! twice) and the stage evaluations they leave: [`RunStore`] and its SQL
//! ([`sql_runs!`](crate::sql_runs)). The claiming statement differs by dialect: a macro argument.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{NewNotice, StoreError};

/// A scheduled run of a job, claimed by a replica.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub workspace: String,
    /// The fire time this run is for: with the job and workspace, it is unique.
    pub scheduled_for: DateTime<Utc>,
    /// It runs after start-up for a time missed while the bot was down.
    pub late: bool,
    pub attempts: i64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Done: what it leaves behind is written in the same transaction as the mark.
    Done { notices: Vec<NewNotice>, evaluation: Option<StoredEvaluation> },
    /// Failed for now: try again at `at`.
    Retry { at: DateTime<Utc>, error: String },
}

/// A stage evaluation as stored (the JSON of the domain's evaluation).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvaluation {
    pub at: DateTime<Utc>,
    pub stage: u8,
    pub json: String,
}

#[async_trait]
pub trait RunStore: Send + Sync {
    /// Creates the run of `job` for `scheduled_for` if it does not exist yet (false: it did). A
    /// run created with `skip` is recorded as skipped, with the reason.
    async fn schedule_run(
        &self,
        job: &str,
        workspace: &str,
        scheduled_for: DateTime<Utc>,
        late: bool,
        skip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Claims up to `limit` runs that are due, for `lease`, for the replica `replica`; a claim not
    /// finished by then (its replica died) may be claimed again.
    async fn claim_runs(
        &self,
        replica: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<JobRun>, StoreError>;

    /// Finishes a run this replica holds; false (and nothing written) if its claim was lost.
    async fn finish_run(
        &self,
        run: &JobRun,
        replica: &str,
        outcome: RunOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The latest stage evaluation at or before `at`, as JSON.
    async fn last_evaluation(&self, workspace: &str, at: DateTime<Utc>)
    -> Result<Option<StoredEvaluation>, StoreError>;

    /// Deletes the finished (done or skipped) runs of `job` scheduled before `before`; how many.
    /// For jobs whose past fire times are never scheduled again (the reminders' sweep).
    async fn forget_runs(&self, job: &str, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Implements [`RunStore`] for a backend's store; expanded by [`sql_store!`](crate::sql_store),
/// which says what the store and the arguments are.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_runs {
    ($store:ty, begin = $begin:expr, claim_runs = $claim_runs:literal) => {
        #[async_trait::async_trait]
        impl $crate::storage::RunStore for $store {
            #[tracing::instrument(skip(self))]
            async fn schedule_run(
                &self,
                job: &str,
                workspace: &str,
                scheduled_for: chrono::DateTime<chrono::Utc>,
                late: bool,
                skip: Option<&str>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO job_runs (job, workspace_id, scheduled_for, late, state, note, next_attempt_at, created_at,
                                           finished_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
                     ON CONFLICT (job, workspace_id, scheduled_for) DO NOTHING",
                )
                .bind(job)
                .bind(workspace)
                .bind(scheduled_for)
                .bind(late)
                .bind(if skip.is_some() { "skipped" } else { "pending" })
                .bind(skip)
                .bind(now)
                .bind(skip.map(|_| now))
                .execute(&self.writer)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            #[tracing::instrument(skip(self))]
            async fn claim_runs(
                &self,
                replica: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease: chrono::Duration,
                limit: i64,
            ) -> Result<Vec<$crate::storage::JobRun>, $crate::storage::StoreError> {
                let mut tx = self.writer.begin_with($begin).await?;
                let rows: Vec<$crate::storage::codec::RunRow> = sqlx::query_as($claim_runs)
                    .bind(replica)
                    .bind(now + lease)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let mut runs: Vec<_> = rows.into_iter().map(|r| r.into_run()).collect();
                runs.sort_by(|a, b| (a.scheduled_for, &a.job).cmp(&(b.scheduled_for, &b.job)));
                Ok(runs)
            }

            #[tracing::instrument(skip(self, run, outcome), fields(job = %run.job, workspace = %run.workspace))]
            async fn finish_run(
                &self,
                run: &$crate::storage::JobRun,
                replica: &str,
                outcome: $crate::storage::RunOutcome,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::storage::StoreError> {
                use $crate::storage::RunOutcome;
                let mut tx = self.writer.begin_with($begin).await?;
                let held: Option<i64> = match &outcome {
                    RunOutcome::Done { .. } => sqlx::query_scalar(
                        "UPDATE job_runs SET state = 'done', finished_at = $3, claimed_until = NULL, note = NULL
                         WHERE id = $1 AND claimed_by = $2 AND state = 'pending' RETURNING id",
                    )
                    .bind(run.id)
                    .bind(replica)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?,
                    RunOutcome::Retry { at, error } => sqlx::query_scalar(
                        "UPDATE job_runs SET attempts = attempts + 1, next_attempt_at = $3, claimed_until = NULL, note = $4
                         WHERE id = $1 AND claimed_by = $2 AND state = 'pending' RETURNING id",
                    )
                    .bind(run.id)
                    .bind(replica)
                    .bind(*at)
                    .bind(error.as_str())
                    .fetch_optional(&mut *tx)
                    .await?,
                };
                if held.is_none() {
                    // another replica took the run over: leave everything to it
                    return Ok(false);
                }
                if let RunOutcome::Done { notices, evaluation } = &outcome {
                    for notice in notices {
                        insert_notice(&mut tx, notice).await?;
                    }
                    if let Some(e) = evaluation {
                        sqlx::query(
                            "INSERT INTO stage_evaluations (workspace_id, evaluated_at, stage, evaluation)
                             VALUES ($1, $2, $3, $4)
                             ON CONFLICT (workspace_id, evaluated_at) DO UPDATE
                             SET stage = excluded.stage, evaluation = excluded.evaluation",
                        )
                        .bind(&run.workspace)
                        .bind(e.at)
                        .bind(i64::from(e.stage))
                        .bind(&e.json)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(true)
            }

            #[tracing::instrument(skip(self))]
            async fn last_evaluation(
                &self,
                workspace: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::storage::StoredEvaluation>, $crate::storage::StoreError> {
                let row: Option<(chrono::DateTime<chrono::Utc>, i64, String)> = sqlx::query_as(
                    "SELECT evaluated_at, stage, evaluation FROM stage_evaluations
                     WHERE workspace_id = $1 AND evaluated_at <= $2 ORDER BY evaluated_at DESC LIMIT 1",
                )
                .bind(workspace)
                .bind(at)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(at, stage, json)| $crate::storage::StoredEvaluation {
                    at,
                    stage: u8::try_from(stage).unwrap_or(0),
                    json,
                }))
            }

            async fn forget_runs(
                &self,
                job: &str,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::storage::StoreError> {
                let done = sqlx::query("DELETE FROM job_runs WHERE job = $1 AND state <> 'pending' AND scheduled_for < $2")
                    .bind(job)
                    .bind(before)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
