//! The root component: shared state and the route table.

use kith_domain::core::modules::Module;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::api::provide_client;
use crate::auth::Session;
use crate::components::layout::AppLayout;
use crate::components::toast::{Toaster, Toasts};
use crate::pages::core::settings::{Guard, SettingsIndex, SettingsLayout, SettingsRoute};
use crate::pages::core::{dashboard::Dashboard, history::HistoryPage, module::ModulePage, not_found::NotFound};
use crate::pages::customers::{AccountPage, ContactPage, CustomersPage};
use crate::pages::identity::password_reset::{ForgotPassword, ResetPassword};
use crate::pages::identity::{accept_invite::AcceptInvite, login::Login, signup::Signup};
use crate::pages::leads::calls::{work::CallScreenPage, CallListsPage};
use crate::pages::leads::forms::builder::{WebFormNewPage, WebFormPage};
use crate::pages::leads::forms::WebFormListPage;
use crate::pages::leads::{detail::LeadDetailPage, duplicates::DuplicatesPage, import::ImportPage, list::LeadListPage};
use crate::pages::pipeline::{BoardPage, PotentialPage};

/// A record's history comes from the audit trail, which settings readers may read.
#[component]
fn HistoryRoute() -> impl IntoView {
    view! {
        <Guard allowed=|session| session.can_read(Module::Settings)>
            <HistoryPage />
        </Guard>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let client = provide_client();
    let session = Session::provide();
    Toaster::provide(session);
    session.restore(client);

    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signup") view=Signup />
                <Route path=path!("/login") view=Login />
                <Route path=path!("/accept-invite") view=AcceptInvite />
                <Route path=path!("/forgot-password") view=ForgotPassword />
                <Route path=path!("/reset-password") view=ResetPassword />
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("") view=Dashboard />
                    <Route path=path!("m/leads/forms/new") view=WebFormNewPage />
                    <Route path=path!("m/leads/forms/:id") view=WebFormPage />
                    <Route path=path!("m/leads/forms") view=WebFormListPage />
                    <Route path=path!("m/leads/import") view=ImportPage />
                    <Route path=path!("m/leads/calls/:id") view=CallScreenPage />
                    <Route path=path!("m/leads/calls") view=CallListsPage />
                    <Route path=path!("m/leads/duplicates") view=DuplicatesPage />
                    <Route path=path!("m/leads/:id") view=LeadDetailPage />
                    <Route path=path!("m/leads") view=LeadListPage />
                    <Route path=path!("m/pipeline/:id") view=PotentialPage />
                    <Route path=path!("m/pipeline") view=BoardPage />
                    <Route path=path!("m/customers/accounts/:id") view=AccountPage />
                    <Route path=path!("m/customers/contacts/:id") view=ContactPage />
                    <Route path=path!("m/customers") view=CustomersPage />
                    <Route path=path!("catalog/products") view=crate::pages::catalog::products::ProductsPage />
                    <Route path=path!("m/:module") view=ModulePage />
                    <ParentRoute path=path!("settings") view=SettingsLayout>
                        <Route path=path!("") view=SettingsIndex />
                        <Route path=path!("history/:entity/:id") view=HistoryRoute />
                        <Route path=path!(":page") view=SettingsRoute />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
            <Toasts />
        </Router>
    }
}
