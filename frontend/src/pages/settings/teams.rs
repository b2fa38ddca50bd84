//! Teams: create, rename, delete to the recycle bin; and the recycle bin itself, where an
//! administrator restores any kind of record.

use kith_domain::core::page::PageQuery;
use kith_domain::core::recycle::RecycleBinItem;
use kith_domain::identity::{NewTeam, TeamListQuery, TeamPatch, TeamView};
use kith_domain::{Problem, TeamId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_directory;
use crate::api::{is_stale, problem_of, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError, FormAlert};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::format;

#[component]
pub fn TeamsPage() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let directory = use_directory();
    let teams = Paged::<TeamView>::new();
    let bin = Paged::<RecycleBinItem>::new();

    let load_teams = Callback::new({
        let client = client.clone();
        move |more: bool| {
            let client = client.clone();
            let fetch =
                move |cursor| async move { client.list_teams(&TeamListQuery { cursor, ..Default::default() }).await };
            if more {
                teams.more(fetch);
            } else {
                teams.reload(fetch);
            }
        }
    });
    let load_bin = Callback::new({
        let client = client.clone();
        move |more: bool| {
            let client = client.clone();
            let fetch =
                move |cursor| async move { client.recycle_bin(&PageQuery { cursor, ..Default::default() }).await };
            if more {
                bin.more(fetch);
            } else {
                bin.reload(fetch);
            }
        }
    });
    load_teams.run(false);
    load_bin.run(false);
    // Every change to teams shows in both lists and in the team pickers of the other pages.
    let refresh = move || {
        load_teams.run(false);
        load_bin.run(false);
        directory.reload_teams();
    };

    let editing = RwSignal::new(None::<TeamId>);
    let edit_problem = RwSignal::new(None::<Problem>);

    let save = Callback::new({
        let client = client.clone();
        move |(team, patch): (TeamView, TeamPatch)| {
            let client = client.clone();
            edit_problem.set(None);
            spawn_local(async move {
                match client.update_team(team.id, team.version, &patch).await {
                    Ok(updated) => {
                        let id = updated.id;
                        toaster.success(format!("Team {} saved", updated.name));
                        teams.replace(|t| t.id == id, updated);
                        editing.set(None);
                        directory.reload_teams();
                    }
                    Err(error) if is_stale(&error) => {
                        toaster.stale("team");
                        editing.set(None);
                        refresh();
                    }
                    Err(error) => {
                        edit_problem.set(Some(problem_of(&error)));
                        toaster.error(&error);
                    }
                }
            });
        }
    });

    let delete = Callback::new({
        let client = client.clone();
        move |team: TeamView| {
            let client = client.clone();
            spawn_local(async move {
                match client.delete_team(team.id).await {
                    Ok(()) => {
                        toaster.success(format!("Team {} moved to the recycle bin", team.name));
                        refresh();
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });

    // Any kind of record in the bin comes back through its own restore operation.
    let restore = Callback::new(move |item: RecycleBinItem| {
        let client = client.clone();
        spawn_local(async move {
            match client.restore_from_bin(&item).await {
                Ok(()) => {
                    toaster.success(format!("{} {} restored", format::entity_label(&item.entity), item.label));
                    refresh();
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let rows = move || {
        let admin = session.is_admin();
        let editing_id = editing.get();
        teams
            .items
            .get()
            .into_iter()
            .map(|team| {
                if admin && editing_id == Some(team.id) {
                    view! { <EditRow team problem=edit_problem on_save=save on_cancel=move |_| editing.set(None) /> }
                        .into_any()
                } else {
                    team_row(team, admin, editing, delete).into_any()
                }
            })
            .collect_view()
    };

    let bin_rows = move || {
        let admin = session.is_admin();
        bin.items
            .get()
            .into_iter()
            .map(|item| {
                let restorable = admin;
                let label = item.label.clone();
                let kind = format::entity_label(&item.entity);
                let deleted = format::date(item.deleted_at);
                let purge = format::date(item.purge_at);
                view! {
                    <tr>
                        <td>{label}</td>
                        <td>
                            <span class="badge">{kind}</span>
                        </td>
                        <td class="muted">{deleted}</td>
                        <td class="muted">{purge}</td>
                        <td class="actions">
                            {restorable
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-sm"
                                            on:click=move |_| restore.run(item.clone())
                                        >
                                            "Restore"
                                        </button>
                                    }
                                })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="stack">
            {move || session.is_admin().then(|| view! { <NewTeamForm on_created=move |_| refresh() /> })}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Teams"</h2>
                        <p class="card-text">"Groups of users; roles with team scope see their team's records."</p>
                    </div>
                </div>
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Description"</th>
                                <th>"Created"</th>
                                <th class="actions"></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows}
                            <StatusRow
                                paged=teams
                                columns=4
                                empty_title="No teams yet"
                                empty_text="Create a team to group users who work together."
                            />
                        </tbody>
                    </table>
                </div>
                <LoadMore paged=teams on_more=move |_| load_teams.run(true) />
            </section>
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Recycle bin"</h2>
                        <p class="card-text">
                            "Deleted records stay here for 30 days before they are removed for good."
                        </p>
                    </div>
                </div>
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>"Item"</th>
                                <th>"Type"</th>
                                <th>"Deleted"</th>
                                <th>"Removed for good on"</th>
                                <th class="actions"></th>
                            </tr>
                        </thead>
                        <tbody>
                            {bin_rows}
                            <StatusRow paged=bin columns=5 empty_title="The recycle bin is empty" />
                        </tbody>
                    </table>
                </div>
                <LoadMore paged=bin on_more=move |_| load_bin.run(true) />
            </section>
        </div>
    }
}

fn team_row(
    team: TeamView,
    admin: bool,
    editing: RwSignal<Option<TeamId>>,
    delete: Callback<TeamView>,
) -> impl IntoView {
    let id = team.id;
    let history = format!("/settings/history/team/{id}");
    let name = team.name.clone();
    let description = team.description.clone();
    let created = format::date(team.created_at);
    let message = format!("{name} goes to the recycle bin; you can restore it for 30 days.");
    let actions = admin.then(|| {
        view! {
            <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| editing.set(Some(id))>
                "Edit"
            </button>
            <ConfirmButton
                label="Delete"
                title="Delete this team?"
                message=message
                confirm_label="Delete"
                on_confirm=move |_| delete.run(team.clone())
            />
        }
    });
    view! {
        <tr>
            <td>{name}</td>
            <td class="muted">{description}</td>
            <td class="muted">{created}</td>
            <td class="actions">
                <a class="btn btn-ghost btn-sm" href=history>
                    "History"
                </a>
                {actions}
            </td>
        </tr>
    }
}

#[component]
fn EditRow(
    team: TeamView,
    problem: RwSignal<Option<Problem>>,
    #[prop(into)] on_save: Callback<(TeamView, TeamPatch)>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(team.name.clone());
    let description = RwSignal::new(team.description.clone());
    let save = move |_| {
        let patch = TeamPatch { name: Some(name.get_untracked()), description: Some(description.get_untracked()) };
        on_save.run((team.clone(), patch));
    };
    view! {
        <tr>
            <td>
                <input type="text" aria-label="Team name" aria-invalid=invalid(problem, "name") bind:value=name />
                <FieldError problem name="name" />
            </td>
            <td>
                <input
                    type="text"
                    aria-label="Team description"
                    aria-invalid=invalid(problem, "description")
                    bind:value=description
                />
                <FieldError problem name="description" />
            </td>
            <td></td>
            <td class="actions">
                <button type="button" class="btn btn-primary btn-sm" on:click=save>
                    "Save"
                </button>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </td>
        </tr>
    }
}

#[component]
fn NewTeamForm(#[prop(into)] on_created: Callback<()>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let team = NewTeam { name: name.get_untracked(), description: description.get_untracked() };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.create_team(&team).await;
            busy.set(false);
            match result {
                Ok(team) => {
                    toaster.success(format!("Team {} created", team.name));
                    name.set(String::new());
                    description.set(String::new());
                    on_created.run(());
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"New team"</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["name", "description"] />
                    <div class="form-grid">
                        <Field label="Name" id="team-name" name="name" problem>
                            <input
                                id="team-name"
                                type="text"
                                required
                                aria-invalid=invalid(problem, "name")
                                bind:value=name
                            />
                        </Field>
                        <Field label="Description" id="team-description" name="description" problem>
                            <input
                                id="team-description"
                                type="text"
                                aria-invalid=invalid(problem, "description")
                                bind:value=description
                            />
                        </Field>
                    </div>
                    <div class="form-actions">
                        <button id="team-create" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            "Create team"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}
