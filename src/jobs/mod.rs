//! Scheduled work: the jobs registry, and the scheduler that runs each job for each workspace at
//! the workspace's weekly time, exactly once.
//!
//! Every tick ([`Scheduler::run_once`]) does two things:
//! 1. For each workspace, the latest fire time of its schedule becomes a run row per job, unique on
//!    (job, workspace, time): a restart or a second replica finds the row and adds nothing. A time
//!    missed while the bot was down runs once after start-up, marked late, if it is less than 24
//!    hours old, and is recorded as skipped (with a log line) otherwise.
//! 2. Runs that are due are claimed for a lease (PostgreSQL skips rows another replica is
//!    claiming) and executed. A run's results — the stage evaluation, the digest's messages in the
//!    outbox — are written in the same transaction that marks it done, and only by the replica
//!    still holding the claim; a run whose replica died is taken over when the lease ends. So each
//!    digest is queued once, and the outbox delivers it once.
//!
//! Before that, every tick runs the [`HOUSEKEEPING`] jobs: work of no workspace, one idempotent
//! statement each, done by every replica without a run row (two replicas doing it at once do no
//! harm).
//!
//! To add a job: a [`JobSpec`] in [`JOBS`] (a name, and in its doc when it runs), and its case in
//! [`Scheduler::execute`]; or, for housekeeping, one in [`HOUSEKEEPING`] and its case in
//! [`Scheduler::housekeeping`].

pub mod follow;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::chat::digest as render;
use crate::chat::{Attachment, Message, Visibility};
use crate::clock::Clock;
use crate::domain::digest::Digest;
use crate::domain::{Recipient, Role};
use crate::outbox::{self, Payload};
use crate::prompts::Prompts;
use crate::storage::{JobRun, NewNotice, RunOutcome, Store, StoreError, Workspace};
use crate::views::digest::{build, evaluate, parse, stored};

/// Every job there is. Its name is what run rows and metrics carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    StageEvaluation,
    WeeklyDigest,
    FollowUp,
    TriageNudge,
    ForgetReplayKeys,
    ForgetRuns,
}

impl Job {
    pub const ALL: [Job; 6] = [
        Job::StageEvaluation,
        Job::WeeklyDigest,
        Job::FollowUp,
        Job::TriageNudge,
        Job::ForgetReplayKeys,
        Job::ForgetRuns,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::StageEvaluation => "stage_evaluation",
            Job::WeeklyDigest => "weekly_digest",
            Job::FollowUp => "follow_up",
            Job::TriageNudge => "triage_nudge",
            Job::ForgetReplayKeys => "forget_replay_keys",
            Job::ForgetRuns => "forget_runs",
        }
    }

    /// The job a run row names (a row written by a newer version may name none we know).
    pub fn parse(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }
}

pub struct JobSpec {
    pub job: Job,
    /// When it runs and what it does, in plain words (shown by `kakehashi check`).
    pub doc: &'static str,
    /// Which fire times it has.
    pub cadence: Cadence,
}

/// When a job of a workspace fires; each fire time is one run row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// At the workspace's weekly digest time; a time missed while the bot was down runs late,
    /// within [`GRACE`].
    Weekly,
    /// Every this many minutes of the workspace's working hours (see
    /// [`crate::domain::nudge::FollowSettings::is_quiet`]), while its reminders are on.
    Working { minutes: i64 },
    /// Once on each working day, at its first working hour, while its reminders are on.
    WorkingDay,
    /// Housekeeping: on every tick of every replica, without a run row.
    EveryTick,
}

