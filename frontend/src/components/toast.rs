//! Toasts: short notices in the top-right corner that dismiss themselves.

use std::time::Duration;

use kith_client::ClientError;
use kith_domain::Problem;
use leptos::prelude::*;

use crate::api::problem_of;
use crate::auth::Session;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Success,
    Error,
}

#[derive(Clone, Debug)]
struct Toast {
    id: u64,
    kind: Kind,
    title: String,
    detail: Option<String>,
    /// A link to what the notice is about: (text, address).
    link: Option<(String, String)>,
}

#[derive(Clone, Copy)]
pub struct Toaster {
    toasts: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
    session: Session,
}

impl Toaster {
    pub fn provide(session: Session) -> Toaster {
        let toaster = Toaster { toasts: RwSignal::new(Vec::new()), next_id: StoredValue::new(0), session };
        provide_context(toaster);
        toaster
    }

    pub fn success(self, title: impl Into<String>) {
        self.push(Kind::Success, title.into(), None);
    }

    /// A success with a second line saying what follows from it.
    pub fn success_with_detail(self, title: impl Into<String>, detail: impl Into<String>) {
        self.push(Kind::Success, title.into(), Some(detail.into()));
    }

    /// A success with a link to what it made, e.g. "Lead created" → the new lead.
    pub fn success_with_link(self, title: impl Into<String>, text: impl Into<String>, href: impl Into<String>) {
        self.push_toast(Kind::Success, title.into(), None, Some((text.into(), href.into())));
    }

    /// Report a failed call. A `401` that survived the client's refresh means the session is over.
    pub fn error(self, error: &ClientError) {
        if error.status() == Some(401) {
            self.session.end();
        }
        self.problem(&problem_of(error));
    }

    /// An update lost an optimistic-concurrency race; the caller reloads the record.
    pub fn stale(self, what: &str) {
        self.push(
            Kind::Error,
            format!("This {what} was changed by someone else"),
            Some("The latest version is shown now; please make your change again.".to_owned()),
        );
    }

    /// Like [`Toaster::stale`], for a save that reloaded what it changed.
    pub fn stale_reloaded(self) {
        self.push(
            Kind::Error,
            "Changed elsewhere meanwhile".to_owned(),
            Some("The latest version is shown now; please make your change again.".to_owned()),
        );
    }

    /// A save found its record changed by someone else since it was loaded; the form offers a reload.
    pub fn changed_elsewhere(self) {
        self.push(
            Kind::Error,
            "Changed elsewhere meanwhile".to_owned(),
            Some("Someone saved this after you opened it: reload, then make your change again.".to_owned()),
        );
    }

    /// Something failed in the browser itself (no server call involved).
    pub fn failure(self, title: impl Into<String>, detail: impl Into<String>) {
        self.push(Kind::Error, title.into(), Some(detail.into()));
    }

    pub fn problem(self, problem: &Problem) {
        self.push(Kind::Error, problem.title.clone(), problem.detail.clone());
    }

    fn push(self, kind: Kind, title: String, detail: Option<String>) {
        self.push_toast(kind, title, detail, None);
    }

    fn push_toast(self, kind: Kind, title: String, detail: Option<String>, link: Option<(String, String)>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.toasts.update(|toasts| {
            // A success after an error means the person fixed it or moved on: a red notice left
            // standing beside a green one would say the last thing failed.
            if kind == Kind::Success {
                toasts.retain(|t| t.kind != Kind::Error);
            }
            toasts.push(Toast { id, kind, title, detail, link })
        });
        // Errors stay longer: they usually need reading.
        let ttl = match kind {
            Kind::Success => Duration::from_secs(4),
            Kind::Error => Duration::from_secs(8),
        };
        set_timeout(move || self.dismiss(id), ttl);
    }

    fn dismiss(self, id: u64) {
        self.toasts.update(|toasts| toasts.retain(|t| t.id != id));
    }
}

pub fn use_toaster() -> Toaster {
    expect_context::<Toaster>()
}

#[component]
pub fn Toasts() -> impl IntoView {
    let toaster = use_toaster();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For
                each=move || toaster.toasts.get()
                key=|toast| toast.id
                children=move |toast| {
                    let class = match toast.kind {
                        Kind::Success => "toast toast-success",
                        Kind::Error => "toast toast-error",
                    };
                    let id = toast.id;
                    view! {
                        <div class=class data-testid="toast">
                            <div class="toast-body">
                                <div class="toast-title">{toast.title}</div>
                                {toast.detail.map(|d| view! { <div class="toast-detail">{d}</div> })}
                                {toast
                                    .link
                                    .map(|(text, href)| {
                                        view! {
                                            <a class="toast-link" href=href data-testid="toast-link">
                                                {text}
                                            </a>
                                        }
                                    })}
                            </div>
                            <button
                                type="button"
                                class="toast-close"
                                aria-label="Dismiss"
                                on:click=move |_| toaster.dismiss(id)
                            >
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
