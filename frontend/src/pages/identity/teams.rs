//! Teams: create, rename, delete to the recycle bin (restored from the bin page).

use kith_domain::identity::{NewTeam, TeamListQuery, TeamPatch, TeamView};
use kith_domain::TeamId;
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, FieldError, FormAlert, TextField};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, StaleNotice, SubmitButton};
use crate::format;
use crate::pages::core::settings::use_directory;

#[component]
pub fn TeamsPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let directory = use_directory();
    let teams =
        Paged::of(
            |client, cursor| async move { client.list_teams(&TeamListQuery { cursor, ..Default::default() }).await },
        );
    // Every change to teams shows in the list and in the team pickers of the other pages.
    let refresh = move || {
        teams.refresh();
        directory.reload_teams();
    };

    let editing = RwSignal::new(None::<TeamId>);
    let save = Save::new(
        |client, (team, patch): (TeamView, TeamPatch)| async move {
            client.update_team(team.id, team.version, &patch).await
        },
        move |updated: TeamView| {
            let id = updated.id;
            toaster.success(format!("Team {} saved", updated.name));
            teams.replace(|t| t.id == id, updated);
            editing.set(None);
            directory.reload_teams();
        },
    );
    let delete = Save::new(
        |client, team: TeamView| async move { client.delete_team(team.id).await.map(|()| team) },
        move |team: TeamView| {
            toaster.success_with_link(
                format!("Team {} moved to the recycle bin", team.name),
                "Recycle bin",
                "/settings/recycle-bin",
            );
            refresh();
        },
    );
    let reload_edited = move |_| {
        editing.set(None);
        refresh();
    };

    let rows = move || {
        let admin = session.is_admin();
        let editing_id = editing.get();
        teams
            .items
            .get()
            .into_iter()
            .map(|team| {
                if admin && editing_id == Some(team.id) {
                    view! { <EditRow team save on_cancel=move |_| editing.set(None) on_reload=reload_edited /> }
                        .into_any()
                } else {
                    team_row(team, admin, editing, delete).into_any()
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
                <LoadMore paged=teams />
            </section>
        </div>
    }
}

fn team_row(team: TeamView, admin: bool, editing: RwSignal<Option<TeamId>>, delete: Save<TeamView>) -> impl IntoView {
    let id = team.id;
    let history = format!("/settings/history/team/{id}");
    let name = team.name.clone();
    let description = team.description.clone();
    let created = format::date(team.created_at);
    let message = format!("{name} goes to the recycle bin; you can restore it for 30 days.");
    let actions = admin.then(|| {
        view! {
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid="team-edit"
                on:click=move |_| editing.set(Some(id))
            >
                "Edit"
            </button>
            <ConfirmButton
                label="Delete"
                title="Delete this team?"
                message=message
                confirm_label="Delete"
                on_confirm=move |_| delete.dispatch(team.clone())
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
    save: Save<(TeamView, TeamPatch)>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let problem = save.problem;
    let name = RwSignal::new(team.name.clone());
    let description = RwSignal::new(team.description.clone());
    let submit = move |_| {
        let patch = TeamPatch { name: Some(name.get_untracked()), description: Some(description.get_untracked()) };
        save.submit_with(Found::new(), &patch, (team.clone(), patch.clone()));
    };
    view! {
        <tr data-testid="team-edit-row">
            <td>
                <input
                    id="team-edit-name"
                    type="text"
                    aria-label="Team name"
                    aria-invalid=invalid(problem, "name")
                    bind:value=name
                />
                <FieldError problem name="name" />
                <StaleNotice stale=save.stale what="team" on_reload />
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
                <button
                    id="team-edit-save"
                    type="button"
                    class="btn btn-primary btn-sm"
                    disabled=move || save.busy()
                    on:click=submit
                >
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
    let toaster = use_toaster();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let create = Save::new(
        |client, team: NewTeam| async move { client.create_team(&team).await },
        move |team: TeamView| {
            toaster.success(format!("Team {} created", team.name));
            name.set(String::new());
            description.set(String::new());
            on_created.run(());
        },
    );
    let problem = create.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.submit(Found::new(), NewTeam { name: name.get_untracked(), description: description.get_untracked() });
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
                        <TextField label="Name" id="team-name" name="name" problem value=name required=true />
                        <TextField label="Description" id="team-description" name="description" problem value=description />
                    </div>
                    <div class="form-actions">
                        <SubmitButton save=create id="team-create" label="Create team" busy_label="Creating…" />
                    </div>
                </form>
            </div>
        </section>
    }
}
