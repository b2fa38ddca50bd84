//! Role-based access: a role grants each module a level (none, read, write) over a record scope
//! (own, team, all). These rules run on the server for every request; the SPA runs them too, only
//! to hide what the server would refuse.

use serde::{Deserialize, Serialize};

use crate::core::ids::{TeamId, UserId};
use crate::core::modules::Module;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    None,
    Read,
    Write,
}

/// Which records of a module the grant covers: those the user owns, those of the user's team, or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordScope {
    Own,
    Team,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModuleAccess {
    pub level: AccessLevel,
    pub scope: RecordScope,
}

impl ModuleAccess {
    pub const NONE: ModuleAccess = ModuleAccess { level: AccessLevel::None, scope: RecordScope::Own };
    pub const fn read(scope: RecordScope) -> Self {
        ModuleAccess { level: AccessLevel::Read, scope }
    }
    pub const fn write(scope: RecordScope) -> Self {
        ModuleAccess { level: AccessLevel::Write, scope }
    }
}

/// A role's grants, one per module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    pub leads: ModuleAccess,
    pub pipeline: ModuleAccess,
    pub customers: ModuleAccess,
    pub projects: ModuleAccess,
    pub billing: ModuleAccess,
    pub support: ModuleAccess,
    pub marketing: ModuleAccess,
    pub reports: ModuleAccess,
    pub settings: ModuleAccess,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
}

/// Who owns a record, for the own/team scope checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordOwnership {
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
}

/// The acting user for scope checks (for an API key: the admin who created it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub team_id: Option<TeamId>,
}

impl Permissions {
    pub fn get(&self, module: Module) -> ModuleAccess {
        match module {
            Module::Leads => self.leads,
            Module::Pipeline => self.pipeline,
            Module::Customers => self.customers,
            Module::Projects => self.projects,
            Module::Billing => self.billing,
            Module::Support => self.support,
            Module::Marketing => self.marketing,
            Module::Reports => self.reports,
            Module::Settings => self.settings,
        }
    }

    pub fn uniform(access: ModuleAccess) -> Self {
        Permissions {
            leads: access,
            pipeline: access,
            customers: access,
            projects: access,
            billing: access,
            support: access,
            marketing: access,
            reports: access,
            settings: access,
        }
    }

    /// May the actor perform `action` in `module` at all (on at least some records)?
    pub fn allows(&self, module: Module, action: Action) -> bool {
        let level = self.get(module).level;
        match action {
            Action::Read => level >= AccessLevel::Read,
            Action::Write => level >= AccessLevel::Write,
        }
    }

    /// May the actor perform `action` on this particular record?
    pub fn allows_record(&self, module: Module, action: Action, actor: Actor, record: RecordOwnership) -> bool {
        if !self.allows(module, action) {
            return false;
        }
        match self.get(module).scope {
            RecordScope::All => true,
            RecordScope::Team => {
                record.owner_id == Some(actor.user_id) || (actor.team_id.is_some() && record.team_id == actor.team_id)
            }
            RecordScope::Own => record.owner_id == Some(actor.user_id),
        }
    }

    /// The narrower of two grant sets, module by module: an API key never exceeds its creator's role.
    pub fn intersect(&self, other: &Permissions) -> Permissions {
        fn min(a: ModuleAccess, b: ModuleAccess) -> ModuleAccess {
            ModuleAccess { level: a.level.min(b.level), scope: a.scope.min(b.scope) }
        }
        Permissions {
            leads: min(self.leads, other.leads),
            pipeline: min(self.pipeline, other.pipeline),
            customers: min(self.customers, other.customers),
            projects: min(self.projects, other.projects),
            billing: min(self.billing, other.billing),
            support: min(self.support, other.support),
            marketing: min(self.marketing, other.marketing),
            reports: min(self.reports, other.reports),
            settings: min(self.settings, other.settings),
        }
    }
}

