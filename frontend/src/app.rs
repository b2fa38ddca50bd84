//! The root component: shared state and the route table.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::api::provide_client;
use crate::auth::Session;
use crate::components::layout::AppLayout;
use crate::components::toast::{Toaster, Toasts};
use crate::pages::leads::calls::{work::CallScreenPage, CallListsPage};
use crate::pages::leads::forms::builder::{WebFormNewPage, WebFormPage};
use crate::pages::leads::forms::WebFormListPage;
use crate::pages::leads::{detail::LeadDetailPage, duplicates::DuplicatesPage, import::ImportPage, list::LeadListPage};
use crate::pages::settings::{
    api_keys::ApiKeysPage, audit::AuditPage, custom_fields::CustomFieldsPage, email::EmailSettingsPage,
    history::HistoryPage, inbound_email::InboundEmailPage, lead_assignment::LeadAssignmentPage,
    lead_scoring::LeadScoringPage, lead_settings::LeadSettingsPage, roles::RolesPage, sequences::SequencesPage,
    teams::TeamsPage, users::UsersPage, SettingsIndex, SettingsLayout,
};
use crate::pages::{
    accept_invite::AcceptInvite, dashboard::Dashboard, login::Login, module::ModulePage, not_found::NotFound,
    signup::Signup,
};

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
                    <Route path=path!("m/:module") view=ModulePage />
                    <ParentRoute path=path!("settings") view=SettingsLayout>
                        <Route path=path!("") view=SettingsIndex />
                        <Route path=path!("users") view=UsersPage />
                        <Route path=path!("teams") view=TeamsPage />
                        <Route path=path!("roles") view=RolesPage />
                        <Route path=path!("api-keys") view=ApiKeysPage />
                        <Route path=path!("audit") view=AuditPage />
                        <Route path=path!("lead-scoring") view=LeadScoringPage />
                        <Route path=path!("lead-assignment") view=LeadAssignmentPage />
                        <Route path=path!("leads") view=LeadSettingsPage />
                        <Route path=path!("custom-fields") view=CustomFieldsPage />
                        <Route path=path!("sequences") view=SequencesPage />
                        <Route path=path!("email") view=EmailSettingsPage />
                        <Route path=path!("inbound-email") view=InboundEmailPage />
                        <Route path=path!("history/:entity/:id") view=HistoryPage />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
            <Toasts />
        </Router>
    }
}