impl Cadence {
    /// The fire time `now` falls in, if any: (time, late, missed).
    fn due(self, ws: &Workspace, now: DateTime<Utc>) -> Option<(DateTime<Utc>, bool, bool)> {
        match self {
            Cadence::Weekly => {
                let due = ws.settings.schedule().last_at_or_before(now, Duration::days(35))?;
                Some((due, now - due > LATE_AFTER, now - due > GRACE))
            }
            Cadence::EveryTick => None,
            _ if !crate::jobs::follow::open(ws, now) => None,
            Cadence::Working { minutes } => Some((now.duration_trunc(Duration::minutes(minutes)).ok()?, false, false)),
            Cadence::WorkingDay => {
                Some((crate::domain::nudge::local_day_start(now, ws.settings.schedule().tz()), false, false))
            }
        }
    }
}

/// Every job. Both run at each workspace's weekly time (default `0 9 * * Mon`, Asia/Tokyo:
/// Mondays at 09:00 in Tokyo); the stage is evaluated first, then the digest reports it.
pub const JOBS: &[JobSpec] = &[
    JobSpec {
        job: Job::StageEvaluation,
        doc: "every week at the workspace's digest time (default: Mondays 09:00 Asia/Tokyo): judge the AI team's stage from the last 4 weeks",
        cadence: Cadence::Weekly,
    },
    JobSpec {
        job: Job::WeeklyDigest,
        doc: "right after the stage evaluation: post the weekly digest, with its 12-week chart, to the digest channel (and to each manager if asked)",
        cadence: Cadence::Weekly,
    },
    JobSpec {
        job: Job::FollowUp,
        doc: "every 5 minutes of working hours (not 19:00-08:00, not weekends, in the workspace's time zone): remind unfinished checklists (after 2 and 7 days), owners of items quiet for 14 days, the realised-value check-in (8 weeks after delivery) and register reviews (6 months; 3 for high risk), each once",
        cadence: Cadence::Working { minutes: 5 },
    },
    JobSpec {
        job: Job::TriageNudge,
        doc: "once a working day, at its first working hour: list the needs waiting for triage over 5 days in the AI team's channel",
        cadence: Cadence::WorkingDay,
    },
];

/// Housekeeping, on every tick of every replica (30 s in `kakehashi serve`).
pub const HOUSEKEEPING: &[JobSpec] = &[
    JobSpec {
        job: Job::ForgetReplayKeys,
        doc: "every 30 seconds on every replica: delete the replay-guard keys past their expiry (10 minutes after a request first came)",
        cadence: Cadence::EveryTick,
    },
    JobSpec {
        job: Job::ForgetRuns,
        doc: "every 30 seconds on every replica: delete the finished runs of follow_up older than a day (one every 5 working minutes per workspace; a past one is never run again)",
        cadence: Cadence::EveryTick,
    },
];

/// A fire time is run late (and said so) when the run starts this long after it.
pub const LATE_AFTER: Duration = Duration::minutes(10);
/// A fire time older than this when the bot notices it is skipped.
pub const GRACE: Duration = Duration::hours(24);
/// How long a replica holds a claimed run before another may take it over.
pub const LEASE: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub scheduled: usize,
    pub skipped: usize,
    pub done: usize,
    pub retried: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Digest(#[from] crate::views::digest::DigestError),
    #[error("{0}")]
    Failed(String),
}

pub struct Scheduler {
    pub store: Arc<dyn Store>,
    pub prompts: Arc<Prompts>,
    /// This replica's name in claims.
    pub replica: String,
    /// Where finished runs are counted.
    pub metrics: Arc<crate::ops::metrics::Metrics>,
}

