//! kith-client: a typed async client for the Kith REST API.
//!
//! The SPA (wasm), the integration tests and Rust integrators all talk to Kith through this crate,
//! so a changed field in a domain type breaks their build instead of their users.
//!
//! Tokens: the client keeps the access token and, on a `401`, refreshes once and retries. Natively it
//! also keeps the refresh token; in the browser the refresh token lives only in an http-only cookie
//! that JavaScript (and so an XSS payload) cannot read.

mod attachments;

use std::sync::{Arc, Mutex};

use kith_domain::audit::{AuditEntry, AuditQuery};
use kith_domain::auth::*;
use kith_domain::identity::*;
use kith_domain::leads::*;
use kith_domain::notifications::{MailSettings as NotificationMailSettings, NotificationQuery, NotificationView};
use kith_domain::page::{Page, PageQuery};
use kith_domain::recycle::RecycleBinItem;
use kith_domain::rules::{AssignmentRule, AssignmentRuleInput, ScoringRule, ScoringRuleInput};
use kith_domain::*;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The API answered with a problem document.
    #[error("{0}")]
    Problem(Problem),
    #[error("network error: {0}")]
    Network(String),
    #[error("unexpected response ({status}): {message}")]
    Unexpected { status: u16, message: String },
}

impl ClientError {
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem(p) => Some(p),
            _ => None,
        }
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Problem(p) => Some(p.status),
            ClientError::Unexpected { status, .. } => Some(*status),
            ClientError::Network(_) => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ClientError>;

#[derive(Default)]
struct Tokens {
    access: Option<String>,
    refresh: Option<String>,
}

/// A connection to one Kith server. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    tokens: Arc<Mutex<Tokens>>,
    /// Keep the refresh token in memory (native). In the browser the cookie carries it.
    keep_refresh_token: bool,
}

impl Client {
    /// `base` is the server root, e.g. `http://127.0.0.1:8080` (in the browser: the page's origin).
    pub fn new(base: impl Into<String>) -> Client {
        let base = base.into().trim_end_matches('/').to_owned();
        Client {
            http: reqwest::Client::new(),
            base,
            tokens: Arc::new(Mutex::new(Tokens::default())),
            keep_refresh_token: !cfg!(target_arch = "wasm32"),
        }
    }

    /// A client that authenticates with an API key instead of a user session.
    pub fn with_api_key(base: impl Into<String>, secret: impl Into<String>) -> Client {
        let client = Client::new(base);
        client.set_access_token(Some(secret.into()));
        client
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn access_token(&self) -> Option<String> {
        self.tokens.lock().ok().and_then(|t| t.access.clone())
    }

    pub fn set_access_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.tokens.lock() {
            t.access = token;
        }
    }

    pub fn refresh_token(&self) -> Option<String> {
        self.tokens.lock().ok().and_then(|t| t.refresh.clone())
    }