/// The roles every organization starts with. Admins can edit their grants or add roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    Admin,
    Manager,
    Sales,
    Support,
    Finance,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 5] =
        [BuiltinRole::Admin, BuiltinRole::Manager, BuiltinRole::Sales, BuiltinRole::Support, BuiltinRole::Finance];

    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Admin => "admin",
            BuiltinRole::Manager => "manager",
            BuiltinRole::Sales => "sales",
            BuiltinRole::Support => "support",
            BuiltinRole::Finance => "finance",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BuiltinRole::Admin => "Administrator",
            BuiltinRole::Manager => "Sales manager",
            BuiltinRole::Sales => "Sales representative",
            BuiltinRole::Support => "Support agent",
            BuiltinRole::Finance => "Accountant",
        }
    }

    pub fn permissions(self) -> Permissions {
        use RecordScope::{All, Own, Team};
        let none = ModuleAccess::NONE;
        let r = ModuleAccess::read;
        let w = ModuleAccess::write;
        match self {
            BuiltinRole::Admin => Permissions::uniform(w(All)),
            BuiltinRole::Manager => Permissions {
                leads: w(All),
                pipeline: w(All),
                customers: w(All),
                projects: w(All),
                billing: r(All),
                support: r(All),
                marketing: w(All),
                reports: r(All),
                settings: r(All),
            },
            BuiltinRole::Sales => Permissions {
                leads: w(Own),
                pipeline: w(Own),
                customers: w(Team),
                projects: r(Team),
                billing: none,
                support: r(Team),
                marketing: r(All),
                reports: r(Own),
                settings: none,
            },
            BuiltinRole::Support => Permissions {
                leads: none,
                pipeline: none,
                customers: r(All),
                projects: r(All),
                billing: none,
                support: w(All),
                marketing: none,
                reports: r(Team),
                settings: none,
            },
            BuiltinRole::Finance => Permissions {
                leads: none,
                pipeline: r(All),
                customers: r(All),
                projects: r(All),
                billing: w(All),
                support: none,
                marketing: none,
                reports: r(All),
                settings: none,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }
    fn team(n: u128) -> TeamId {
        TeamId(Uuid::from_u128(n))
    }

    #[test]
    fn a_sales_rep_writes_only_own_leads() {
        let p = BuiltinRole::Sales.permissions();
        let me = Actor { user_id: user(1), team_id: Some(team(9)) };
        let mine = RecordOwnership { owner_id: Some(user(1)), team_id: Some(team(9)) };
        let colleague = RecordOwnership { owner_id: Some(user(2)), team_id: Some(team(9)) };
        assert!(p.allows_record(Module::Leads, Action::Write, me, mine));
        assert!(!p.allows_record(Module::Leads, Action::Write, me, colleague));
        assert!(p.allows_record(Module::Customers, Action::Write, me, colleague));
        assert!(!p.allows(Module::Billing, Action::Read));
        assert!(!p.allows(Module::Settings, Action::Read));
    }

    #[test]
    fn team_scope_without_a_team_means_own_records_only() {
        let p = Permissions::uniform(ModuleAccess::write(RecordScope::Team));
        let loner = Actor { user_id: user(1), team_id: None };
        let unteamed = RecordOwnership { owner_id: Some(user(2)), team_id: None };
        assert!(!p.allows_record(Module::Leads, Action::Read, loner, unteamed));
    }

    #[test]
    fn intersect_never_grants_more_than_either_side() {
        let admin = BuiltinRole::Admin.permissions();
        let sales = BuiltinRole::Sales.permissions();
        assert_eq!(admin.intersect(&sales), sales);
        assert_eq!(sales.intersect(&admin), sales);
        for m in Module::ALL {
            assert!(BuiltinRole::Finance.permissions().intersect(&sales).get(m).level <= sales.get(m).level);
        }
    }

    #[test]
    fn only_admins_write_settings() {
        for role in BuiltinRole::ALL {
            let writes = role.permissions().allows(Module::Settings, Action::Write);
            assert_eq!(writes, role == BuiltinRole::Admin, "{role:?}");
        }
    }
}
