//! Users: the organization's people, their role, team and status; and invitations for new ones.

use kith_domain::core::page::PageQuery;
use kith_domain::identity::{CreatedInvite, InviteView, NewInvite, UserListQuery, UserPatch, UserStatus, UserView};
use kith_domain::{InviteId, RoleId, TeamId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{origin, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::copy::CopyValue;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::{EmptyState, LoadMore, Loading, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, SubmitButton};
use crate::format;
use crate::pages::core::settings::{role_options, team_options, use_directory, Directory};

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    view! {
        <div class="stack">
            <UserList />
            {move || session.is_admin().then(|| view! { <Invites /> })}
        </div>
    }
}

#[component]
fn UserList() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let directory = use_directory();
    let search = RwSignal::new(String::new());
    let users = Paged::of(move |client, cursor| {
        let q = search.get_untracked().trim().to_owned();
        async move {
            let query = UserListQuery { cursor, q: (!q.is_empty()).then_some(q), ..Default::default() };
            client.list_users(&query).await
        }
    });
    // Again on every change of the search box (the first page is loaded already).
    Effect::new(move |first: Option<()>| {
        search.track();
        if first.is_some() {
            users.refresh();
        }
    });

    let update = Save::new(
        |client, (user, patch): (UserView, UserPatch)| async move {
            client.update_user(user.id, user.version, &patch).await
        },
        move |updated: UserView| {
            toaster.success(format!("{} was updated", updated.name));
            let id = updated.id;
            // A change to oneself (role or team) changes what one may see: the session learns it
            // now, so no page asks for what the new role or team no longer covers.
            if session.me.with_untracked(|me| me.as_ref().is_some_and(|me| me.user.id == id)) {
                let client = client.clone();
                spawn_local(async move {
                    if let Err(error) = session.load(&client).await {
                        toaster.error(&error);
                    }
                });
            }
            users.replace(|u| u.id == id, updated);
        },
    )
    // Either way the row must show what the server holds, not the refused choice.
    .reloading(move || users.refresh());

    let rows = move || {
        let admin = session.is_admin();
        users.items.get().into_iter().map(|user| user_row(user, admin, directory, update)).collect_view()
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Users"</h2>
                    <p class="card-text">"Everyone who can sign in to your organization."</p>
                </div>
            </div>
            <div class="toolbar">
                <input
                    type="search"
                    id="user-search"
                    placeholder="Search by name or email"
                    aria-label="Search users"
                    bind:value=search
                />
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Email"</th>
                            <th>"Role"</th>
                            <th>"Team"</th>
                            <th>"Status"</th>
                            <th class="actions"></th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows}
                        <StatusRow
                            paged=users
                            columns=6
                            empty_title="No users found"
                            empty_text="Nobody matches this search."
                        />
                    </tbody>
                </table>
            </div>
            <LoadMore paged=users />
        </section>
    }
}

fn user_row(user: UserView, admin: bool, directory: Directory, update: Save<(UserView, UserPatch)>) -> impl IntoView {
    let history = format!("/settings/history/user/{}", user.id);
    let status_badge = match user.status {
        UserStatus::Active => view! { <span class="badge badge-green">"Active"</span> },
        UserStatus::Disabled => view! { <span class="badge badge-red">"Disabled"</span> },
    };
    let (role_id, team_id, status) = (user.role_id, user.team_id, user.status);
    let name = user.name.clone();
    let email = user.email.clone();

    let (role, team, status_cell) = if admin {
        let (u1, u2, u3) = (user.clone(), user.clone(), user);
        let role = view! {
            <select
                aria-label=format!("Role of {name}")
                disabled=move || update.busy()
                on:change=move |ev| {
                    if let Ok(id) = event_target_value(&ev).parse::<RoleId>() {
                        update.dispatch((u1.clone(), UserPatch { role_id: Some(id), ..Default::default() }));
                    }
                }
            >
                {role_options(directory, move || Some(role_id))}
            </select>
        }
        .into_any();
        let team = view! {
            <select
                aria-label=format!("Team of {name}")
                disabled=move || update.busy()
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let team_id = value.parse::<TeamId>().ok();
                    update.dispatch((u2.clone(), UserPatch { team_id: Some(team_id), ..Default::default() }));
                }
            >
                {team_options(directory, move || team_id)}
            </select>
        }
        .into_any();
        let status_cell = view! {
            <select
                aria-label=format!("Status of {name}")
                disabled=move || update.busy()
                on:change=move |ev| {
                    if let Some(status) = UserStatus::parse(&event_target_value(&ev)) {
                        update.dispatch((u3.clone(), UserPatch { status: Some(status), ..Default::default() }));
                    }
                }
            >
                <option value="active" selected=status == UserStatus::Active>
                    "Active"
                </option>
                <option value="disabled" selected=status == UserStatus::Disabled>
                    "Disabled"
                </option>
            </select>
        }
        .into_any();
        (role, team, status_cell)
    } else {
        (
            view! { <span>{move || directory.role_name(role_id)}</span> }.into_any(),
            view! { <span>{move || directory.team_name(team_id)}</span> }.into_any(),
            status_badge.into_any(),
        )
    };

    view! {
        <tr>
            <td>{name}</td>
            <td class="muted">{email}</td>
            <td>{role}</td>
            <td>{team}</td>
            <td>{status_cell}</td>
            <td class="actions">
                <a class="btn btn-ghost btn-sm" href=history>
                    "History"
                </a>
            </td>
        </tr>
    }
}

