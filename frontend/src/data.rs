//! Loading and saving, done one way on every page.
//!
//! - A read is a [`Load`]: a `LocalResource` over a client call. [`Loaded`] shows it through a
//!   `Transition` (a spinner the first time, the old content while it reloads), then the value or
//!   what went wrong, with a "Try again". A failed read is toasted once, and a `401` ends the session.
//! - A write is a [`Save`]: an `Action` that ignores a second click while it runs (`busy`), keeps the
//!   server's problem so fields show their errors beside them ([`crate::components::field`]), toasts the
//!   failure, and hands the answer to the page. An update sends the version of the record on screen
//!   (`If-Match`) and puts the server's answer in its place, so the next save sends the new version.
//!   When the record changed elsewhere meanwhile (`412`) the save sets `stale`, and [`StaleNotice`]
//!   says so beside the form with a Reload button, keeping what the person typed until they reload.
//!   Edits made in place (a select in a table row) use [`Save::reloading`] instead: the page shows
//!   the server's version again at once.

use std::future::Future;
use std::rc::Rc;

use kith_client::Client;
use kith_domain::core::validation::{merge_errors, Check};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;

use crate::api::{is_stale, problem_of, use_client};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;

/// A record or list read from the API; reading it inside [`Loaded`] (or any `Suspense`/`Transition`)
/// shows the loading state until it arrives.
pub struct Load<T: 'static> {
    resource: LocalResource<Result<T, Problem>>,
}

impl<T: 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Load<T> {}

/// Read with `fetch`, again whenever a signal it reads before its first `.await` changes (a route
/// parameter, a filter). A failure is toasted and kept as the problem.
pub fn load<T, Fut>(fetch: impl Fn(Client) -> Fut + 'static) -> Load<T>
where
    T: 'static,
    Fut: Future<Output = kith_client::Result<T>> + 'static,
{
    let client = use_client();
    let toaster = use_toaster();
    let resource = LocalResource::new(move || {
        let call = fetch(client.clone());
        async move {
            call.await.map_err(|error| {
                toaster.error(&error);
                problem_of(&error)
            })
        }
    });
    Load { resource }
}

impl<T: 'static> Load<T> {
    /// Read again (after a change elsewhere, or a "changed elsewhere" answer).
    pub fn reload(self) {
        self.resource.refetch();
    }

    /// Show `value` instead of what was read, e.g. the server's answer to a save.
    pub fn set(self, value: T) {
        self.resource.try_set(Some(Ok(value)));
    }

    /// Change the loaded value in place (a list after one of its items was saved or removed).
    pub fn update(self, change: impl FnOnce(&mut T)) {
        self.resource.try_update(|value| {
            if let Some(Ok(value)) = value {
                change(value);
            }
        });
    }

    /// Apply `f` to the value, once loaded; tracks it.
    pub fn with<U>(self, f: impl FnOnce(&T) -> U) -> Option<U> {
        self.resource.map(|value| value.as_ref().ok().map(f)).flatten()
    }

    /// The value, once loaded; tracks it.
    pub fn ok(self) -> Option<T>
    where
        T: Clone,
    {
        self.with(T::clone)
    }
}

/// `data` once it has loaded, rendered by the children; a spinner until then, and what went wrong
/// (with "Try again") when the read failed. A reload keeps the old content until the new arrives.
#[component]
pub fn Loaded<T, F, V>(
    data: Load<T>,
    /// What is read, for the failure message ("the lead settings").
    #[prop(default = "this page")]
    what: &'static str,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let content = move || {
        data.resource.get().map(|result| match result {
            Ok(value) => children(value).into_any(),
            Err(problem) => view! { <LoadFailed problem what on_retry=move |_| data.reload() /> }.into_any(),
        })
    };
    view! { <Transition fallback=Loading>{content}</Transition> }
}

#[component]
fn LoadFailed(problem: Problem, what: &'static str, #[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    let text = problem.detail.unwrap_or(problem.title);
    view! {
        <div class="load-failed" data-testid="load-failed">
            <EmptyState icon="!" title=format!("Could not load {what}") text=text />
            <div class="form-actions">
                <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| on_retry.run(())>
                    "Try again"
                </button>
            </div>
        </div>
    }
}

/// A write behind a form or a button: see the module documentation.
pub struct Save<I: 'static> {
    action: Action<I, ()>,
    pending: Memo<bool>,
    /// What the server (or the form's own check) found wrong with the last attempt.
    pub problem: RwSignal<Option<Problem>>,
    /// The last attempt found the record changed elsewhere since it was loaded (`412`).
    pub stale: RwSignal<bool>,
    /// Set by [`Save::reloading`]: what shows the server's version after a refusal.
    reload: StoredValue<Option<Callback<()>>>,
}

impl<I: 'static> Clone for Save<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static> Copy for Save<I> {}

