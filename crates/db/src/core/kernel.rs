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

/// Rebuilds, as it stands now, the scope of a principal recorded earlier (a user's or an API key's
/// id); `None` when it is not this resolver's kind of principal or may no longer act.
pub type PrincipalScope = fn(&mut DbConnection, kith_domain::OrgId, &str) -> Result<Option<Scope>>;

/// Removes a record from the recycle bin for good, with what hangs on it.
pub type Purge = fn(&mut DbConnection, &Scope, &str) -> Result<()>;

/// A record: its kind (the registry's entity name) and id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    pub kind: &'static str,
    pub id: String,
}

impl RecordRef {
    pub fn new(kind: &'static str, id: impl ToString) -> RecordRef {
        RecordRef { kind, id: id.to_string() }
    }
}

/// Refuses unless the principal may change this one record: `NotFound` when they may not even read
/// it, `Forbidden` when they may read but not change it.
pub type WriteOne = fn(&mut DbConnection, &Scope, &str) -> Result<()>;

/// Something the kernel's shared features did to a record, for the record's timeline.
#[derive(Clone, Copy, Debug)]
pub enum TimelineEntry<'a> {
    AttachmentAdded {
        file_name: &'a str,
    },
    AttachmentRemoved {
        file_name: &'a str,
    },
    /// An activity was logged on the record (or came back from the recycle bin); the summary reads
    /// "Call logged — No answer, 3 min".
    ActivityAdded {
        summary: &'a str,
    },
    /// A task on the record was marked done.
    ActivityDone {
        summary: &'a str,
    },
    /// A task on the record was marked not done again.
    ActivityReopened {
        summary: &'a str,
    },
    /// An activity went to the recycle bin.
    ActivityRemoved {
        summary: &'a str,
    },
}

/// A section of a user's "My day" that a context adds (due callbacks, rotting potentials …), for
/// the day `[start, end)` (UTC); `None` when it has nothing for this principal (no grant).
pub type DaySection = fn(
    &mut DbConnection,
    &Scope,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
) -> Result<Option<kith_domain::core::activities::DaySection>>;

/// Writes an entry on one record's timeline, in the caller's transaction.
pub type Timeline = fn(&mut DbConnection, &Scope, &str, TimelineEntry<'_>) -> Result<()>;

/// Names the records of a kind the principal may read, among `ids` (hidden and unknown ones are left
/// out): what a search hit, an audit entry or a notification shows for a record.
pub type Display = fn(&mut DbConnection, &Scope, &[String]) -> Result<Vec<kith_domain::core::search::SearchHit>>;

/// Search hits of one kind from `(id, name)` rows (a `Display` for kinds named by one column).
pub fn named(kind: &str, rows: Vec<(String, String)>) -> Vec<kith_domain::core::search::SearchHit> {
    rows.into_iter()
        .map(|(id, title)| kith_domain::core::search::SearchHit {
            kind: kind.to_owned(),
            id,
            title,
            subtitle: String::new(),
        })
        .collect()
}

/// A `Display` for the organization's own settings records (lead settings, email settings, the mail
/// server, …), whose id is the organization's: they are named by the organization.
pub fn display_organization(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    use diesel::prelude::*;
    let org = scope.org_id().to_string();
    if !ids.contains(&org) {
        return Ok(Vec::new());
    }
    let name: String =
        crate::schema::organizations::table.find(&org).select(crate::schema::organizations::name).first(conn)?;
    // `Kernel::names` keys names by id; the hit's kind is not read for these kinds (never searched).
    Ok(named("organization", vec![(org, name)]))
}

/// A `Display` for a kind named by one text column of its table (`teams.name`, `attachments.file_name`):
/// the organization's records among the ids, deleted ones included (a history names what was deleted).
/// The kind's module read grant is checked by `Kernel::names`.
#[macro_export]
macro_rules! display_by {
    ($kind:expr, $table:ident, $column:ident) => {
        |conn: &mut $crate::DbConnection,
         scope: &$crate::Scope,
         ids: &[String]|
         -> $crate::Result<Vec<kith_domain::core::search::SearchHit>> {
            use diesel::prelude::*;
            let rows: Vec<(String, String)> = $crate::schema::$table::table
                .filter($crate::schema::$table::org_id.eq(scope.org_id().to_string()))
                .filter($crate::schema::$table::id.eq_any(ids))
                .select(($crate::schema::$table::id, $crate::schema::$table::$column))
                .load(conn)?;
            Ok($crate::core::kernel::named($kind, rows))
        }
    };
}

/// Gives an organization what a context needs it to start with (a default pipeline …). Idempotent: run
/// at sign-up, in its transaction, and after every migration for organizations made before the
/// context existed.
pub type OrganizationSetup = fn(&mut DbConnection, kith_domain::OrgId) -> Result<()>;

/// Maintenance that needs the node's attachment store (deleting the files of purged attachments).
pub type StoreMaintenanceTask = fn(&dyn crate::core::attachments::AttachmentStore, &mut DbConnection) -> Result<usize>;

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
    /// For kinds whose records take attachments (and later tags, custom values …): who may change
    /// one record. Attaching a file needs it; reading attachments needs `read_one`.
    pub write_one: Option<WriteOne>,
    /// For kinds with a timeline: how an entry is added to one record's.
    pub timeline: Option<Timeline>,
    /// For kinds that are searched and named: their records' names, for those the principal may read.
    pub display: Option<Display>,
    /// Whether admins may define custom fields for the kind (their values live in `custom_values`).
    pub custom_fields: bool,
}

