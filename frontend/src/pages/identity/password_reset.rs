//! A forgotten password: ask for a reset link (`/forgot-password`), then set a new password with the
//! link from the email (`/reset-password?token=…`). The first page says the same whatever the address,
//! as the server does; the second ends every session, so it sends the person to log in again.

use kith_domain::identity::auth::{PasswordResetConfirm, PasswordResetRequest};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::auth::use_session;
use crate::components::field::{FormAlert, TextField};
use crate::components::layout::AuthShell;
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, SubmitButton};

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    // The address a link was asked for (shown back), once the server has answered.
    let sent_to = RwSignal::new(None::<String>);
    let ask = Save::new(
        |client, ask: PasswordResetRequest| async move {
            client.request_password_reset(&ask.email).await.map(|()| ask.email)
        },
        move |address: String| sent_to.set(Some(address)),
    );
    let problem = ask.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        let mut found = Found::new();
        if address.is_empty() {
            found.add("email", "required", "Enter the email address you sign in with.");
        }
        ask.submit(found, PasswordResetRequest { email: address });
    };

    let content = move || {
        match sent_to.get() {
        Some(address) => view! {
            <div class="auth-sent" id="reset-requested" role="status">
                <p>
                    "If "
                    <strong>{address}</strong>
                    " belongs to a Kith account, an email with a link to set a new password is on its way. The link works once, for 30 minutes."
                </p>
                <p class="muted small">"Nothing arrived? Check the spam folder, or ask again in a few minutes."</p>
                <div>
                    <button type="button" class="btn btn-secondary" on:click=move |_| sent_to.set(None)>
                        "Ask again"
                    </button>
                </div>
            </div>
        }
        .into_any(),
        None => view! {
            <form class="form" on:submit=submit novalidate>
                <FormAlert problem fields=&["email"] />
                <TextField
                    label="Email"
                    id="reset-email"
                    name="email"
                    kind="email"
                    autocomplete="username"
                    required=true
                    problem
                    value=email
                />
                <SubmitButton save=ask id="reset-request" label="Send me a link" busy_label="Sending…" />
            </form>
        }
        .into_any(),
    }
    };

    view! {
        <AuthShell title="Forgot your password?" subtitle="We will email you a link to set a new one.">
            {content}
            <p class="auth-footer">
                <a href="/login">"Back to log in"</a>
            </p>
        </AuthShell>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let set = Save::new(
        move |client, (token, password): (String, String)| async move {
            client.confirm_password_reset(&token, &password).await
        },
        move |()| {
            // Every session ended, this browser's too: sign in with the new password.
            session.end();
            toaster.success("Password changed: log in with your new password");
            navigate("/login", Default::default());
        },
    );
    let problem = set.problem;
    // The link itself is spent or wrong (not the password): say so and offer a new one.
    let link_refused = move || problem.with(|p| p.as_ref().is_some_and(|p| p.field_message("token").is_some()));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PasswordResetConfirm { token: token.get_untracked(), password: password.get_untracked() };
        set.submit_with(Found::new(), &body, (body.token.clone(), body.password.clone()));
    };

    let link_problem = move || {
        (token.with(String::is_empty) || link_refused()).then(|| {
            view! {
                <div class="form-alert" id="reset-link-invalid" role="alert">
                    <strong>"This reset link is not valid any more"</strong>
                    <span>"A link works once, for 30 minutes. "</span>
                    <a href="/forgot-password">"Ask for a new link"</a>
                </div>
            }
        })
    };

    view! {
        <AuthShell title="Set a new password" subtitle="Every device signed in to your account is signed out.">
            {link_problem}
            <form class="form" on:submit=submit novalidate>
                {move || (!link_refused()).then(|| view! { <FormAlert problem fields=&["password", "token"] /> })}
                <TextField
                    label="New password"
                    id="reset-password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    problem
                    value=password
                    hint="At least 8 characters; avoid common passwords."
                />
                <SubmitButton save=set id="reset-submit" label="Set new password" busy_label="Saving…" />
            </form>
            <p class="auth-footer">
                <a href="/login">"Back to log in"</a>
            </p>
        </AuthShell>
    }
}
