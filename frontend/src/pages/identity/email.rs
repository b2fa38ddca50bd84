//! Email: how the organization's messages present themselves (sender, reply-to, engagement
//! tracking), the SMTP server they go out through, and a test message that checks both end to end.
//! Settings readers see it; administrators change it.

use kith_domain::core::notifications::{
    MailServerInput, MailServerView, MailSettings, SmtpSecurity, TestEmailRequest, TestEmailResult,
};
use kith_domain::Problem;
use leptos::prelude::*;

use crate::api::problem_of;
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError as FieldErrorView, FormAlert};
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, SubmitButton};
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
    let settings = load(|client| async move { client.mail_settings().await });
    view! {
        <section class="card" id="mail-sender">
            <div class="card-header">
                <div>
                    <h2>"Sender"</h2>
                    <p class="card-text">"How email from Kith to leads and colleagues presents itself."</p>
                </div>
            </div>
            <div class="card-body">
                <Loaded data=settings what="the email settings" let:current>
                    <SenderForm current on_saved=move |saved| settings.set(saved) />
                </Loaded>
            </div>
        </section>
    }
}

const SENDER_FIELDS: &[&str] = &["from_name", "from_address", "reply_to", "track_engagement"];

#[component]
fn SenderForm(current: MailSettings, #[prop(into)] on_saved: Callback<MailSettings>) -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let from_name = RwSignal::new(current.from_name);
    let from_address = RwSignal::new(current.from_address.unwrap_or_default());
    let reply_to = RwSignal::new(current.reply_to.unwrap_or_default());
    let track = RwSignal::new(current.track_engagement);
    let admin = move || session.is_admin();
    let save = Save::new(
        |client, settings: MailSettings| async move { client.put_mail_settings(&settings).await },
        move |saved| {
            toaster.success("Email sender saved");
            on_saved.run(saved);
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.submit(
            Found::new(),
            MailSettings {
                from_name: from_name.get_untracked().trim().to_owned(),
                from_address: optional(&from_address.get_untracked()),
                reply_to: optional(&reply_to.get_untracked()),
                track_engagement: track.get_untracked(),
            },
        );
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormAlert problem fields=SENDER_FIELDS />
            <div class="form-grid">
                <Field label="Sender name" id="mail-from-name" name="from_name" problem hint="Shown as who the email is from, e.g. your company's name.">
                    <input
                        id="mail-from-name"
                        type="text"
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
                            <SubmitButton save id="mail-sender-save" label="Save sender" busy_label="Saving…" />
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

#[component]
fn ServerCard() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    // The organization's own server, or `None`: the installation's.
    let server = load(|client| async move { client.mail_server().await });
    // Setting up a server where there is none yet.
    let adding = RwSignal::new(false);
    let remove = Save::new(
        |client, ()| async move { client.delete_mail_server().await },
        move |()| {
            toaster.success("Email goes out through the installation's server again");
            adding.set(false);
            server.set(None);
        },
    );
    let saved = Callback::new(move |view: MailServerView| {
        adding.set(false);
        server.set(Some(view));
    });

    let body = move |current: Option<MailServerView>| {
        let admin = session.is_admin();
        match current {
            None if adding.get() => view! {
                <ServerForm current=None on_saved=saved on_cancel=move |_| adding.set(false) />
            }
            .into_any(),
            None => view! {
                <div class="stack-sm" id="mail-server-none">
                    <p>
                        <span class="badge">"Not set up"</span>
                        " No SMTP server of your own: email goes out through this installation's server."
                    </p>
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
            Some(current) if admin => {
                let updated = format::datetime(current.updated_at);
                view! {
                    <ServerForm current=Some(current) on_saved=saved />
                    <div class="row" id="mail-server-remove">
                        <ConfirmButton
                            label="Use the installation's server"
                            title="Stop using your own SMTP server?"
                            message="Email goes out through this installation's server again. The host, user name and password stored here are deleted."
                            confirm_label="Use the installation's server"
                            on_confirm=move |_| remove.dispatch(())
                        />
                        <span class="muted small">"Last changed " {updated}</span>
                    </div>
                }
                .into_any()
            }
            Some(current) => server_facts(current).into_any(),
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
            <div class="card-body stack">
                <Loaded data=server what="the mail server settings" let:current>
                    {body(current)}
                </Loaded>
            </div>
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
    let save = Save::new(
        |client, input: MailServerInput| async move { client.put_mail_server(&input).await },
        move |saved: MailServerView| {
            toaster.success(format!("Email goes out through {} now", saved.host));
            on_saved.run(saved);
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let port_number =
            found.take(port.get_untracked().trim().parse::<i32>(), "port", "number", "Enter a port number, e.g. 587.");
        let password = match password_edit.get_untracked() {
            PasswordEdit::Keep => None,
            PasswordEdit::Remove => Some(String::new()),
            // Without a stored password an empty input just means none; with one, "Change" needs a new one.
            PasswordEdit::Change => match password.get_untracked() {
                p if p.is_empty() && !password_stored => None,
                p if p.is_empty() => {
                    found.add("password", "required", "Enter the new password, or keep the stored one.");
                    None
                }
                p => Some(p),
            },
        };
        save.submit(
            found,
            MailServerInput {
                host: host.get_untracked().trim().to_owned(),
                // Refused above when the port cannot be read: the placeholder is never sent.
                port: port_number.unwrap_or_default(),
                security: security.get_untracked(),
                username: optional(&username.get_untracked()),
                password,
            },
        );
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
                <SubmitButton save id="mail-server-save" label="Save mail server" busy_label="Saving…" />
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
    let toaster = use_toaster();
    let session = use_session();
    let to =
        RwSignal::new(session.me.with_untracked(|me| me.as_ref().map(|me| me.user.email.clone()).unwrap_or_default()));
    let outcome = RwSignal::new(None::<TestOutcome>);
    let send = Save::new(
        |client, test: TestEmailRequest| async move {
            let address = test.to;
            match client.send_test_email(&address).await {
                Ok(sent) => Ok((address, TestOutcome::Sent(sent))),
                // The mail server's refusal is the test's answer, not a failure of the page.
                Err(error) if error.status() == Some(502) => Ok((address, TestOutcome::Refused(problem_of(&error)))),
                Err(error) => Err(error),
            }
        },
        move |(address, result): (String, TestOutcome)| {
            if matches!(result, TestOutcome::Sent(_)) {
                toaster.success(format!("Test email sent to {address}"));
            }
            outcome.set(Some(result));
        },
    );
    let problem = send.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let address = to.get_untracked().trim().to_owned();
        let mut found = Found::new();
        if address.is_empty() {
            found.add("to", "required", "Enter the address to send the test to.");
        }
        outcome.set(None);
        send.submit(found, TestEmailRequest { to: address });
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
                            <button id="mail-test-send" type="submit" class="btn btn-secondary" disabled=move || send.busy()>
                                {move || if send.busy() { "Sending…" } else { "Send a test email" }}
                            </button>
                        </div>
                    </Field>
                </form>
                {result}
            </div>
        </section>
    }
}
