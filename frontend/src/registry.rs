//! What each business context adds to the shell, read by shared code that never names a context's
//! pages itself: its settings pages (the settings navigation, the access guard and the routes are
//! built from this list) and its kinds of record (how the recycle bin and the audit trail name a
//! record and where they link to it). A new module adds its `SETTINGS` and `KINDS` to the lists below.

use leptos::prelude::*;

use crate::auth::Session;
use crate::pages;

/// A page under `/settings/<slug>`.
pub struct SettingsPage {
    /// The page's address below `/settings/`, e.g. `users`.
    pub slug: &'static str,
    /// Its name in the settings navigation.
    pub label: &'static str,
    /// Whether the signed-in person may open the page (and see it in the navigation); tracks the
    /// session. The API checks every call again: this only spares people pages of refusals.
    pub access: fn(Session) -> bool,
    pub view: fn() -> AnyView,
}

/// A kind of record the API names by its entity name (`web_form`).
pub struct RecordKind {
    pub entity: &'static str,
    /// The kind for people: "Web form".
    pub label: &'static str,
    /// Where one record of this kind is shown, if it has a page.
    pub href: Option<fn(&str) -> String>,
}

/// Every context's settings pages, in navigation order.
pub fn settings_pages() -> impl Iterator<Item = &'static SettingsPage> {
    [
        pages::identity::SETTINGS,
        pages::core::SETTINGS,
        pages::leads::SETTINGS,
        pages::marketing::SETTINGS,
        pages::pipeline::SETTINGS,
        pages::customers::SETTINGS,
        pages::catalog::SETTINGS,
    ]
    .into_iter()
    .flatten()
}

/// The settings page at `/settings/<slug>`.
pub fn settings_page(slug: &str) -> Option<&'static SettingsPage> {
    settings_pages().find(|page| page.slug == slug)
}

/// The first settings page the signed-in person may open; tracks the session.
pub fn first_settings_page(session: Session) -> Option<&'static SettingsPage> {
    settings_pages().find(|page| (page.access)(session))
}

/// Every kind a context registered, in registration order.
pub fn kinds() -> impl Iterator<Item = &'static RecordKind> {
    [
        pages::identity::KINDS,
        pages::core::KINDS,
        pages::leads::KINDS,
        pages::marketing::KINDS,
        pages::pipeline::KINDS,
        pages::customers::KINDS,
        pages::catalog::KINDS,
    ]
    .into_iter()
    .flatten()
}

/// The kind registered under `entity`, if a context registered it.
pub fn kind(entity: &str) -> Option<&'static RecordKind> {
    kinds().find(|kind| kind.entity == entity)
}

/// Where the record is shown, if its kind has a page.
pub fn record_href(entity: &str, id: &str) -> Option<String> {
    kind(entity).and_then(|kind| kind.href).map(|href| href(id))
}
