//! Email: how the organization's messages present themselves (sender, reply-to, engagement
//! tracking), the SMTP server they go out through, and a test message that checks both end to end.
//! Settings readers see it; administrators change it.

use kith_domain::core::notifications::{MailServerInput, MailServerView, MailSettings, SmtpSecurity, TestEmailResult};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError as FieldErrorView, FormAlert};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::format;

const SECURITIES: [SmtpSecurity; 3] = [SmtpSecurity::Starttls, SmtpSecurity::Tls, SmtpSecurity::Plain];

/// The port a server usually listens on for `security`.
fn default_port(security: SmtpSecurity) -> i32 {
    match security {
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Plain => 25,
    }
}

fn security_label(security: SmtpSecurity) -> &'static str {
    match security {
        SmtpSecurity::Starttls => "STARTTLS",
        SmtpSecurity::Tls => "TLS",
        SmtpSecurity::Plain => "None",
    }
}

/// Trimmed text, or `None` when blank.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[component]
pub fn EmailSettingsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <div class="stack">
            <SenderCard />
            <ServerCard />
            {move || session.is_admin().then(|| view! { <TestEmailCard /> })}
        </div>
    }
}

#[component]
fn SenderCard() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let settings = RwSignal::new(None::<MailSettings>);
    let failed = RwSignal::new(false);
    spawn_local(async move {
        match client.mail_settings().await {
            Ok(found) => {
                settings.try_set(Some(found));
            }
            Err(error) => {
                failed.try_set(true);
                toaster.error(&error);
            }
        }
    });

    view! {
        <section class="card" id="mail-sender">
            <div class="card-header">
                <div>
                    <h2>"Sender"</h2>
                    <p class="card-text">"How email from Kith to leads and colleagues presents itself."</p>
                </div>
            </div>
            <div class="card-body">
                {move || match settings.get() {
                    Some(current) => view! { <SenderForm current on_saved=move |saved| settings.set(Some(saved)) /> }.into_any(),
                    None if failed.get() => {
                        view! { <EmptyState title="The email settings could not be loaded" text="Reload the page to try again." /> }
                            .into_any()
                    }
                    None => view! { <Loading /> }.into_any(),
                }}
            </div>
        </section>
    }
}

const SENDER_FIELDS: &[&str] = &["from_name", "from_address", "reply_to", "track_engagement"];

#[component]
fn SenderForm(current: MailSettings, #[prop(into)] on_saved: Callback<MailSettings>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let from_name = RwSignal::new(current.from_name);
    let from_address = RwSignal::new(current.from_address.unwrap_or_default());
    let reply_to = RwSignal::new(current.reply_to.unwrap_or_default());
    let track = RwSignal::new(current.track_engagement);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let admin = move || session.is_admin();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let settings = MailSettings {
            from_name: from_name.get_untracked().trim().to_owned(),
            from_address: optional(&from_address.get_untracked()),
            reply_to: optional(&reply_to.get_untracked()),
            track_engagement: track.get_untracked(),
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.put_mail_settings(&settings).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    toaster.success("Email sender saved");
                    on_saved.try_run(saved);
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormAlert problem fields=SENDER_FIELDS />
            <div class="form-grid">
                <Field label="Sender name" id="mail-from-name" name="from_name" problem hint="Shown as who the email is from, e.g. your company's name.">
                    <input
                        id="mail-from-name"
                        type="text"
                        maxlength="100"
                        readonly=move || !admin()
                        aria-invalid=invalid(problem, "from_name")
                        bind:value=from_name
                    />
                </Field>
                <Field
                    label="Sender address"
                    id="mail-from-address"
                    name="from_address"
                    problem
                    hint="Empty: the installation's address. The mail server must allow sending as it."
                >
                    <input
                        id="mail-from-address"
                        type="email"
                        placeholder="sales@example.com"
                        readonly=move || !admin()
                        aria-invalid=invalid(problem, "from_address")
                        bind:value=from_address
                    />
                </Field>
                <Field label="Replies go to" id="mail-reply-to" name="reply_to" problem hint="Empty: to the sender address.">
                    <input
                        id="mail-reply-to"
                        type="email"
                        placeholder="team@example.com"
                        readonly=move || !admin()
                        aria-invalid=invalid(problem, "reply_to")
                        bind:value=reply_to
                    />
                </Field>
            </div>
            <div class="field">
                <label class="checkbox">
                    <input
                        id="mail-track"
                        type="checkbox"
                        aria-describedby="mail-track-hint"
                        disabled=move || !admin()
                        prop:checked=move || track.get()
                        on:change=move |ev| track.set(event_target_checked(&ev))
                    />
                    "Measure opens and clicks of emails to leads"
                </label>
                <p class="field-hint" id="mail-track-hint">
                    "Adds a tracking pixel and sends links through a redirect; they count toward lead scores. Turn it off where consent requires."
                </p>
                <FieldErrorView problem name="track_engagement" />
            </div>
            {move || {
                if admin() {
                    view! {
                        <div class="form-actions">
                            <button id="mail-sender-save" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                                "Save sender"
                            </button>
                        </div>
                    }
                        .into_any()
                } else {
                    view! { <p class="muted small">"Only administrators can change the email settings."</p> }.into_any()
                }
            }}
        </form>
    }
}