impl RecordKind {
    pub const fn new(entity: &'static str, module: Module) -> RecordKind {
        RecordKind {
            entity,
            module,
            read_one: None,
            purge: None,
            write_one: None,
            timeline: None,
            display: None,
            custom_fields: false,
        }
    }
    pub const fn write_one(self, check: WriteOne) -> RecordKind {
        RecordKind { write_one: Some(check), ..self }
    }
    pub const fn timeline(self, add: Timeline) -> RecordKind {
        RecordKind { timeline: Some(add), ..self }
    }
    pub const fn with_custom_fields(self) -> RecordKind {
        RecordKind { custom_fields: true, ..self }
    }
    pub const fn display(self, names: Display) -> RecordKind {
        RecordKind { display: Some(names), ..self }
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
    store_maintenance: Vec<(&'static str, StoreMaintenanceTask)>,
    every_poll: Vec<(&'static str, PollTask)>,
    organization_setups: Vec<(&'static str, OrganizationSetup)>,
    principals: Vec<PrincipalScope>,
    day_sections: Vec<DaySection>,
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

    /// Whether the principal may read this record of a registered kind: the kind's module read grant,
    /// then its per-record check (own/team scope). Unknown kinds and hidden records are `false`.
    pub fn may_read(&self, conn: &mut DbConnection, scope: &Scope, entity: &str, id: &str) -> Result<bool> {
        let Some(kind) = self.kind(entity) else { return Ok(false) };
        if scope.require(kind.module, kith_domain::core::permissions::Action::Read).is_err() {
            return Ok(false);
        }
        match kind.read_one.map(|check| check(conn, scope, id)) {
            None | Some(Ok(())) => Ok(true),
            Some(Err(crate::Error::NotFound | crate::Error::Forbidden(_))) => Ok(false),
            Some(Err(e)) => Err(e),
        }
    }

    /// What the records of a kind are called, by id, for those the principal may read (nothing for
    /// kinds without a name or whose module the principal may not read).
    pub fn names(
        &self,
        conn: &mut DbConnection,
        scope: &Scope,
        entity: &str,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        let Some(kind) = self.kind(entity) else { return Ok(Default::default()) };
        let Some(display) = kind.display else { return Ok(Default::default()) };
        if ids.is_empty() || scope.require(kind.module, kith_domain::core::permissions::Action::Read).is_err() {
            return Ok(Default::default());
        }
        Ok(display(conn, scope, ids)?.into_iter().map(|hit| (hit.id, hit.title)).collect())
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

    /// Hourly maintenance that needs the attachment store; it runs after the plain maintenance
    /// (so files of records purged in the same hour go at once).
    pub fn store_maintenance(&mut self, name: &'static str, task: StoreMaintenanceTask) -> &mut Self {
        self.store_maintenance.push((name, task));
        self
    }

    pub fn store_maintenance_tasks(&self) -> &[(&'static str, StoreMaintenanceTask)] {
        &self.store_maintenance
    }

    pub fn every_poll(&mut self, name: &'static str, task: PollTask) -> &mut Self {
        self.every_poll.push((name, task));
        self
    }

    /// Register how a kind of principal's scope is rebuilt from its recorded id (identity: users, API keys).
    pub fn organization_setup(&mut self, name: &'static str, setup: OrganizationSetup) -> &mut Self {
        self.organization_setups.push((name, setup));
        self
    }

    pub fn organization_setups(&self) -> &[(&'static str, OrganizationSetup)] {
        &self.organization_setups
    }

    pub fn principal(&mut self, resolve: PrincipalScope) -> &mut Self {
        self.principals.push(resolve);
        self
    }

    pub fn principals(&self) -> &[PrincipalScope] {
        &self.principals
    }

    /// Register a section of "My day" (shown in registration order, after tasks and meetings).
    pub fn day_section(&mut self, section: DaySection) -> &mut Self {
        self.day_sections.push(section);
        self
    }

    pub fn day_sections(&self) -> &[DaySection] {
        &self.day_sections
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

/// Runs every context's organization setup for every organization (after migrations: a context added
/// since an organization signed up gives it its defaults).
pub fn set_up_organizations(conn: &mut DbConnection) -> Result<usize> {
    use diesel::prelude::*;
    let orgs: Vec<String> = crate::schema::organizations::table.select(crate::schema::organizations::id).load(conn)?;
    for org in &orgs {
        let org: kith_domain::OrgId = crate::core::util::parse_id(org)?;
        for (_, setup) in kernel().organization_setups() {
            setup(conn, org)?;
        }
    }
    Ok(orgs.len())
}
