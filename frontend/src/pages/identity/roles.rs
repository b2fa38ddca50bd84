//! Roles: what each role may do per module, as a matrix; admins add roles and edit grants.

use kith_domain::core::modules::Module;
use kith_domain::core::permissions::{AccessLevel, ModuleAccess, Permissions, RecordScope};
use kith_domain::identity::{NewRole, RolePatch, RoleView};
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::field::{FormAlert, TextField};
use crate::components::table::Loading;
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, StaleNotice, SubmitButton};
use crate::pages::core::settings::use_directory;

/// Which role the editor is open for.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Role(Box<RoleView>),
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let session = use_session();
    let directory = use_directory();
    let editing = RwSignal::new(None::<Editing>);

    let header = move || {
        let admin = session.is_admin();
        directory
            .roles
            .get()
            .into_iter()
            .map(|role| {
                let name = role.name.clone();
                let builtin = role.key.is_some();
                view! {
                    <th>
                        <div>{name}</div>
                        <div class="row">
                            {builtin.then(|| view! { <span class="badge">"Built-in"</span> })}
                            {admin
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-ghost btn-sm"
                                            on:click=move |_| editing.set(Some(Editing::Role(Box::new(role.clone()))))
                                        >
                                            "Edit"
                                        </button>
                                    }
                                })}
                        </div>
                    </th>
                }
            })
            .collect_view()
    };

    let body = move || {
        let roles = directory.roles.get();
        Module::ALL
            .into_iter()
            .map(|module| {
                let cells = roles
                    .iter()
                    .map(|role| {
                        let access = role.permissions.get(module);
                        view! {
                            <td>
                                <AccessBadge access />
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <td>
                            <strong>{module.label()}</strong>
                        </td>
                        {cells}
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="stack">
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Roles"</h2>
                        <p class="card-text">
                            "Each role grants every module a level (none, read, write) over a scope: "
                            "the user's own records, their team's, or all."
                        </p>
                    </div>
                    {move || {
                        session
                            .is_admin()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="role-new"
                                        class="btn btn-primary"
                                        on:click=move |_| editing.set(Some(Editing::New))
                                    >
                                        "New role"
                                    </button>
                                }
                            })
                    }}
                </div>
                {move || {
                    if directory.roles.with(Vec::is_empty) {
                        view! { <Loading /> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="table matrix">
                                    <thead>
                                        <tr>
                                            <th>"Module"</th>
                                            {header}
                                        </tr>
                                    </thead>
                                    <tbody>{body}</tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </section>
            {move || {
                editing
                    .get()
                    .map(|target| {
                        let role = match target {
                            Editing::New => None,
                            Editing::Role(role) => Some(*role),
                        };
                        view! { <RoleEditor role on_close=move |_| editing.set(None) /> }
                    })
            }}
        </div>
    }
}

#[component]
fn AccessBadge(access: ModuleAccess) -> impl IntoView {
    let (class, text) = match access.level {
        AccessLevel::None => ("badge", "No access".to_owned()),
        AccessLevel::Read => ("badge badge-accent", format!("Read · {}", scope_label(access.scope))),
        AccessLevel::Write => ("badge badge-green", format!("Write · {}", scope_label(access.scope))),
    };
    view! { <span class=class>{text}</span> }
}

/// Create a role (`role` is `None`) or edit one.
#[component]
fn RoleEditor(role: Option<RoleView>, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let toaster = use_toaster();
    let directory = use_directory();
    let is_new = role.is_none();
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let permissions =
        RwSignal::new(role.as_ref().map(|r| r.permissions).unwrap_or_else(|| Permissions::uniform(ModuleAccess::NONE)));
    let title = match &role {
        None => "New role".to_owned(),
        Some(role) => format!("Edit {}", role.name),
    };
    let save = Save::new(
        |client, (role, name, permissions): (Option<RoleView>, String, Permissions)| async move {
            match role {
                None => client.create_role(&NewRole { name, permissions }).await,
                Some(role) => {
                    let patch = RolePatch { name: Some(name), permissions: Some(permissions) };
                    client.update_role(role.id, role.version, &patch).await
                }
            }
        },
        move |saved: RoleView| {
            toaster.success(format!("Role {} saved", saved.name));
            directory.reload_roles();
            on_close.run(());
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewRole { name: name.get_untracked(), permissions: permissions.get_untracked() };
        save.submit_with(Found::new(), &body, (role.clone(), body.name.clone(), body.permissions));
    };
    let reload = move |_| {
        directory.reload_roles();
        on_close.run(());
    };

    let grants = Module::ALL
        .into_iter()
        .map(|module| {
            let field = format!("permissions.{}", crate::components::nav::module_slug(module));
            let level_error = field.clone();
            let access = move || permissions.with(|p| p.get(module));
            view! {
                <tr>
                    <td>
                        <strong>{module.label()}</strong>
                    </td>
                    <td>
                        <select
                            aria-label=format!("Access to {}", module.label())
                            on:change=move |ev| {
                                if let Some(level) = parse_level(&event_target_value(&ev)) {
                                    permissions
                                        .update(|p| set_access(p, module, ModuleAccess { level, ..p.get(module) }));
                                }
                            }
                        >
                            {[AccessLevel::None, AccessLevel::Read, AccessLevel::Write]
                                .into_iter()
                                .map(|level| {
                                    view! {
                                        <option value=level_value(level) selected=move || access().level == level>
                                            {level_label(level)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </td>
                    <td>
                        <select
                            aria-label=format!("Records of {} covered", module.label())
                            disabled=move || access().level == AccessLevel::None
                            on:change=move |ev| {
                                if let Some(scope) = parse_scope(&event_target_value(&ev)) {
                                    permissions
                                        .update(|p| set_access(p, module, ModuleAccess { scope, ..p.get(module) }));
                                }
                            }
                        >
                            {[RecordScope::Own, RecordScope::Team, RecordScope::All]
                                .into_iter()
                                .map(|scope| {
                                    view! {
                                        <option value=scope_value(scope) selected=move || access().scope == scope>
                                            {scope_label(scope)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </td>
                    <td>
                        {move || {
                            problem
                                .with(|p| p.as_ref().and_then(|p| p.field_message(&level_error)).map(str::to_owned))
                                .map(|m| view! { <span class="field-error" data-testid="field-error">{m}</span> })
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();

    let module_fields: &'static [&'static str] = &[
        "name",
        "permissions.leads",
        "permissions.pipeline",
        "permissions.customers",
        "permissions.projects",
        "permissions.billing",
        "permissions.support",
        "permissions.marketing",
        "permissions.reports",
        "permissions.settings",
    ];

    view! {
        <section class="card">
            <div class="card-header">
                <h2>{title}</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <StaleNotice stale=save.stale what="role" on_reload=reload />
                    <FormAlert problem fields=module_fields />
                    <div class="form-grid">
                        <TextField label="Name" id="role-name" name="name" problem value=name required=true />
                    </div>
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th>"Module"</th>
                                    <th>"Access"</th>
                                    <th>"Records"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>{grants}</tbody>
                        </table>
                    </div>
                    <div class="form-actions">
                        <SubmitButton save id="role-save" label=if is_new { "Create role" } else { "Save role" } />
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

fn set_access(p: &mut Permissions, module: Module, access: ModuleAccess) {
    let slot = match module {
        Module::Leads => &mut p.leads,
        Module::Pipeline => &mut p.pipeline,
        Module::Customers => &mut p.customers,
        Module::Projects => &mut p.projects,
        Module::Billing => &mut p.billing,
        Module::Support => &mut p.support,
        Module::Marketing => &mut p.marketing,
        Module::Reports => &mut p.reports,
        Module::Settings => &mut p.settings,
    };
    *slot = access;
}

fn level_value(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::None => "none",
        AccessLevel::Read => "read",
        AccessLevel::Write => "write",
    }
}

fn level_label(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::None => "No access",
        AccessLevel::Read => "Read",
        AccessLevel::Write => "Write",
    }
}

fn parse_level(value: &str) -> Option<AccessLevel> {
    [AccessLevel::None, AccessLevel::Read, AccessLevel::Write].into_iter().find(|l| level_value(*l) == value)
}

fn scope_value(scope: RecordScope) -> &'static str {
    match scope {
        RecordScope::Own => "own",
        RecordScope::Team => "team",
        RecordScope::All => "all",
    }
}

fn scope_label(scope: RecordScope) -> &'static str {
    match scope {
        RecordScope::Own => "Own",
        RecordScope::Team => "Team",
        RecordScope::All => "All",
    }
}

fn parse_scope(value: &str) -> Option<RecordScope> {
    [RecordScope::Own, RecordScope::Team, RecordScope::All].into_iter().find(|s| scope_value(*s) == value)
}