impl Scheduler {
    pub fn new(store: Arc<dyn Store>, prompts: Arc<Prompts>) -> Scheduler {
        let replica = format!("{}-{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
        Scheduler { store, prompts, replica, metrics: Arc::default() }
    }

    /// One tick: schedule what is due, then run what this replica can claim.
    #[tracing::instrument(skip(self), fields(replica = %self.replica))]
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<Report, StoreError> {
        let mut report = Report::default();
        self.housekeeping(now).await;
        for (id, _) in self.store.workspaces().await? {
            let Some(ws) = self.store.workspace(&id).await? else { continue };
            let schedule = ws.settings.schedule();
            for job in JOBS {
                let Some((due, late, missed)) = job.cadence.due(&ws, now) else { continue };
                if due < ws.created_at && job.cadence == Cadence::Weekly {
                    continue;
                }
                let skip =
                    missed.then(|| format!("missed: due {}, noticed {}", schedule.local(due), schedule.local(now)));
                if self.store.schedule_run(job.job.name(), &ws.id, due, late, skip.as_deref(), now).await? {
                    if missed {
                        report.skipped += 1;
                        self.metrics.job(job.job.name(), "skipped");
                        tracing::warn!(job = job.job.name(), workspace = %ws.id, due = %due, "a run missed by more than 24 hours is skipped");
                    } else {
                        report.scheduled += 1;
                    }
                }
            }
        }
        for run in self.store.claim_runs(&self.replica, now, LEASE, 20).await? {
            let outcome = match self.execute(&run, now).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    let at = now + outbox::backoff(run.attempts, None);
                    tracing::error!(job = %run.job, workspace = %run.workspace, error = %e, retry_at = %at, "a job failed");
                    RunOutcome::Retry { at, error: e.to_string() }
                }
            };
            let retry = matches!(outcome, RunOutcome::Retry { .. });
            if self.store.finish_run(&run, &self.replica, outcome, now).await? {
                if retry {
                    report.retried += 1
                } else {
                    report.done += 1
                }
                self.metrics.job(&run.job, if retry { "failed" } else { "done" });
            } else {
                tracing::warn!(job = %run.job, workspace = %run.workspace, "another replica took the run over");
            }
        }
        Ok(report)
    }

    /// Runs every [`HOUSEKEEPING`] job once; a failure is logged and tried again next tick.
    pub async fn housekeeping(&self, now: DateTime<Utc>) {
        for job in HOUSEKEEPING {
            let done = match job.job {
                Job::ForgetReplayKeys => match self.store.forget_keys(now).await {
                    Ok(n) => {
                        tracing::debug!(keys = n, "expired replay-guard keys deleted");
                        Ok(())
                    }
                    Err(e) => Err(e.to_string()),
                },
                Job::ForgetRuns => match self.store.forget_runs(Job::FollowUp.name(), now - Duration::days(1)).await {
                    Ok(n) => {
                        tracing::debug!(runs = n, "old reminder sweeps deleted");
                        Ok(())
                    }
                    Err(e) => Err(e.to_string()),
                },
                other => Err(format!("{} is not a housekeeping job", other.name())),
            };
            match done {
                Ok(()) => self.metrics.job(job.job.name(), "done"),
                Err(e) => {
                    self.metrics.job(job.job.name(), "failed");
                    tracing::error!(job = job.job.name(), error = %e, "a housekeeping job failed");
                }
            }
        }
    }

    async fn execute(&self, run: &JobRun, now: DateTime<Utc>) -> Result<RunOutcome, JobError> {
        let ws = self
            .store
            .workspace(&run.workspace)
            .await?
            .ok_or_else(|| JobError::Failed(format!("the workspace {} is gone", run.workspace)))?;
        let job = Job::parse(&run.job).ok_or_else(|| JobError::Failed(format!("unknown job '{}'", run.job)))?;
        match job {
            Job::StageEvaluation => {
                let e = evaluate(self.store.as_ref(), &ws, run.scheduled_for).await?;
                tracing::info!(workspace = %ws.id, stage = e.stage.number(), transition = ?e.transition, "stage evaluated");
                Ok(RunOutcome::Done { notices: Vec::new(), evaluation: Some(stored(&e)) })
            }
            Job::WeeklyDigest => {
                // the digest reports this week's stored evaluation; it waits a little for it
                let evaluation = match self.store.last_evaluation(&ws.id, run.scheduled_for).await? {
                    Some(s) if s.at == run.scheduled_for => parse(&s)?,
                    _ if run.attempts < 3 => {
                        return Ok(RunOutcome::Retry {
                            at: now + Duration::seconds(20),
                            error: "waiting for the stage evaluation".into(),
                        });
                    }
                    _ => evaluate(self.store.as_ref(), &ws, run.scheduled_for).await?,
                };
                let late_from = run.late.then_some(run.scheduled_for);
                let d = build(self.store.as_ref(), &ws, evaluation, run.scheduled_for, late_from).await?;
                let notices = digest_notices(self.store.as_ref(), &self.prompts, &ws, &d, now).await?;
                if notices.is_empty() {
                    tracing::warn!(workspace = %ws.id, "no digest channel and no managers to write to: the digest goes nowhere");
                }
                Ok(RunOutcome::Done { notices, evaluation: None })
            }
            Job::FollowUp => {
                let sent = crate::jobs::follow::follow_up(self.store.as_ref(), &self.prompts, &ws, now).await?;
                tracing::debug!(workspace = %ws.id, sent, "reminders sent");
                Ok(RunOutcome::Done { notices: Vec::new(), evaluation: None })
            }
            Job::TriageNudge if !crate::jobs::follow::open(&ws, now) => Ok(RunOutcome::Retry {
                at: ws.settings.follow.next_open(now, ws.settings.schedule().tz()),
                error: "waiting for working hours".into(),
            }),
            Job::TriageNudge => {
                let notices = crate::jobs::follow::triage_list(self.store.as_ref(), &self.prompts, &ws, now).await?;
                Ok(RunOutcome::Done { notices, evaluation: None })
            }
            Job::ForgetReplayKeys | Job::ForgetRuns => Err(JobError::Failed(format!("{} has no run rows", job.name()))),
        }
    }
}

