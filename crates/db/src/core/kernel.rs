//! The kernel contexts register with: work to do before every commit, background job kinds and
//! hourly maintenance. Shared code (`util::transaction`, the worker) reads the registry and never
//! names a context; each context registers itself in its `register` function, and `crate::contexts`
//! (the composition root in lib.rs) calls them once.

use std::sync::OnceLock;

use kith_domain::core::modules::Module;

use crate::core::jobs::LeasedJob;
use crate::{DbConnection, Result, Scope};

/// Runs inside every write transaction, just before it commits (e.g. bringing a search index up to
/// date once per transaction instead of once per statement).
pub type BeforeCommit = fn(&mut DbConnection) -> Result<()>;

/// What a job's run came to.
#[derive(Debug)]
pub enum JobDone {
    Finished,
    /// Not finished: run it again at this time (a slice of a long job, a postponed send).
    Later(chrono::NaiveDateTime),
}

/// What a job handler may need from the node that runs it.
pub struct JobContext {
    /// The base URL links in emails point to.
    pub public_url: String,
    /// Signs links sent in email (unsubscribe, tracking).
    pub link_secret: String,
}

/// Runs one leased job. Handlers are idempotent: a job may run again after a crash.
pub type JobHandler = fn(&JobContext, &mut DbConnection, &LeasedJob) -> std::result::Result<JobDone, String>;

/// One piece of the hourly maintenance; returns how many things it handled (for the log).
pub type MaintenanceTask = fn(&mut DbConnection) -> Result<usize>;

/// Work the worker does on every poll besides leased jobs (e.g. rescoring leads whose score decayed);
/// returns how much it did, so a busy worker polls again at once.
pub type PollTask = fn(&mut DbConnection) -> Result<usize>;

/// Refuses (with `NotFound`, like a record that does not exist) unless the principal may read this
/// one record — own/team scope included.
pub type ReadOne = fn(&mut DbConnection, &Scope, &str) -> Result<()>;

/// Removes a record from the recycle bin for good, with what hangs on it.
pub type Purge = fn(&mut DbConnection, &Scope, &str) -> Result<()>;

/// A kind of record (the `entity` the audit trail and the recycle bin name).
#[derive(Clone, Copy)]
pub struct RecordKind {
    pub entity: &'static str,
    /// The module whose read permission governs the kind's history.
    pub module: Module,
    /// For kinds with per-record access (own/team): the check a record's history must pass too.
    pub read_one: Option<ReadOne>,
    /// For kinds that go to the recycle bin: how the purge removes one.
    pub purge: Option<Purge>,
}

impl RecordKind {
    pub const fn new(entity: &'static str, module: Module) -> RecordKind {
        RecordKind { entity, module, read_one: None, purge: None }
    }
    pub const fn read_one(self, check: ReadOne) -> RecordKind {
        RecordKind { read_one: Some(check), ..self }
    }
    pub const fn purged_by(self, purge: Purge) -> RecordKind {
        RecordKind { purge: Some(purge), ..self }
    }
}

#[derive(Default)]
pub struct Kernel {
    kinds: Vec<RecordKind>,
    before_commit: Vec<BeforeCommit>,
    jobs: Vec<(&'static str, JobHandler)>,
    maintenance: Vec<(&'static str, MaintenanceTask)>,
    every_poll: Vec<(&'static str, PollTask)>,
}

impl Kernel {
    /// Register a record kind. A kind is registered once.
    pub fn record_kind(&mut self, kind: RecordKind) -> &mut Self {
        assert!(self.kinds.iter().all(|k| k.entity != kind.entity), "record kind {} registered twice", kind.entity);
        self.kinds.push(kind);
        self
    }

    pub fn kind(&self, entity: &str) -> Option<&RecordKind> {
        self.kinds.iter().find(|k| k.entity == entity)
    }

    pub fn kinds(&self) -> &[RecordKind] {
        &self.kinds
    }

    pub fn before_commit(&mut self, hook: BeforeCommit) -> &mut Self {
        self.before_commit.push(hook);
        self
    }

    /// Register a job kind. A kind is registered once.
    pub fn job(&mut self, kind: &'static str, handler: JobHandler) -> &mut Self {
        assert!(self.jobs.iter().all(|(k, _)| *k != kind), "job kind {kind} registered twice");
        self.jobs.push((kind, handler));
        self
    }

    pub fn maintenance(&mut self, name: &'static str, task: MaintenanceTask) -> &mut Self {
        self.maintenance.push((name, task));
        self
    }

    pub fn every_poll(&mut self, name: &'static str, task: PollTask) -> &mut Self {
        self.every_poll.push((name, task));
        self
    }

    pub fn before_commit_hooks(&self) -> &[BeforeCommit] {
        &self.before_commit
    }

    pub fn job_handler(&self, kind: &str) -> Option<JobHandler> {
        self.jobs.iter().find(|(k, _)| *k == kind).map(|(_, h)| *h)
    }

    pub fn job_kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.jobs.iter().map(|(k, _)| *k)
    }

    pub fn maintenance_tasks(&self) -> &[(&'static str, MaintenanceTask)] {
        &self.maintenance
    }

    pub fn poll_tasks(&self) -> &[(&'static str, PollTask)] {
        &self.every_poll
    }
}

/// The registry, built once from every context's registration.
pub fn kernel() -> &'static Kernel {
    static KERNEL: OnceLock<Kernel> = OnceLock::new();
    KERNEL.get_or_init(|| {
        let mut k = Kernel::default();
        crate::contexts(&mut k);
        k
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every job kind the code enqueues has a handler, and the hourly maintenance covers what
    /// expires (a context that forgot to register would leave jobs failing or data piling up).
    #[test]
    fn every_context_registered_its_work() {
        let k = kernel();
        for kind in
            [crate::leads::imports::JOB, crate::leads::imports::CHECK_JOB, crate::marketing::sequences::STEP_JOB]
        {
            assert!(k.job_handler(kind).is_some(), "{kind} has no handler");
        }
        assert!(k.job_handler("no such kind").is_none());
        let mut maintenance: Vec<&str> = k.maintenance_tasks().iter().map(|(n, _)| *n).collect();
        maintenance.sort_unstable();
        assert_eq!(
            maintenance,
            ["idempotency keys", "login attempts", "old jobs", "planner statistics", "purged", "revisits"]
        );
        assert_eq!(k.before_commit_hooks().len(), 1, "the lead search index");
        assert_eq!(k.poll_tasks().iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["rescored leads"]);
        // The kinds that go to the recycle bin can be purged; leads also guard their history per record.
        let mut purged: Vec<&str> = k.kinds().iter().filter(|r| r.purge.is_some()).map(|r| r.entity).collect();
        purged.sort_unstable();
        assert_eq!(purged, ["lead", "sequence", "team", "web_form"]);
        assert!(k.kind("lead").is_some_and(|r| r.read_one.is_some()));
    }
}
