//! The bell in the top bar: how many notifications are unread (polled), and a panel with the
//! recent ones; opening one marks it read and goes to the record it is about.

use std::time::Duration;

use kith_domain::core::notifications::{NotificationQuery, NotificationView};
use kith_domain::core::page::MAX_LIMIT;
use kith_domain::NotificationId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::use_client;
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::format;

/// How many notifications the panel shows.
const RECENT: u32 = 20;
const POLL_EVERY: Duration = Duration::from_secs(30);

#[component]
pub fn NotificationBell() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let navigate = StoredValue::new_local(use_navigate());
    // Unread notifications counted in the first page; `capped` when there are more than that.
    let unread = RwSignal::new(0usize);
    let capped = RwSignal::new(false);
    let open = RwSignal::new(false);
    let recent = RwSignal::new(None::<Vec<NotificationView>>);

    let count = {
        let client = client.clone();
        move || {
            let client = client.clone();
            spawn_local(async move {
                let query = NotificationQuery { limit: Some(MAX_LIMIT), unread: Some(true), cursor: None };
                // A failed poll keeps the last count quietly; the next one tries again.
                if let Ok(page) = client.notifications(&query).await {
                    unread.try_set(page.items.len());
                    capped.try_set(page.next_cursor.is_some());
                }
            });
        }
    };
    count();
    if let Ok(handle) = set_interval_with_handle(count, POLL_EVERY) {
        on_cleanup(move || handle.clear());
    }

    let load_recent = {
        let client = client.clone();
        move || {
            let client = client.clone();
            recent.set(None);
            spawn_local(async move {
                let query = NotificationQuery { limit: Some(RECENT), ..Default::default() };
                match client.notifications(&query).await {
                    Ok(page) => {
                        recent.try_set(Some(page.items));
                    }
                    Err(error) => {
                        recent.try_set(Some(Vec::new()));
                        toaster.error(&error);
                    }
                }
            });
        }
    };
    let toggle = move |_| {
        if open.get_untracked() {
            open.set(false);
        } else {
            open.set(true);
            load_recent();
        }
    };

    let mark_read = move |id: NotificationId| {
        let at = format::now();
        recent.update(|items| {
            if let Some(n) = items.iter_mut().flatten().find(|n| n.id == id) {
                n.read_at = Some(at);
            }
        });
        unread.update(|n| *n = n.saturating_sub(1));
    };
    let activate = Callback::new(move |notification: NotificationView| {
        open.set(false);
        if notification.read_at.is_none() {
            let client = client.clone();
            let id = notification.id;
            mark_read(id);
            spawn_local(async move {
                if let Err(error) = client.mark_notification_read(id).await {
                    toaster.error(&error);
                }
            });
        }
        let record = notification.entity.as_deref().zip(notification.entity_id.as_deref());
        if let Some(path) = record.and_then(|(entity, id)| crate::registry::record_href(entity, id)) {
            navigate.with_value(|navigate| navigate(&path, Default::default()));
        }
    });

    let badge = move || {
        let n = unread.get();
        (n > 0).then(|| {
            let text = if capped.get() || n > 99 { "99+".to_owned() } else { n.to_string() };
            view! {
                <span class="bell-count" data-testid="notifications-unread">
                    {text}
                </span>
            }
        })
    };
    let label = move || match unread.get() {
        0 => "Notifications".to_owned(),
        1 => "Notifications (1 unread)".to_owned(),
        n => format!("Notifications ({n} unread)"),
    };

    let items = move || {
        match recent.get() {
        None => view! { <Loading /> }.into_any(),
        Some(items) if items.is_empty() => {
            view! { <EmptyState title="No notifications" text="You will be told here when a lead needs you." /> }
                .into_any()
        }
        Some(items) => view! {
            <ul class="notification-list">
                {items
                    .into_iter()
                    .map(|n| {
                        let unread = n.read_at.is_none();
                        let (title, body) = (n.title.clone(), n.body.clone());
                        let when = format::datetime(n.created_at);
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="notification"
                                    class:unread=unread
                                    data-testid="notification"
                                    on:click=move |_| activate.run(n.clone())
                                >
                                    <span class="notification-title">{title}</span>
                                    {(!body.is_empty()).then(|| view! { <span class="notification-body">{body}</span> })}
                                    <span class="notification-time">{when}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
    };

    view! {
        <div class="notifications">
            <button
                id="notifications-bell"
                type="button"
                class="bell"
                aria-label=label
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                on:click=toggle
            >
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path
                        d="M12 3a6 6 0 0 0-6 6v3.5L4.5 15v1.5h15V15L18 12.5V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="1.6"
                        stroke-linejoin="round"
                    />
                </svg>
                {badge}
            </button>
            {move || {
                open.get()
                    .then(|| {
                        view! {
                            <div class="dropdown-backdrop" on:click=move |_| open.set(false)></div>
                            <div
                                class="dropdown notifications-panel"
                                role="dialog"
                                aria-label="Notifications"
                                on:keydown=move |ev| {
                                    if ev.key() == "Escape" {
                                        open.set(false);
                                    }
                                }
                            >
                                <div class="dropdown-header">"Notifications"</div>
                                {items}
                            </div>
                        }
                    })
            }}
        </div>
    }
}