/// Runs the scheduler every `every` until the task is stopped.
pub async fn run(scheduler: Scheduler, clock: Arc<dyn Clock>, every: StdDuration) {
    loop {
        if let Err(e) = scheduler.run_once(clock.now()).await {
            tracing::error!(error = ?e, "the scheduler could not read its runs");
        }
        tokio::time::sleep(every).await;
    }
}

/// The digest as messages: to the digest channel, and to each manager when the workspace asks
/// for it; each message followed by the chart.
pub async fn digest_notices(
    store: &dyn Store,
    prompts: &Prompts,
    ws: &Workspace,
    d: &Digest,
    now: DateTime<Utc>,
) -> Result<Vec<NewNotice>, JobError> {
    let (message, chart) = digest_message(prompts, ws, d)?;
    let mut to: Vec<Recipient> = ws.settings.digest_channel.iter().cloned().map(Recipient::Channel).collect();
    if ws.settings.digest_dms {
        for (user, role) in store.role_members(&ws.id).await? {
            if role == Role::Manager {
                to.push(Recipient::User(user));
            }
        }
    }
    let mut notices = Vec::new();
    for r in to {
        notices.push(outbox::notice(&ws.id, r.clone(), &Payload::Message { message: message.clone() }, now));
        notices.push(outbox::notice(&ws.id, r, &Payload::File { file: chart.clone() }, now));
    }
    Ok(notices)
}

/// The digest's message and chart, in the workspace's language.
pub fn digest_message(prompts: &Prompts, ws: &Workspace, d: &Digest) -> Result<(Message, Attachment), JobError> {
    let lang = ws.settings.lang;
    let blocks = render::blocks(prompts, lang, &ws.name, &ws.settings, d);
    let png = render::chart_png(prompts, lang, &ws.settings, d).map_err(|e| JobError::Failed(e.to_string()))?;
    let day = d.at.with_timezone(&ws.settings.schedule().tz()).format("%Y-%m-%d");
    let chart = Attachment {
        name: format!("kakehashi-digest-{day}.png"),
        content_type: "image/png".into(),
        bytes: png,
        comment: prompts.get(lang, "digest.chart_file").to_string(),
    };
    Ok((Message { visibility: Visibility::Public, replace: false, blocks }, chart))
}
