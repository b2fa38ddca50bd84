//! Tests of the composition: the contexts registered with the kernel (`contexts`), and the least
//! privilege of the scopes channels and system work hold, checked against every context's functions.
//! They live here, not in `core/`, because they name the contexts.

mod kernel {
    use crate::core::kernel::*;

    /// Every job kind the code enqueues has a handler, and the hourly maintenance covers what
    /// expires (a context that forgot to register would leave jobs failing or data piling up).
    #[test]
    fn every_context_registered_its_work() {
        let k = kernel();
        for kind in [
            crate::leads::imports::JOB,
            crate::leads::imports::CHECK_JOB,
            crate::marketing::sequences::STEP_JOB,
            crate::core::activities::REMINDER_JOB,
        ] {
            assert!(k.job_handler(kind).is_some(), "{kind} has no handler");
        }
        assert!(k.job_handler("no such kind").is_none());
        let mut maintenance: Vec<&str> = k.maintenance_tasks().iter().map(|(n, _)| *n).collect();
        maintenance.sort_unstable();
        assert_eq!(
            maintenance,
            [
                "folded custom values",
                "idempotency keys",
                "login attempts",
                "old jobs",
                "password resets",
                "planner statistics",
                "purged",
                "revisits"
            ]
        );
        assert_eq!(k.before_commit_hooks().len(), 1, "the lead search index");
        assert_eq!(k.poll_tasks().iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["rescored leads"]);
        // The kinds that go to the recycle bin can be purged; leads also guard their history per record.
        let mut purged: Vec<&str> = k.kinds().iter().filter(|r| r.purge.is_some()).map(|r| r.entity).collect();
        purged.sort_unstable();
        assert_eq!(
            purged,
            [
                "account",
                "activity",
                "attachment",
                "contact",
                "lead",
                "potential",
                "price_book",
                "product",
                "sequence",
                "tax_category",
                "team",
                "web_form"
            ]
        );
        // What a new organization is given: the pipeline's defaults.
        assert_eq!(
            k.organization_setups().iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            ["default pipeline and lost reasons"]
        );
        // The leads context adds its due callbacks to "My day", the pipeline its rotting potentials.
        assert_eq!(k.day_sections().len(), 2, "due callbacks, rotting potentials");
        assert!(k.kind("lead").is_some_and(|r| r.read_one.is_some()));
        // Leads take attachments: they say who may change one and keep a timeline.
        assert!(k.kind("lead").is_some_and(|r| r.write_one.is_some() && r.timeline.is_some()));
        assert_eq!(k.store_maintenance_tasks().iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["attachment files"]);
    }
}

mod scopes {
    use crate::core::scope::*;
    use crate::{Error, Scope};
    use kith_domain::core::notifications::MailSettings;
    use kith_domain::core::permissions::Permissions;
    use kith_domain::identity::auth::SignupRequest;
    use kith_domain::identity::{NewRole, NewTeam, UserListQuery};
    use kith_domain::leads::{LeadEventKind, LeadSource, NewLead};
    use kith_domain::WebFormId;

    /// On a real database: a web form, the inbound mailbox and the system's lead work each hold a
    /// scope that captures a lead, and every settings call handed that scope is refused — so even a
    /// bug that let capture code reach them could change nothing else.
    #[test]
    fn channels_and_lead_work_capture_leads_and_can_change_nothing_else() -> std::result::Result<(), String> {
        let dir = std::env::temp_dir().join(format!("kith-scope-{}", uuid::Uuid::now_v7()));
        let pool = crate::Pool::new(&format!("sqlite://{}", dir.join("kith.db").display()), Default::default())?;
        pool.migrate().map_err(|e| e.to_string())?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let signup = SignupRequest {
            organization_name: "Acme".into(),
            name: "Ann Admin".into(),
            email: "ann@acme.test".into(),
            password: "a perfectly fine passphrase".into(),
        };
        let org =
            crate::identity::organizations::signup(&mut conn, &signup, "hash", None).map_err(|e| e.to_string())?.org_id;
        let scopes = [
            Scope::channel(org, Channel::WebForm(WebFormId(uuid::Uuid::now_v7())), None),
            Scope::channel(org, Channel::InboundEmail, None),
            Scope::system(org, SystemTask::Leads),
        ];
        for (i, scope) in scopes.iter().enumerate() {
            let lead = NewLead { first_name: format!("Lead {i}"), ..Default::default() };
            let how = crate::leads::Capture { source: LeadSource::WebForm, event: LeadEventKind::Created, note: None };
            crate::leads::capture(&mut conn, scope, &lead, &how).map_err(|e| format!("{i}: capture: {e}"))?;
            let refused = |what: &str, r: std::result::Result<(), Error>| match r {
                Err(Error::Forbidden(_)) => Ok(()),
                other => Err(format!("{i}: {what} was not refused: {other:?}")),
            };
            let team = NewTeam { name: "Evil".into(), description: String::new() };
            refused("create a team", crate::identity::teams::create(&mut conn, scope, &team).map(|_| ()))?;
            let role = NewRole {
                name: "Evil".into(),
                permissions: Permissions::uniform(kith_domain::core::permissions::ModuleAccess::NONE),
            };
            refused("create a role", crate::identity::roles::create(&mut conn, scope, &role).map(|_| ()))?;
            refused(
                "list users",
                crate::identity::users::list(&mut conn, scope, &UserListQuery::default()).map(|_| ()),
            )?;
            refused(
                "change mail settings",
                crate::core::mail_settings::put(&mut conn, scope, &MailSettings::default()).map(|_| ()),
            )?;
            let tax = kith_domain::catalog::TaxCategoryInput { name: "Evil".into(), ..Default::default() };
            refused(
                "create a tax category",
                crate::catalog::tax_categories::create(&mut conn, scope, &tax).map(|_| ()),
            )?;
            refused(
                "read the catalogue",
                crate::catalog::products::list(&mut conn, scope, &Default::default()).map(|_| ()),
            )?;
        }
        drop(conn);
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }
}