    fn store(&self, tokens: &TokenResponse) {
        if let Ok(mut t) = self.tokens.lock() {
            t.access = Some(tokens.access_token.clone());
            if self.keep_refresh_token {
                t.refresh = Some(tokens.refresh_token.clone());
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut t) = self.tokens.lock() {
            *t = Tokens::default();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with the access token attached; for calls this crate does not wrap yet.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = self.access_token() {
            req = req.bearer_auth(token);
        }
        req
    }

    /// Send a request with the access token; on a `401` refresh once and send it again. Every call
    /// of this crate goes through here, so no screen fails when its access token expires.
    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<reqwest::Response> {
        let first = build(self.request(method.clone(), path)).send().await;
        match first {
            Ok(r) if r.status() == StatusCode::UNAUTHORIZED && self.can_refresh() => {
                if self.refresh().await.is_ok() {
                    build(self.request(method, path)).send().await
                } else {
                    Ok(r)
                }
            }
            other => other,
        }
        .map_err(|e| ClientError::Network(e.to_string()))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T> {
        decode(self.send_raw(method, path, build).await?).await
    }

    /// A text body (CSV), or the problem the server answered.
    async fn text(&self, path: &str, build: impl Fn(RequestBuilder) -> RequestBuilder) -> Result<String> {
        let response = self.send_raw(Method::GET, path, build).await?;
        if !response.status().is_success() {
            return decode::<String>(response).await;
        }
        response.text().await.map_err(|e| ClientError::Network(e.to_string()))
    }

    fn can_refresh(&self) -> bool {
        // API keys and anonymous clients have nothing to refresh; a browser session always may try.
        !self.keep_refresh_token || self.refresh_token().is_some()
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &impl Serialize) -> Result<T> {
        self.send(Method::GET, path, |r| r.query(query)).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        self.send(Method::POST, path, |r| r.json(body)).await
    }

    async fn patch<B: Serialize, T: DeserializeOwned>(&self, path: &str, version: i64, body: &B) -> Result<T> {
        let etag = format!("\"{version}\"");
        self.send(Method::PATCH, path, |r| r.header("If-Match", etag.as_str()).json(body)).await
    }

    async fn delete(&self, path: &str) -> Result<()> {
        self.send::<serde_json::Value>(Method::DELETE, path, |r| r).await.map(|_| ())
    }

    // ---- authentication ----

    pub async fn signup(&self, req: &SignupRequest) -> Result<TokenResponse> {
        let tokens: TokenResponse = self.post("/api/v1/auth/signup", req).await?;
        self.store(&tokens);
        Ok(tokens)
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse> {
        let req = LoginRequest { email: email.to_owned(), password: password.to_owned() };
        let response = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&req)
            .send()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        let tokens: TokenResponse = decode(response).await?;
        self.store(&tokens);
        Ok(tokens)
    }

    /// Trade the refresh token (or, in the browser, the refresh cookie) for a new pair.
    pub async fn refresh(&self) -> Result<TokenResponse> {
        let req = RefreshRequest { refresh_token: self.refresh_token() };
        let response = self
            .http
            .post(self.url("/api/v1/auth/refresh"))
            .json(&req)
            .send()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        match decode::<TokenResponse>(response).await {
            Ok(tokens) => {
                self.store(&tokens);
                Ok(tokens)
            }
            Err(e) => {
                self.clear();
                Err(e)
            }
        }
    }

    pub async fn logout(&self) -> Result<()> {
        let req = RefreshRequest { refresh_token: self.refresh_token() };
        let result = self.post::<_, serde_json::Value>("/api/v1/auth/logout", &req).await;
        self.clear();
        result.map(|_| ())
    }

    pub async fn me(&self) -> Result<Me> {
        self.get("/api/v1/me", &()).await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Result<()> {
        let req = ChangePasswordRequest { current_password: current.into(), new_password: new.into() };
        self.post::<_, serde_json::Value>("/api/v1/me/password", &req).await?;
        self.clear();
        Ok(())
    }

    pub async fn accept_invite(&self, req: &AcceptInviteRequest) -> Result<TokenResponse> {
        let tokens: TokenResponse = self.post("/api/v1/auth/accept-invite", req).await?;
        self.store(&tokens);
        Ok(tokens)
    }

    // ---- users ----

    pub async fn list_people(&self, q: &PageQuery) -> Result<Page<PersonView>> {
        self.get("/api/v1/people", q).await
    }
    pub async fn list_users(&self, q: &UserListQuery) -> Result<Page<UserView>> {
        self.get("/api/v1/users", q).await
    }
    pub async fn get_user(&self, id: UserId) -> Result<UserView> {
        self.get(&format!("/api/v1/users/{id}"), &()).await
    }
    pub async fn update_user(&self, id: UserId, version: i64, patch: &UserPatch) -> Result<UserView> {
        self.patch(&format!("/api/v1/users/{id}"), version, patch).await
    }

    // ---- teams ----

    pub async fn list_teams(&self, q: &TeamListQuery) -> Result<Page<TeamView>> {
        self.get("/api/v1/teams", q).await
    }
    pub async fn create_team(&self, team: &NewTeam) -> Result<TeamView> {
        self.post("/api/v1/teams", team).await
    }
    pub async fn get_team(&self, id: TeamId) -> Result<TeamView> {
        self.get(&format!("/api/v1/teams/{id}"), &()).await
    }
    pub async fn update_team(&self, id: TeamId, version: i64, patch: &TeamPatch) -> Result<TeamView> {
        self.patch(&format!("/api/v1/teams/{id}"), version, patch).await
    }
    pub async fn delete_team(&self, id: TeamId) -> Result<()> {
        self.delete(&format!("/api/v1/teams/{id}")).await
    }
    /// Restore any item of the recycle bin through its kind's restore operation,
    /// `POST /api/v1/{kind}s/{id}/restore` (every kind that goes to the bin has one; a test checks it).
    pub async fn restore_from_bin(&self, item: &RecycleBinItem) -> Result<()> {
        let path = format!("/api/v1/{}s/{}/restore", item.entity.replace('_', "-"), item.entity_id);
        self.post::<_, serde_json::Value>(&path, &()).await.map(|_| ())
    }
    pub async fn restore_team(&self, id: TeamId) -> Result<TeamView> {
        self.post(&format!("/api/v1/teams/{id}/restore"), &()).await
    }

    // ---- roles ----

    pub async fn list_roles(&self, q: &PageQuery) -> Result<Page<RoleView>> {
        self.get("/api/v1/roles", q).await
    }
    pub async fn create_role(&self, role: &NewRole) -> Result<RoleView> {
        self.post("/api/v1/roles", role).await
    }
    pub async fn update_role(&self, id: RoleId, version: i64, patch: &RolePatch) -> Result<RoleView> {
        self.patch(&format!("/api/v1/roles/{id}"), version, patch).await
    }

    // ---- API keys ----

    pub async fn list_api_keys(&self, q: &PageQuery) -> Result<Page<ApiKeyView>> {
        self.get("/api/v1/api-keys", q).await
    }
    pub async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey> {
        self.post("/api/v1/api-keys", key).await
    }
    pub async fn revoke_api_key(&self, id: ApiKeyId) -> Result<()> {
        self.delete(&format!("/api/v1/api-keys/{id}")).await
    }

    // ---- invitations ----

    pub async fn list_invites(&self, q: &PageQuery) -> Result<Page<InviteView>> {
        self.get("/api/v1/invites", q).await
    }
    pub async fn create_invite(&self, invite: &NewInvite) -> Result<CreatedInvite> {
        self.post("/api/v1/invites", invite).await
    }
    pub async fn revoke_invite(&self, id: InviteId) -> Result<()> {
        self.delete(&format!("/api/v1/invites/{id}")).await
    }

    // ---- leads ----

    pub async fn list_leads(&self, q: &LeadListQuery) -> Result<Page<LeadView>> {
        self.get("/api/v1/leads", q).await
    }
    /// Create a lead. When the duplicate rule finds an existing lead, the capture is attached to it
    /// and that lead comes back (HTTP 200 instead of 201).
    pub async fn create_lead(&self, lead: &NewLead) -> Result<LeadView> {
        self.post("/api/v1/leads", lead).await
    }
    pub async fn get_lead(&self, id: LeadId) -> Result<LeadDetail> {
        self.get(&format!("/api/v1/leads/{id}"), &()).await
    }
    pub async fn update_lead(&self, id: LeadId, version: i64, patch: &LeadPatch) -> Result<LeadView> {
        self.patch(&format!("/api/v1/leads/{id}"), version, patch).await
    }
    pub async fn delete_lead(&self, id: LeadId) -> Result<()> {
        self.delete(&format!("/api/v1/leads/{id}")).await
    }
    pub async fn restore_lead(&self, id: LeadId) -> Result<LeadView> {
        self.post(&format!("/api/v1/leads/{id}/restore"), &()).await
    }
    pub async fn lead_events(&self, id: LeadId) -> Result<Vec<LeadEvent>> {
        self.get(&format!("/api/v1/leads/{id}/events"), &()).await
    }
    /// The caller's saved lead views and the organization's shared ones, by name.
    pub async fn lead_views(&self) -> Result<Vec<LeadViewRecord>> {
        self.get("/api/v1/lead-views", &()).await
    }
    pub async fn create_lead_view(&self, view: &LeadViewInput) -> Result<LeadViewRecord> {
        self.post("/api/v1/lead-views", view).await
    }
    pub async fn update_lead_view(&self, id: LeadViewId, version: i64, view: &LeadViewInput) -> Result<LeadViewRecord> {
        self.patch(&format!("/api/v1/lead-views/{id}"), version, view).await
    }
    pub async fn delete_lead_view(&self, id: LeadViewId) -> Result<()> {
        self.delete(&format!("/api/v1/lead-views/{id}")).await
    }
    pub async fn lead_emails(&self, id: LeadId, q: &PageQuery) -> Result<Page<LeadEmailView>> {
        self.get(&format!("/api/v1/leads/{id}/emails"), q).await
    }
    pub async fn add_lead_activity(&self, id: LeadId, activity: &NewLeadActivity) -> Result<LeadDetail> {
        self.post(&format!("/api/v1/leads/{id}/activities"), activity).await
    }
    pub async fn bulk_update_leads(&self, bulk: &BulkLeadUpdate) -> Result<BulkResult> {
        self.post("/api/v1/leads/bulk", bulk).await
    }
    /// The CSV export of the leads a list query selects.
    pub async fn export_leads_csv(&self, q: &LeadListQuery) -> Result<String> {
        self.text("/api/v1/leads/export.csv", |r| r.query(q)).await
    }

    pub async fn lead_settings(&self) -> Result<LeadSettings> {
        self.get("/api/v1/lead-settings", &()).await
    }
    pub async fn put_lead_settings(&self, settings: &LeadSettings) -> Result<LeadSettings> {
        self.send(Method::PUT, "/api/v1/lead-settings", |r| r.json(settings)).await
    }

    pub async fn scoring_rules(&self) -> Result<Vec<ScoringRule>> {
        self.get("/api/v1/scoring-rules", &()).await
    }
    pub async fn create_scoring_rule(&self, rule: &ScoringRuleInput) -> Result<ScoringRule> {
        self.post("/api/v1/scoring-rules", rule).await
    }
    pub async fn update_scoring_rule(
        &self,
        id: ScoringRuleId,
        version: i64,
        rule: &ScoringRuleInput,
    ) -> Result<ScoringRule> {
        self.patch(&format!("/api/v1/scoring-rules/{id}"), version, rule).await
    }
    pub async fn delete_scoring_rule(&self, id: ScoringRuleId) -> Result<()> {
        self.delete(&format!("/api/v1/scoring-rules/{id}")).await
    }

    pub async fn custom_fields(&self) -> Result<Vec<kith_domain::custom_fields::CustomFieldView>> {
        self.get("/api/v1/custom-fields", &()).await
    }
    pub async fn create_custom_field(
        &self,
        field: &kith_domain::custom_fields::CustomFieldInput,
    ) -> Result<kith_domain::custom_fields::CustomFieldView> {
        self.post("/api/v1/custom-fields", field).await
    }
    pub async fn update_custom_field(
        &self,
        id: CustomFieldId,
        version: i64,
        patch: &kith_domain::custom_fields::CustomFieldPatch,
    ) -> Result<kith_domain::custom_fields::CustomFieldView> {
        self.patch(&format!("/api/v1/custom-fields/{id}"), version, patch).await
    }
    pub async fn delete_custom_field(&self, id: CustomFieldId) -> Result<()> {
        self.delete(&format!("/api/v1/custom-fields/{id}")).await
    }

    pub async fn assignment_rules(&self) -> Result<Vec<AssignmentRule>> {
        self.get("/api/v1/assignment-rules", &()).await
    }
    pub async fn create_assignment_rule(&self, rule: &AssignmentRuleInput) -> Result<AssignmentRule> {
        self.post("/api/v1/assignment-rules", rule).await
    }
    pub async fn update_assignment_rule(
        &self,
        id: AssignmentRuleId,
        version: i64,
        rule: &AssignmentRuleInput,
    ) -> Result<AssignmentRule> {
        self.patch(&format!("/api/v1/assignment-rules/{id}"), version, rule).await
    }
    pub async fn delete_assignment_rule(&self, id: AssignmentRuleId) -> Result<()> {
        self.delete(&format!("/api/v1/assignment-rules/{id}")).await
    }

    // ---- web forms ----

    pub async fn web_forms(&self) -> Result<Vec<kith_domain::webforms::WebFormView>> {
        self.get("/api/v1/web-forms", &()).await
    }
    pub async fn create_web_form(
        &self,
        form: &kith_domain::webforms::WebFormInput,
    ) -> Result<kith_domain::webforms::WebFormView> {
        self.post("/api/v1/web-forms", form).await
    }
    pub async fn get_web_form(&self, id: WebFormId) -> Result<kith_domain::webforms::WebFormView> {
        self.get(&format!("/api/v1/web-forms/{id}"), &()).await
    }
    pub async fn update_web_form(
        &self,
        id: WebFormId,
        version: i64,
        form: &kith_domain::webforms::WebFormInput,
    ) -> Result<kith_domain::webforms::WebFormView> {
        self.patch(&format!("/api/v1/web-forms/{id}"), version, form).await
    }
    pub async fn delete_web_form(&self, id: WebFormId) -> Result<()> {
        self.delete(&format!("/api/v1/web-forms/{id}")).await
    }
    pub async fn restore_web_form(&self, id: WebFormId) -> Result<kith_domain::webforms::WebFormView> {
        self.post(&format!("/api/v1/web-forms/{id}/restore"), &()).await
    }
    /// The HTML and script code to paste into a website.
    pub async fn web_form_embed(&self, id: WebFormId) -> Result<kith_domain::webforms::WebFormEmbed> {
        self.get(&format!("/api/v1/web-forms/{id}/embed"), &()).await
    }

    // ---- sequences ----

    pub async fn sequences(&self) -> Result<Vec<kith_domain::sequences::SequenceView>> {
        self.get("/api/v1/sequences", &()).await
    }
    pub async fn create_sequence(
        &self,
        s: &kith_domain::sequences::SequenceInput,
    ) -> Result<kith_domain::sequences::SequenceView> {
        self.post("/api/v1/sequences", s).await
    }
    pub async fn update_sequence(
        &self,
        id: SequenceId,
        version: i64,
        s: &kith_domain::sequences::SequenceInput,
    ) -> Result<kith_domain::sequences::SequenceView> {
        self.patch(&format!("/api/v1/sequences/{id}"), version, s).await
    }
    pub async fn delete_sequence(&self, id: SequenceId) -> Result<()> {
        self.delete(&format!("/api/v1/sequences/{id}")).await
    }
    pub async fn restore_sequence(&self, id: SequenceId) -> Result<kith_domain::sequences::SequenceView> {
        self.post(&format!("/api/v1/sequences/{id}/restore"), &()).await
    }
    pub async fn enroll_lead(
        &self,
        lead: LeadId,
        sequence_id: SequenceId,
    ) -> Result<kith_domain::sequences::EnrollmentView> {
        self.post(&format!("/api/v1/leads/{lead}/enrollments"), &kith_domain::sequences::NewEnrollment { sequence_id })
            .await
    }
    pub async fn lead_enrollments(&self, lead: LeadId) -> Result<Vec<kith_domain::sequences::EnrollmentView>> {
        self.get(&format!("/api/v1/leads/{lead}/enrollments"), &()).await
    }
    pub async fn stop_enrollment(&self, id: EnrollmentId) -> Result<kith_domain::sequences::EnrollmentView> {
        self.post(&format!("/api/v1/enrollments/{id}/stop"), &()).await
    }

    // ---- imports ----

    /// Upload a CSV file's contents as a new import.
    pub async fn upload_import(&self, file_name: &str, csv: String) -> Result<kith_domain::imports::ImportView> {
        self.send(Method::POST, "/api/v1/imports", |r| {
            r.query(&[("file_name", file_name)]).header("content-type", "text/csv").body(csv.clone())
        })
        .await
    }
    pub async fn get_import(&self, id: ImportId) -> Result<kith_domain::imports::ImportView> {
        self.get(&format!("/api/v1/imports/{id}"), &()).await
    }
    pub async fn map_import(
        &self,
        id: ImportId,
        mapping: &kith_domain::imports::ImportMapping,
    ) -> Result<kith_domain::imports::ImportView> {
        self.send(Method::PUT, &format!("/api/v1/imports/{id}/mapping"), |r| r.json(mapping)).await
    }
    /// Start the dry run in the background; follow `check` on the import.
    pub async fn dry_run_import(&self, id: ImportId) -> Result<kith_domain::imports::ImportView> {
        self.post(&format!("/api/v1/imports/{id}/dry-run"), &()).await
    }
    /// What the dry run found so far.
    pub async fn import_check_report(&self, id: ImportId) -> Result<kith_domain::imports::DryRunReport> {
        self.get(&format!("/api/v1/imports/{id}/dry-run"), &()).await
    }
    pub async fn start_import(&self, id: ImportId) -> Result<kith_domain::imports::ImportView> {
        self.post(&format!("/api/v1/imports/{id}/start"), &()).await
    }
    pub async fn import_results_csv(&self, id: ImportId) -> Result<String> {
        self.text(&format!("/api/v1/imports/{id}/results.csv"), |r| r).await
    }

    // ---- call lists ----

    pub async fn call_lists(&self) -> Result<Vec<kith_domain::call_lists::CallListView>> {
        self.get("/api/v1/call-lists", &()).await
    }
    pub async fn create_call_list(&self, name: &str) -> Result<kith_domain::call_lists::CallListView> {
        self.post("/api/v1/call-lists", &kith_domain::call_lists::NewCallList { name: name.into() }).await
    }
    pub async fn get_call_list(&self, id: CallListId) -> Result<kith_domain::call_lists::CallListView> {
        self.get(&format!("/api/v1/call-lists/{id}"), &()).await
    }
    pub async fn add_call_contacts(
        &self,
        id: CallListId,
        csv: String,
    ) -> Result<kith_domain::call_lists::ContactsAdded> {
        self.send(Method::POST, &format!("/api/v1/call-lists/{id}/contacts"), |r| {
            r.header("content-type", "text/csv").body(csv.clone())
        })
        .await
    }
    /// The next contact to call, or None when nothing is due.
    pub async fn next_call(&self, id: CallListId) -> Result<Option<kith_domain::call_lists::CallContactView>> {
        let response = self.send_raw(Method::POST, &format!("/api/v1/call-lists/{id}/next"), |r| r).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        decode(response).await.map(Some)
    }
    pub async fn log_call(
        &self,
        contact: CallContactId,
        call: &kith_domain::call_lists::NewCall,
    ) -> Result<kith_domain::call_lists::CallOutcome> {
        self.post(&format!("/api/v1/call-contacts/{contact}/calls"), call).await
    }

    // ---- mail settings ----

    pub async fn mail_settings(&self) -> Result<NotificationMailSettings> {
        self.get("/api/v1/mail-settings", &()).await
    }
    pub async fn put_mail_settings(&self, settings: &NotificationMailSettings) -> Result<NotificationMailSettings> {
        self.send(Method::PUT, "/api/v1/mail-settings", |r| r.json(settings)).await
    }
    /// The organization's own SMTP server; `NotFound` when it uses the installation's.
    pub async fn mail_server(&self) -> Result<kith_domain::notifications::MailServerView> {
        self.get("/api/v1/mail-settings/server", &()).await
    }
    pub async fn put_mail_server(
        &self,
        server: &kith_domain::notifications::MailServerInput,
    ) -> Result<kith_domain::notifications::MailServerView> {
        self.send(Method::PUT, "/api/v1/mail-settings/server", |r| r.json(server)).await
    }
    pub async fn delete_mail_server(&self) -> Result<()> {
        self.delete("/api/v1/mail-settings/server").await
    }
    pub async fn send_test_email(&self, to: &str) -> Result<kith_domain::notifications::TestEmailResult> {
        self.post("/api/v1/mail-settings/test", &kith_domain::notifications::TestEmailRequest { to: to.to_owned() })
            .await
    }

    // ---- notifications ----

    pub async fn notifications(&self, q: &NotificationQuery) -> Result<Page<NotificationView>> {
        self.get("/api/v1/notifications", q).await
    }
    pub async fn mark_notification_read(&self, id: NotificationId) -> Result<()> {
        self.send::<serde_json::Value>(Method::POST, &format!("/api/v1/notifications/{id}/read"), |r| r)
            .await
            .map(|_| ())
    }

    // ---- audit and recycle bin ----

    pub async fn audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>> {
        self.get("/api/v1/audit", q).await
    }
    pub async fn recycle_bin(&self, q: &PageQuery) -> Result<Page<RecycleBinItem>> {
        self.get("/api/v1/recycle-bin", q).await
    }
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    let bytes = response.bytes().await.map_err(|e| ClientError::Network(e.to_string()))?;
    if status.is_success() {
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        return serde_json::from_slice(body)
            .map_err(|e| ClientError::Unexpected { status: status.as_u16(), message: e.to_string() });
    }
    if is_problem {
        if let Ok(problem) = serde_json::from_slice::<Problem>(&bytes) {
            return Err(ClientError::Problem(problem));
        }
    }
    Err(ClientError::Unexpected {
        status: status.as_u16(),
        message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
    })
}

// ---- inbound email and duplicate leads ----

impl Client {
    /// Where the mail provider posts and whether a secret is set (administrators).
    pub async fn inbound_email_settings(&self) -> Result<kith_domain::inbound::InboundEmailSettings> {
        self.get("/api/v1/inbound/email/settings", &()).await
    }
    /// Make a new inbound secret (shown this once); the previous one stops working.
    pub async fn rotate_inbound_email_secret(&self) -> Result<kith_domain::inbound::InboundEmailSecret> {
        self.post("/api/v1/inbound/email/secret", &()).await
    }
    /// Deliver one raw RFC 5322 message as a mail provider's inbound webhook does, authenticated with
    /// the organization's inbound secret (not this client's session).
    pub async fn deliver_inbound_email(
        &self,
        org_id: OrgId,
        secret: &str,
        raw: Vec<u8>,
    ) -> Result<kith_domain::inbound::InboundOutcome> {
        let response = self
            .http
            .post(self.url(&kith_domain::inbound::ingest_path(org_id)))
            .bearer_auth(secret)
            .header(reqwest::header::CONTENT_TYPE, "message/rfc822")
            .body(raw)
            .send()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        decode(response).await
    }

    /// Likely duplicate pairs among the leads this user can see, most certain first.
    pub async fn lead_duplicates(
        &self,
        q: &kith_domain::lead_merge::DuplicateQuery,
    ) -> Result<kith_domain::lead_merge::DuplicateReport> {
        self.get("/api/v1/leads/duplicates", q).await
    }
    /// Merge one lead into another; undo within 30 days with the returned merge id.
    pub async fn merge_leads(
        &self,
        merge: &kith_domain::lead_merge::LeadMerge,
    ) -> Result<kith_domain::lead_merge::LeadMergeResult> {
        self.post("/api/v1/leads/merge", merge).await
    }
    pub async fn undo_lead_merge(&self, id: LeadMergeId) -> Result<kith_domain::lead_merge::LeadMergeUndone> {
        self.post(&format!("/api/v1/leads/merges/{id}/undo"), &()).await
    }
}