#[component]
fn Invites() -> impl IntoView {
    let toaster = use_toaster();
    let directory = use_directory();
    let invites =
        Paged::of(
            |client, cursor| async move { client.list_invites(&PageQuery { cursor, ..Default::default() }).await },
        );

    let email = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let link = RwSignal::new(None::<String>);
    let create = Save::new(
        |client, invite: NewInvite| async move { client.create_invite(&invite).await },
        move |created: CreatedInvite| {
            link.set(Some(format!("{}{}", origin(), created.accept_path)));
            email.set(String::new());
            toaster.success(format!("Invitation for {} created", created.invite.email));
            invites.refresh();
        },
    );
    let problem = create.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let role_id = found.take(role.get_untracked().parse::<RoleId>(), "role_id", "required", "Choose a role.");
        link.set(None);
        create.submit(
            found,
            NewInvite {
                email: email.get_untracked().trim().to_owned(),
                // Refused above when no role is chosen: the placeholder is never sent.
                role_id: role_id.unwrap_or(RoleId(Default::default())),
                team_id: team.get_untracked().parse::<TeamId>().ok(),
            },
        );
    };

    let revoke = Save::new(
        |client, invite: InviteView| async move { client.revoke_invite(invite.id).await.map(|()| invite) },
        move |invite: InviteView| {
            let id: InviteId = invite.id;
            invites.remove(|i| i.id == id);
            toaster.success(format!("Invitation for {} revoked", invite.email));
        },
    );

    let rows = move || {
        let now = format::now();
        let pending: Vec<InviteView> =
            invites.items.get().into_iter().filter(|i| i.accepted_at.is_none() && i.revoked_at.is_none()).collect();
        if pending.is_empty() {
            let body = if invites.loaded.get() {
                view! {
                    <EmptyState
                        title="No pending invitations"
                        text="Invite someone above; the invitation appears here until it is accepted."
                    />
                }
                .into_any()
            } else {
                view! { <Loading /> }.into_any()
            };
            return view! {
                <tr>
                    <td colspan="6">{body}</td>
                </tr>
            }
            .into_any();
        }
        pending
            .into_iter()
            .map(|invite| {
                let expires = if invite.expires_at <= now {
                    view! { <span class="badge badge-amber">"Expired"</span> }.into_any()
                } else {
                    view! { <span>{format::date(invite.expires_at)}</span> }.into_any()
                };
                let (role_id, team_id) = (invite.role_id, invite.team_id);
                let email = invite.email.clone();
                let created = format::date(invite.created_at);
                let message = format!("The link sent to {email} will stop working.");
                view! {
                    <tr>
                        <td>{email}</td>
                        <td>{move || directory.role_name(role_id)}</td>
                        <td>{move || directory.team_name(team_id)}</td>
                        <td class="muted">{created}</td>
                        <td>{expires}</td>
                        <td class="actions">
                            <ConfirmButton
                                label="Revoke"
                                title="Revoke this invitation?"
                                message=message
                                confirm_label="Revoke"
                                on_confirm=move |_| revoke.dispatch(invite.clone())
                            />
                        </td>
                    </tr>
                }
                .into_any()
            })
            .collect_view()
            .into_any()
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Invite people"</h2>
                    <p class="card-text">
                        "They get a link to choose their name and password. You can also pass the link on yourself."
                    </p>
                </div>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["email", "role_id", "team_id"] />
                    <div class="form-grid">
                        <TextField label="Email" id="invite-email" name="email" kind="email" problem value=email required=true />
                        <Field label="Role" id="invite-role" name="role_id" problem>
                            <select
                                id="invite-role"
                                aria-invalid=invalid(problem, "role_id")
                                prop:value=move || role.get()
                                on:change=move |ev| role.set(event_target_value(&ev))
                            >
                                <option value="" selected=move || role.with(String::is_empty)>
                                    "Choose a role"
                                </option>
                                {role_options(directory, move || role.with(|r| r.parse().ok()))}
                            </select>
                        </Field>
                        <Field label="Team" id="invite-team" name="team_id" problem>
                            <select
                                id="invite-team"
                                aria-invalid=invalid(problem, "team_id")
                                prop:value=move || team.get()
                                on:change=move |ev| team.set(event_target_value(&ev))
                            >
                                {team_options(directory, move || team.with(|t| t.parse().ok()))}
                            </select>
                        </Field>
                    </div>
                    <div class="form-actions">
                        <SubmitButton save=create id="invite-create" label="Create invitation" busy_label="Creating…" />
                    </div>
                </form>
                {move || {
                    link.get()
                        .map(|link| {
                            view! {
                                <div class="secret">
                                    <span class="label">"Invitation link"</span>
                                    <CopyValue value=link id="invite-link" />
                                    <span class="field-hint">
                                        "Send it to the person you invited; it works once and expires."
                                    </span>
                                </div>
                            }
                        })
                }}
            </div>
            <div class="card-header">
                <h2>"Pending invitations"</h2>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Email"</th>
                            <th>"Role"</th>
                            <th>"Team"</th>
                            <th>"Invited"</th>
                            <th>"Expires"</th>
                            <th class="actions"></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <LoadMore paged=invites />
        </section>
    }
}
