//! Sign-up: a new organization and its first administrator.

use kith_domain::identity::auth::SignupRequest;
use kith_domain::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::layout::AuthShell;
use crate::components::toast::use_toaster;
use crate::data::Found;

const FIELDS: &[&str] = &["organization_name", "name", "email", "password"];

#[component]
pub fn Signup() -> impl IntoView {
    let client = use_client();
    let session = use_session();
    let toaster = use_toaster();
    let navigate = use_navigate();

    let organization = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = SignupRequest {
            organization_name: organization.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
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
            let result = match client.signup(&request).await {
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
        <AuthShell title="Create your organization" subtitle="Start with your team's own Kith workspace.">
            <form class="form" on:submit=submit novalidate>
                <FormAlert problem fields=FIELDS />
                <Field label="Organization name" id="signup-org" name="organization_name" problem>
                    <input
                        id="signup-org"
                        type="text"
                        autocomplete="organization"
                        required
                        aria-invalid=invalid(problem, "organization_name")
                        bind:value=organization
                    />
                </Field>
                <Field label="Your name" id="signup-name" name="name" problem>
                    <input
                        id="signup-name"
                        type="text"
                        autocomplete="name"
                        required
                        aria-invalid=invalid(problem, "name")
                        bind:value=name
                    />
                </Field>
                <Field label="Work email" id="signup-email" name="email" problem>
                    <input
                        id="signup-email"
                        type="email"
                        autocomplete="email"
                        required
                        aria-invalid=invalid(problem, "email")
                        bind:value=email
                    />
                </Field>
                <Field
                    label="Password"
                    id="signup-password"
                    name="password"
                    problem
                    hint="At least 8 characters; avoid common passwords."
                >
                    <input
                        id="signup-password"
                        type="password"
                        autocomplete="new-password"
                        required
                        aria-invalid=invalid(problem, "password")
                        bind:value=password
                    />
                </Field>
                <button id="signup-submit" type="submit" class="btn btn-primary btn-block" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create organization" }}
                </button>
            </form>
            <p class="auth-footer">"Already have an account? " <a href="/login">"Log in"</a></p>
        </AuthShell>
    }
}
