//! Joining an organization through an invitation link (`/accept-invite?token=…`).

use kith_domain::identity::auth::AcceptInviteRequest;
use kith_domain::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::layout::AuthShell;
use crate::components::toast::use_toaster;

const FIELDS: &[&str] = &["name", "password"];

#[component]
pub fn AcceptInvite() -> impl IntoView {
    let client = use_client();
    let session = use_session();
    let toaster = use_toaster();
    let navigate = use_navigate();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());

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
        <AuthShell title="Join your team" subtitle="Choose your name and a password to accept the invitation.">
            {move || {
                token
                    .with(String::is_empty)
                    .then(|| {
                        view! {
                            <div class="form-alert" role="alert">
                                <strong>"This invitation link is incomplete"</strong>
                                <span>"Open the whole link from your invitation, or ask for a new one."</span>
                            </div>
                        }
                    })
            }}
            <form class="form" on:submit=submit novalidate>
                <FormAlert problem fields=FIELDS />
                <Field label="Your name" id="invite-name" name="name" problem>
                    <input
                        id="invite-name"
                        type="text"
                        autocomplete="name"
                        required
                        aria-invalid=invalid(problem, "name")
                        bind:value=name
                    />
                </Field>
                <Field
                    label="Password"
                    id="invite-password"
                    name="password"
                    problem
                    hint="At least 8 characters; avoid common passwords."
                >
                    <input
                        id="invite-password"
                        type="password"
                        autocomplete="new-password"
                        required
                        aria-invalid=invalid(problem, "password")
                        bind:value=password
                    />
                </Field>
                <button
                    id="invite-submit"
                    type="submit"
                    class="btn btn-primary btn-block"
                    disabled=move || busy.get() || token.with(String::is_empty)
                >
                    {move || if busy.get() { "Joining…" } else { "Accept invitation" }}
                </button>
            </form>
        </AuthShell>
    }
}
