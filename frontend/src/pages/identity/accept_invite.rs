//! Joining an organization through an invitation link (`/accept-invite?token=…`): the page says which
//! organization invites and the address the account will have, before asking for a name and password.

use kith_domain::identity::auth::AcceptInviteRequest;
use kith_domain::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{FormAlert, TextField};
use crate::components::layout::AuthShell;
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded};

const FIELDS: &[&str] = &["name", "password"];

#[component]
pub fn AcceptInvite() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    // What the invitation is for; `None` when the link is incomplete or the invitation is not valid
    // any more (used, revoked or expired).
    let preview = load(move |client| {
        let token = token.get();
        async move {
            if token.is_empty() {
                return Ok(None);
            }
            match client.invite_preview(&token).await {
                Ok(found) => Ok(Some(found)),
                Err(error) if error.status() == Some(404) => Ok(None),
                Err(error) => Err(error),
            }
        }
    });

    view! {
        <AuthShell title="Join your team" subtitle="Choose your name and a password to accept the invitation.">
            <Loaded data=preview what="the invitation" let:found>
                {match found {
                    Some(invite) => view! {
                        <div class="invite-for" id="invite-for">
                            <p>
                                "You are invited to join "
                                <strong id="invite-organization">{invite.organization_name}</strong>
                                " on Kith."
                            </p>
                            <p class="muted small">
                                "Your account's email will be "
                                <strong id="invite-email">{invite.email}</strong>
                                "."
                            </p>
                        </div>
                        <InviteForm token />
                    }
                    .into_any(),
                    None if token.with_untracked(String::is_empty) => view! {
                        <div class="form-alert" id="invite-invalid" role="alert">
                            <strong>"This invitation link is incomplete"</strong>
                            <span>"Open the whole link from your invitation, or ask for a new one."</span>
                        </div>
                    }
                    .into_any(),
                    None => view! {
                        <div class="form-alert" id="invite-invalid" role="alert">
                            <strong>"This invitation is not valid any more"</strong>
                            <span>
                                "It was used already, withdrawn, or is more than 7 days old. Ask whoever invited you for a new one, or "
                                <a href="/login">"log in"</a>
                                " if you joined already."
                            </span>
                        </div>
                    }
                    .into_any(),
                }}
            </Loaded>
        </AuthShell>
    }
}

/// The new member's name and password.
#[component]
fn InviteForm(token: Memo<String>) -> impl IntoView {
    let client = use_client();
    let session = use_session();
    let toaster = use_toaster();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = AcceptInviteRequest {
            token: token.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
        };
        if let Some(refused) = Found::new().with_rules_of(&request) {
            problem.set(Some(refused));
            return;
        }
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match client.accept_invite(&request).await {
                Ok(_) => session.load(&client).await,
                Err(error) => Err(error),
            };
            busy.set(false);
            match result {
                Ok(()) => navigate("/", Default::default()),
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormAlert problem fields=FIELDS />
            <TextField label="Your name" id="invite-name" name="name" autocomplete="name" required=true problem value=name />
            <TextField
                label="Password"
                id="invite-password"
                name="password"
                kind="password"
                autocomplete="new-password"
                required=true
                problem
                value=password
                hint="At least 8 characters; avoid common passwords."
            />
            <button id="invite-submit" type="submit" class="btn btn-primary btn-block" disabled=move || busy.get()>
                {move || if busy.get() { "Joining…" } else { "Accept invitation" }}
            </button>
        </form>
    }
}
