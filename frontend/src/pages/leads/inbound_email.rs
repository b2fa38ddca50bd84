//! Inbound email: the address a mail provider posts incoming inquiries to, and its secret. Each
//! inquiry becomes a lead, or lands on the existing lead's timeline. Administrators only.

use kith_domain::leads::inbound::{InboundEmailSecret, InboundEmailSettings};
use leptos::prelude::*;

use crate::api::origin;
use crate::components::confirm::ConfirmButton;
use crate::components::copy::CopyValue;
use crate::components::toast::use_toaster;
use crate::data::{load, Loaded, Save};
use crate::format;

/// Administrators only (the settings registry guards the page).
#[component]
pub fn InboundEmailPage() -> impl IntoView {
    let toaster = use_toaster();
    let settings = load(|client| async move { client.inbound_email_settings().await });
    let secret = RwSignal::new(None::<InboundEmailSecret>);
    let rotate = Save::new(
        |client, ()| async move { client.rotate_inbound_email_secret().await },
        move |made: InboundEmailSecret| {
            toaster.success("New inbound secret made");
            settings.set(InboundEmailSettings {
                ingest_path: made.ingest_path.clone(),
                secret_set: true,
                secret_rotated_at: Some(made.secret_rotated_at),
            });
            secret.set(Some(made));
        },
    );
    let rotate = Callback::new(move |()| rotate.dispatch(()));

    let body = move |current: InboundEmailSettings| {
        let url = format!("{}{}", origin(), current.ingest_path);
        let status = if current.secret_set {
            let since =
                current.secret_rotated_at.map(format::datetime).map(|d| format!(" since {d}")).unwrap_or_default();
            view! {
                <p id="inbound-secret-status">
                    <span class="badge badge-green">"Set"</span>
                    <span class="muted">{format!(" A secret is in use{since}. It is never shown again; make a new one if it is lost.")}</span>
                </p>
            }
            .into_any()
        } else {
            view! {
                <p id="inbound-secret-status">
                    <span class="badge badge-amber">"Not set"</span>
                    <span class="muted">" Without a secret every delivery is refused. Make one to start."</span>
                </p>
            }
            .into_any()
        };
        let action = if current.secret_set {
            view! {
                <ConfirmButton
                    label="Rotate secret"
                    title="Make a new inbound secret?"
                    message="The current secret stops working at once: deliveries are refused until the mail provider has the new one."
                    confirm_label="Make a new secret"
                    on_confirm=rotate
                />
            }
            .into_any()
        } else {
            view! {
                <ConfirmButton
                    label="Make a secret"
                    title="Make the inbound secret?"
                    message="It is shown once; copy it into your mail provider's settings."
                    confirm_label="Make the secret"
                    on_confirm=rotate
                />
            }
            .into_any()
        };
        view! {
            <div class="field">
                <span class="label">"Address to post messages to"</span>
                <CopyValue value=url id="inbound-url" />
                <p class="field-hint">
                    "Set your mail provider's inbound webhook to POST each raw message (" <code>"message/rfc822"</code>
                    ") here, with the header " <code>"Authorization: Bearer <secret>"</code> "."
                </p>
            </div>
            <div class="field">
                <span class="label">"Secret"</span>
                {status}
                <div id="inbound-rotate">{action}</div>
            </div>
        }
        .into_any()
    };

    view! {
        <div class="stack">
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Inbound email"</h2>
                        <p class="card-text">
                            "Inquiries sent to your sales address become leads: a new lead for a new sender, or an entry on the existing lead's timeline. Auto-replies and newsletters are ignored."
                        </p>
                    </div>
                </div>
                <div class="card-body stack">
                    <Loaded data=settings what="the inbound email settings" let:current>
                        {body(current)}
                    </Loaded>
                </div>
            </section>
            {move || {
                secret
                    .get()
                    .map(|made| {
                        view! {
                            <div class="secret" role="status">
                                <span class="label">"Your new inbound secret"</span>
                                <CopyValue value=made.secret id="inbound-secret" />
                                <span class="secret-note">"Copy it now; it will not be shown again."</span>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