/// The organization's own SMTP server as loaded: not yet, none (the installation's), or one.
#[derive(Clone, Debug, PartialEq)]
enum Server {
    Loading,
    Failed,
    Installation,
    Own(MailServerView),
}

#[component]
fn ServerCard() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let server = RwSignal::new(Server::Loading);
    // Setting up a server where there is none yet.
    let adding = RwSignal::new(false);
    {
        let client = client.clone();
        spawn_local(async move {
            match client.mail_server().await {
                Ok(found) => {
                    server.try_set(Server::Own(found));
                }
                Err(error) if error.status() == Some(404) => {
                    server.try_set(Server::Installation);
                }
                Err(error) => {
                    server.try_set(Server::Failed);
                    toaster.error(&error);
                }
            }
        });
    }

    let remove = Callback::new(move |()| {
        let client = client.clone();
        spawn_local(async move {
            match client.delete_mail_server().await {
                Ok(()) => {
                    toaster.success("Email goes out through the installation's server again");
                    adding.try_set(false);
                    server.try_set(Server::Installation);
                }
                Err(error) => toaster.error(&error),
            }
        });
    });
    let saved = Callback::new(move |view: MailServerView| {
        adding.set(false);
        server.set(Server::Own(view));
    });

    let body = move || {
        let admin = session.is_admin();
        match server.get() {
            Server::Loading => view! { <Loading /> }.into_any(),
            Server::Failed => {
                view! { <EmptyState title="The mail server settings could not be loaded" text="Reload the page to try again." /> }
                    .into_any()
            }
            Server::Installation if adding.get() => view! {
                <ServerForm current=None on_saved=saved on_cancel=move |_| adding.set(false) />
            }
            .into_any(),
            Server::Installation => view! {
                <div class="stack-sm" id="mail-server-none">
                    <p>"Email goes out through this installation's server."</p>
                    {admin
                        .then(|| {
                            view! {
                                <div>
                                    <button
                                        id="mail-server-add"
                                        type="button"
                                        class="btn btn-secondary"
                                        on:click=move |_| adding.set(true)
                                    >
                                        "Use your own SMTP server"
                                    </button>
                                </div>
                            }
                        })}
                </div>
            }
            .into_any(),
            Server::Own(current) if admin => {
                let updated = format::datetime(current.updated_at);
                view! {
                    <ServerForm current=Some(current) on_saved=saved />
                    <div class="row" id="mail-server-remove">
                        <ConfirmButton
                            label="Use the installation's server"
                            title="Stop using your own SMTP server?"
                            message="Email goes out through this installation's server again. The host, user name and password stored here are deleted."
                            confirm_label="Use the installation's server"
                            on_confirm=remove
                        />
                        <span class="muted small">"Last changed " {updated}</span>
                    </div>
                }
                .into_any()
            }
            Server::Own(current) => server_facts(current).into_any(),
        }
    };

    view! {
        <section class="card" id="mail-server">
            <div class="card-header">
                <div>
                    <h2>"Outgoing mail server"</h2>
                    <p class="card-text">
                        "Send through your own SMTP server (e.g. your company's mail provider) so messages come from your domain."
                    </p>
                </div>
            </div>
            <div class="card-body stack">{body}</div>
        </section>
    }
}

/// The server, read-only, for settings readers who are not administrators.
fn server_facts(server: MailServerView) -> impl IntoView {
    let password = if server.password_set { "Stored" } else { "None" };
    view! {
        <dl class="facts" id="mail-server-facts">
            <dt>"Server"</dt>
            <dd>{format!("{}:{}", server.host, server.port)}</dd>
            <dt>"Encryption"</dt>
            <dd>{security_label(server.security)}</dd>
            <dt>"User name"</dt>
            <dd>{server.username.unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Password"</dt>
            <dd>{password}</dd>
        </dl>
        <p class="muted small">"Only administrators can change the mail server."</p>
    }
}

/// What saving does to the stored password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PasswordEdit {
    Keep,
    Change,
    Remove,
}

