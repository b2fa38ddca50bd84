//! kith-web: Kith's browser SPA. Client-side rendered with Leptos; every API call goes through
//! `kith-client`, so the SPA and the server share one set of wire types.

mod api;
mod app;
mod auth;
mod browser;
mod components;
mod data;
mod format;
mod pages;
mod people;
mod registry;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
