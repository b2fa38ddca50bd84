//! Login with email and password.

use kith_domain::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::layout::AuthShell;
use crate::components::toast::use_toaster;

const FIELDS: &[&str] = &["email", "password"];

#[component]
pub fn Login() -> impl IntoView {
    let client = use_client();
    let session = use_session();
    let toaster = use_toaster();
    let navigate = use_navigate();

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (email, password) = (email.get_untracked(), password.get_untracked());
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match client.login(&email, &password).await {
                Ok(_) => session.load(&client).await,
                Err(error) => Err(error),
            };
            busy.set(false);
            match result {
                Ok(()) => navigate("/", Default::default()),
                Err(error) => {
                    let mut shown = problem_of(&error);
                    // The API answers a failed login with its generic 401 and a lockout with 429.
                    let override_title = match shown.status {
                        401 => Some("Wrong email or password"),
                        429 => Some("Too many attempts, try again later"),
                        _ => None,
                    };
                    if let Some(title) = override_title {
                        shown.title = title.into();
                        shown.detail = None;
                        toaster.problem(&shown);
                    } else {
                        toaster.error(&error);
                    }
                    problem.set(Some(shown));
                }
            }
        });
    };

    view! {
        <AuthShell title="Log in" subtitle="Welcome back.">
            <form class="form" on:submit=submit novalidate>
                <FormAlert problem fields=FIELDS />
                <Field label="Email" id="login-email" name="email" problem>
                    <input
                        id="login-email"
                        type="email"
                        autocomplete="username"
                        required
                        aria-invalid=invalid(problem, "email")
                        bind:value=email
                    />
                </Field>
                <Field label="Password" id="login-password" name="password" problem>
                    <input
                        id="login-password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-invalid=invalid(problem, "password")
                        bind:value=password
                    />
                </Field>
                <p class="auth-aside">
                    <a id="login-forgot" href="/forgot-password">"Forgot password?"</a>
                </p>
                <button id="login-submit" type="submit" class="btn btn-primary btn-block" disabled=move || busy.get()>
                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p class="auth-footer">"New to Kith? " <a href="/signup">"Create an organization"</a></p>
        </AuthShell>
    }
}
