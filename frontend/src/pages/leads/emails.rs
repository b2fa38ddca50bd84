//! The "Emails" card on a lead's page: what Kith sent (or is about to send) to the lead, newest
//! first, whether it was delivered, and how often it was opened and its links followed.

use kith_domain::core::page::PageQuery;
use kith_domain::leads::{EmailDelivery, LeadEmailView};
use kith_domain::LeadId;
use leptos::prelude::*;

use crate::api::use_client;
use crate::components::table::{Paged, StatusRow};
use crate::format;

/// Emails per page: the card sits beside the timeline, so a short list.
const PAGE_SIZE: u32 = 10;

fn delivery_badge(email: &LeadEmailView) -> impl IntoView {
    let (class, label) = match email.delivery {
        EmailDelivery::Queued if email.attempts > 0 => ("badge badge-amber", "Retrying"),
        EmailDelivery::Queued => ("badge badge-blue", "Queued"),
        EmailDelivery::Sent => ("badge badge-green", "Sent"),
        EmailDelivery::Failed => ("badge badge-red", "Failed"),
    };
    view! { <span class=class data-testid="email-delivery">{label}</span> }
}

fn email_row(email: LeadEmailView) -> impl IntoView {
    let when = match email.sent_at {
        Some(at) => format!("Sent {}", format::datetime(at)),
        None => format!("Queued {}", format::datetime(email.queued_at)),
    };
    // Why it failed, or why the next try is pending.
    let error = email.last_error.clone().filter(|_| email.delivery != EmailDelivery::Sent).map(|error| {
        let attempts = match email.attempts {
            1 => "after 1 attempt".to_owned(),
            n => format!("after {n} attempts"),
        };
        view! {
            <p class="field-error" data-testid="email-error">
                {error}
                <span class="muted">{format!(" ({attempts})")}</span>
            </p>
        }
    });
    view! {
        <tr data-testid="lead-email">
            <td>
                <div>{email.subject.clone()}</div>
                <div class="muted small">"To " {email.to.clone()} " · " {when}</div>
                {error}
            </td>
            <td>{delivery_badge(&email)}</td>
            <td class="num" data-testid="email-opens">
                {email.opens}
            </td>
            <td class="num" data-testid="email-clicks">
                {email.clicks}
            </td>
        </tr>
    }
}

#[component]
pub fn EmailsCard(lead_id: LeadId) -> impl IntoView {
    let client = use_client();
    let emails = Paged::<LeadEmailView>::new();
    let load = Callback::new(move |more: bool| {
        let client = client.clone();
        let fetch = move |cursor| async move {
            client.lead_emails(lead_id, &PageQuery { limit: Some(PAGE_SIZE), cursor }).await
        };
        if more {
            emails.more(fetch);
        } else {
            emails.reload(fetch);
        }
    });
    load.run(false);

    let rows = move || emails.items.get().into_iter().map(email_row).collect_view();
    let more = move || {
        emails.next_cursor.with(Option::is_some).then(|| {
            view! {
                <div class="table-footer">
                    <button
                        id="lead-emails-more"
                        type="button"
                        class="btn btn-secondary btn-sm"
                        disabled=move || emails.loading.get()
                        on:click=move |_| load.run(true)
                    >
                        {move || if emails.loading.get() { "Loading…" } else { "Show more" }}
                    </button>
                </div>
            }
        })
    };

    view! {
        <section class="card" id="lead-emails">
            <div class="card-header">
                <div>
                    <h2>"Emails"</h2>
                    <p class="card-text">"What Kith sent to this lead, newest first, and what the lead did with it."</p>
                </div>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Email"</th>
                            <th>"Delivery"</th>
                            <th class="num">"Opens"</th>
                            <th class="num">"Clicks"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows}
                        <StatusRow paged=emails columns=4 empty_title="No emails sent to this lead yet." />
                    </tbody>
                </table>
            </div>
            {more}
        </section>
    }
}