const SERVER_FIELDS: &[&str] = &["host", "port", "security", "username", "password"];

#[component]
fn ServerForm(
    current: Option<MailServerView>,
    #[prop(into)] on_saved: Callback<MailServerView>,
    /// Shown as a "Cancel" button when given (setting up a new server).
    #[prop(optional, into)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let initial_security = current.as_ref().map(|c| c.security).unwrap_or_default();
    let host = RwSignal::new(current.as_ref().map(|c| c.host.clone()).unwrap_or_default());
    let security = RwSignal::new(initial_security);
    let initial_port = current.as_ref().map_or(default_port(initial_security), |c| c.port);
    let port = RwSignal::new(initial_port.to_string());
    // The port follows the encryption until someone types one (a stored unusual port counts as typed).
    let port_typed = RwSignal::new(initial_port != default_port(initial_security));
    let username = RwSignal::new(current.as_ref().and_then(|c| c.username.clone()).unwrap_or_default());
    let password_stored = current.as_ref().is_some_and(|c| c.password_set);
    let password_edit = RwSignal::new(if password_stored { PasswordEdit::Keep } else { PasswordEdit::Change });
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(port_number) = port.get_untracked().trim().parse::<i32>() else {
            let error = FieldError::new("port", "number", "Enter a port number, e.g. 587.");
            problem.set(Some(Problem::validation(vec![error])));
            return;
        };
        let password = match password_edit.get_untracked() {
            PasswordEdit::Keep => None,
            PasswordEdit::Remove => Some(String::new()),
            // Without a stored password an empty input just means none; with one, "Change" needs a new one.
            PasswordEdit::Change => match password.get_untracked() {
                p if p.is_empty() && !password_stored => None,
                p if p.is_empty() => {
                    let error =
                        FieldError::new("password", "required", "Enter the new password, or keep the stored one.");
                    problem.set(Some(Problem::validation(vec![error])));
                    return;
                }
                p => Some(p),
            },
        };
        let input = MailServerInput {
            host: host.get_untracked().trim().to_owned(),
            port: port_number,
            security: security.get_untracked(),
            username: optional(&username.get_untracked()),
            password,
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.put_mail_server(&input).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    toaster.success(format!("Email goes out through {} now", saved.host));
                    on_saved.try_run(saved);
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    let password_control = move || {
        match password_edit.get() {
        PasswordEdit::Keep => view! {
            <div class="row" id="mail-password-stored">
                <span>"A password is stored."</span>
                <button
                    id="mail-password-change"
                    type="button"
                    class="btn btn-secondary btn-sm"
                    on:click=move |_| password_edit.set(PasswordEdit::Change)
                >
                    "Change"
                </button>
                <button
                    id="mail-password-remove"
                    type="button"
                    class="btn btn-secondary btn-sm"
                    on:click=move |_| password_edit.set(PasswordEdit::Remove)
                >
                    "Remove"
                </button>
            </div>
        }
        .into_any(),
        PasswordEdit::Remove => view! {
            <div class="row">
                <span class="field-warning">"The stored password is removed when you save."</span>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| password_edit.set(PasswordEdit::Keep)>
                    "Keep it"
                </button>
            </div>
        }
        .into_any(),
        PasswordEdit::Change => view! {
            <div class="row">
                <input
                    id="mail-password"
                    type="password"
                    autocomplete="new-password"
                    aria-label="Password"
                    aria-invalid=invalid(problem, "password")
                    bind:value=password
                />
                {password_stored
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-sm"
                                on:click=move |_| {
                                    password.set(String::new());
                                    password_edit.set(PasswordEdit::Keep);
                                }
                            >
                                "Keep the stored one"
                            </button>
                        }
                    })}
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <form class="form" id="mail-server-form" on:submit=submit novalidate>
            <FormAlert problem fields=SERVER_FIELDS />
            <div class="form-grid">
                <Field label="Host" id="mail-host" name="host" problem>
                    <input
                        id="mail-host"
                        type="text"
                        placeholder="smtp.example.com"
                        aria-invalid=invalid(problem, "host")
                        bind:value=host
                    />
                </Field>
                <Field
                    label="Encryption"
                    id="mail-security"
                    name="security"
                    problem
                    hint="STARTTLS usually listens on port 587, TLS on 465."
                >
                    <select
                        id="mail-security"
                        aria-invalid=invalid(problem, "security")
                        aria-describedby="mail-security-warning"
                        on:change=move |ev| {
                            if let Some(chosen) = SmtpSecurity::parse(&event_target_value(&ev)) {
                                security.set(chosen);
                                if !port_typed.get_untracked() {
                                    port.set(default_port(chosen).to_string());
                                }
                            }
                        }
                    >
                        {SECURITIES
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || security.get() == s>
                                        {security_label(s)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    {move || {
                        (security.get() == SmtpSecurity::Plain)
                            .then(|| {
                                view! {
                                    <p class="field-warning" id="mail-security-warning" role="status">
                                        "Without encryption the password and every message travel unencrypted: only for a relay on a trusted network."
                                    </p>
                                }
                            })
                    }}
                </Field>
                <Field label="Port" id="mail-port" name="port" problem>
                    <input
                        id="mail-port"
                        type="number"
                        min="1"
                        max="65535"
                        aria-invalid=invalid(problem, "port")
                        prop:value=move || port.get()
                        on:input=move |ev| {
                            port_typed.set(true);
                            port.set(event_target_value(&ev));
                        }
                    />
                </Field>
                <Field label="User name" id="mail-username" name="username" problem hint="Empty when the server needs no sign-in.">
                    <input
                        id="mail-username"
                        type="text"
                        autocomplete="off"
                        aria-invalid=invalid(problem, "username")
                        bind:value=username
                    />
                </Field>
                <div class="field field-wide">
                    <label for="mail-password">"Password"</label>
                    {password_control}
                    <p class="field-hint">"Stored encrypted and never shown again."</p>
                    <FieldErrorView problem name="password" />
                </div>
            </div>
            <div class="form-actions">
                <button id="mail-server-save" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    "Save mail server"
                </button>
                {on_cancel
                    .map(|cancel| {
                        view! {
                            <button type="button" class="btn btn-ghost" on:click=move |_| cancel.run(())>
                                "Cancel"
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

/// What the last test message did.
#[derive(Clone, Debug, PartialEq)]
enum TestOutcome {
    Sent(TestEmailResult),
    /// The mail server refused the message or could not be reached (502): what it said.
    Refused(Problem),
}

#[component]
fn TestEmailCard() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let to =
        RwSignal::new(session.me.with_untracked(|me| me.as_ref().map(|me| me.user.email.clone()).unwrap_or_default()));
    let outcome = RwSignal::new(None::<TestOutcome>);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let address = to.get_untracked().trim().to_owned();
        if address.is_empty() {
            let error = FieldError::new("to", "required", "Enter the address to send the test to.");
            problem.set(Some(Problem::validation(vec![error])));
            return;
        }
        problem.set(None);
        outcome.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.send_test_email(&address).await;
            busy.try_set(false);
            match result {
                Ok(sent) => {
                    toaster.success(format!("Test email sent to {address}"));
                    outcome.try_set(Some(TestOutcome::Sent(sent)));
                }
                Err(error) if error.status() == Some(502) => {
                    outcome.try_set(Some(TestOutcome::Refused(problem_of(&error))));
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    let result = move || {
        outcome.get().map(|outcome| match outcome {
            TestOutcome::Sent(sent) => {
                let route = match sent.host {
                    Some(host) if sent.via == "organization" => format!("Sent through {host}."),
                    _ => "Sent through the installation's server.".to_owned(),
                };
                view! {
                    <p class="test-sent" id="mail-test-result" role="status">
                        <span class="badge badge-green">"Sent"</span>
                        " "
                        {route}
                        <span class="muted">" Check the inbox (and the spam folder)."</span>
                    </p>
                }
                .into_any()
            }
            TestOutcome::Refused(p) => view! {
                <div class="form-alert" id="mail-test-result" role="alert">
                    <strong>"The mail server did not take the message"</strong>
                    <pre class="server-reply">{p.detail.unwrap_or(p.title)}</pre>
                    <span>"Check the host, port, encryption, user name and password above, then try again."</span>
                </div>
            }
            .into_any(),
        })
    };

    view! {
        <section class="card" id="mail-test">
            <div class="card-header">
                <div>
                    <h2>"Send a test email"</h2>
                    <p class="card-text">"A short message sent now with the saved settings, to check they work."</p>
                </div>
            </div>
            <div class="card-body stack">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["to"] />
                    <Field label="Send to" id="mail-test-to" name="to" problem>
                        <div class="row">
                            <input
                                id="mail-test-to"
                                type="email"
                                aria-invalid=invalid(problem, "to")
                                bind:value=to
                            />
                            <button id="mail-test-send" type="submit" class="btn btn-secondary" disabled=move || busy.get()>
                                {move || if busy.get() { "Sending…" } else { "Send a test email" }}
                            </button>
                        </div>
                    </Field>
                </form>
                {result}
            </div>
        </section>
    }
}