impl<I: Clone + 'static> Save<I> {
    /// A write that runs `call` with the dispatched input and hands a success to `done` (which
    /// toasts it and updates the page). Failures are handled here: a `412` sets `stale`, anything
    /// else becomes the `problem` and a toast.
    pub fn new<O, Fut>(call: impl Fn(Client, I) -> Fut + 'static, done: impl Fn(O) + 'static) -> Save<I>
    where
        O: 'static,
        Fut: Future<Output = kith_client::Result<O>> + 'static,
    {
        let client = use_client();
        let toaster = use_toaster();
        let problem = RwSignal::new(None::<Problem>);
        let stale = RwSignal::new(false);
        let reload = StoredValue::new(None::<Callback<()>>);
        let done = Rc::new(done);
        let action = Action::new_local(move |input: &I| {
            let call = call(client.clone(), input.clone());
            let done = Rc::clone(&done);
            async move {
                match call.await {
                    Ok(answer) => done(answer),
                    Err(error) => {
                        match reload.try_get_value().flatten() {
                            // The page shows the server's version again at once.
                            Some(reload) => {
                                if is_stale(&error) {
                                    toaster.stale_reloaded();
                                } else {
                                    toaster.error(&error);
                                }
                                reload.run(());
                            }
                            None if is_stale(&error) => {
                                stale.try_set(true);
                                toaster.changed_elsewhere();
                            }
                            None => {
                                problem.try_set(Some(problem_of(&error)));
                                toaster.error(&error);
                            }
                        }
                    }
                }
            }
        });
        Save { action, pending: action.pending(), problem, stale, reload }
    }

    /// For edits made in place (a select in a table row): after any refusal, show the server's
    /// version again at once with `reload` instead of keeping the refused choice on screen.
    pub fn reloading(self, reload: impl Fn() + Send + Sync + 'static) -> Save<I> {
        self.reload.set_value(Some(Callback::new(move |()| reload())));
        self
    }

    /// Run the write, unless one is still running (a double click saves once).
    pub fn dispatch(self, input: I) {
        if self.pending.get_untracked() {
            return;
        }
        self.problem.set(None);
        self.stale.set(false);
        self.action.dispatch_local(input);
    }

    /// True while the write runs; tracks it.
    pub fn busy(self) -> bool {
        self.pending.get()
    }

    /// Refuse the input before sending it (a check the form makes itself), showing `problem` like
    /// the server's.
    pub fn refuse(self, problem: Problem) {
        self.problem.set(Some(problem));
    }

    /// Send `input` unless something is wrong with it: what the form `found` itself (values it
    /// could not read, such as words in a number field or no choice made) and every rule the domain
    /// crate's [`Check`] finds — the same rules the server runs. Every error shows at once, beside
    /// its field; nothing is sent until there are none.
    pub fn submit(self, found: Found, input: I)
    where
        I: Check,
    {
        match found.with_rules_of(&input) {
            None => self.dispatch(input),
            Some(problem) => self.refuse(problem),
        }
    }

    /// [`Save::submit`] for a save whose input carries more than the checked body (the record
    /// being changed, say): `body` is what the domain's rules judge.
    pub fn submit_with(self, found: Found, body: &impl Check, input: I) {
        match found.with_rules_of(body) {
            None => self.dispatch(input),
            Some(problem) => self.refuse(problem),
        }
    }
}

/// What a form finds wrong with what was typed before it builds the input to send: collected, so
/// that every error shows at once with those of [`Save::submit`] (never one round at a time).
#[derive(Default)]
pub struct Found(Vec<FieldError>);

impl Found {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record an error for `field`.
    pub fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Record every error in `errors` (e.g. a list of custom values that could not be read).
    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    /// `Some(value)` when `result` is one; otherwise records `message` for `field`.
    pub fn take<T, E>(&mut self, result: Result<T, E>, field: &str, code: &str, message: &str) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(_) => {
                self.add(field, code, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// The errors as a problem to show, `None` when there are none.
    pub fn problem(self) -> Option<Problem> {
        (!self.0.is_empty()).then(|| Problem::validation(self.0))
    }

    /// The errors found and those the domain's rules find in `input` (one per field: the form's
    /// own finding first), as a problem to show; `None` when the input may be sent.
    pub fn with_rules_of(self, input: &impl Check) -> Option<Problem> {
        let mut errors = self.0;
        merge_errors(&mut errors, input.problems());
        Found(errors).problem()
    }
}

/// Beside a form whose record changed elsewhere after it was loaded: says so, and reloads the
/// record when asked (what was typed stays until then).
#[component]
pub fn StaleNotice(
    stale: RwSignal<bool>,
    /// The record, for the sentence ("team", "lead").
    what: &'static str,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    move || {
        stale.get().then(|| {
            view! {
                <div class="form-alert stale-notice" role="alert" data-testid="stale-notice">
                    <strong>{format!("This {what} was changed elsewhere")}</strong>
                    <span>"Someone saved it after you opened it. Reload to see their version, then make your change again."</span>
                    <div>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            data-testid="stale-reload"
                            on:click=move |_| {
                                stale.set(false);
                                on_reload.run(());
                            }
                        >
                            "Reload"
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// A form's submit button, disabled while its save runs.
#[component]
pub fn SubmitButton<I: Clone + 'static>(
    save: Save<I>,
    id: &'static str,
    label: &'static str,
    /// The text while saving, e.g. "Creating…"; the label when absent.
    #[prop(optional)]
    busy_label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button id=id type="submit" class="btn btn-primary" disabled=move || save.busy()>
            {move || if save.busy() { busy_label.unwrap_or(label) } else { label }}
        </button>
    }
}
