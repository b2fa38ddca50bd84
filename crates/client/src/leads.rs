//! Leads and their capture channels: records, saved views, rules and settings, web forms, imports, call lists,
//! inbound email, duplicates and merges.

use super::*;

impl Client {
    // ---- leads ----

    pub async fn list_leads(&self, q: &LeadListQuery) -> Result<Page<LeadView>> {
        self.get("/api/v1/leads", q).await
    }
    /// How many leads `q` selects, up to 1,000 (`more` past that).
    pub async fn count_leads(&self, q: &LeadListQuery) -> Result<LeadCount> {
        self.get("/api/v1/leads/count", q).await
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
    /// A page of the lead's timeline, oldest first.
    pub async fn lead_events_page(&self, id: LeadId, q: &PageQuery) -> Result<Page<LeadEvent>> {
        self.get(&format!("/api/v1/leads/{id}/events"), q).await
    }
    /// The lead's whole timeline, oldest first (every page).
    pub async fn lead_events(&self, id: LeadId) -> Result<Vec<LeadEvent>> {
        let mut q = PageQuery { limit: Some(kith_domain::core::page::MAX_LIMIT), cursor: None };
        let mut events = Vec::new();
        loop {
            let page = self.lead_events_page(id, &q).await?;
            events.extend(page.items);
            match page.next_cursor {
                Some(next) => q.cursor = Some(next),
                None => return Ok(events),
            }
        }
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

    pub async fn web_forms(&self) -> Result<Vec<kith_domain::leads::webforms::WebFormView>> {
        self.get("/api/v1/web-forms", &()).await
    }
    pub async fn create_web_form(
        &self,
        form: &kith_domain::leads::webforms::WebFormInput,
    ) -> Result<kith_domain::leads::webforms::WebFormView> {
        self.post("/api/v1/web-forms", form).await
    }
    pub async fn get_web_form(&self, id: WebFormId) -> Result<kith_domain::leads::webforms::WebFormView> {
        self.get(&format!("/api/v1/web-forms/{id}"), &()).await
    }
    pub async fn update_web_form(
        &self,
        id: WebFormId,
        version: i64,
        form: &kith_domain::leads::webforms::WebFormInput,
    ) -> Result<kith_domain::leads::webforms::WebFormView> {
        self.patch(&format!("/api/v1/web-forms/{id}"), version, form).await
    }
    pub async fn delete_web_form(&self, id: WebFormId) -> Result<()> {
        self.delete(&format!("/api/v1/web-forms/{id}")).await
    }
    pub async fn restore_web_form(&self, id: WebFormId) -> Result<kith_domain::leads::webforms::WebFormView> {
        self.post(&format!("/api/v1/web-forms/{id}/restore"), &()).await
    }
    /// The HTML and script code to paste into a website.
    pub async fn web_form_embed(&self, id: WebFormId) -> Result<kith_domain::leads::webforms::WebFormEmbed> {
        self.get(&format!("/api/v1/web-forms/{id}/embed"), &()).await
    }

    // ---- imports ----

    /// Upload a CSV file's contents as a new import.
    pub async fn upload_import(&self, file_name: &str, csv: String) -> Result<kith_domain::leads::imports::ImportView> {
        self.send(Method::POST, "/api/v1/imports", |r| {
            r.query(&[("file_name", file_name)]).header("content-type", "text/csv").body(csv.clone())
        })
        .await
    }
    pub async fn get_import(&self, id: ImportId) -> Result<kith_domain::leads::imports::ImportView> {
        self.get(&format!("/api/v1/imports/{id}"), &()).await
    }
    pub async fn map_import(
        &self,
        id: ImportId,
        mapping: &kith_domain::leads::imports::ImportMapping,
    ) -> Result<kith_domain::leads::imports::ImportView> {
        self.send(Method::PUT, &format!("/api/v1/imports/{id}/mapping"), |r| r.json(mapping)).await
    }
    /// Start the dry run in the background; follow `check` on the import.
    pub async fn dry_run_import(&self, id: ImportId) -> Result<kith_domain::leads::imports::ImportView> {
        self.post(&format!("/api/v1/imports/{id}/dry-run"), &()).await
    }
    /// What the dry run found so far.
    pub async fn import_check_report(&self, id: ImportId) -> Result<kith_domain::leads::imports::DryRunReport> {
        self.get(&format!("/api/v1/imports/{id}/dry-run"), &()).await
    }
    pub async fn start_import(&self, id: ImportId) -> Result<kith_domain::leads::imports::ImportView> {
        self.post(&format!("/api/v1/imports/{id}/start"), &()).await
    }
    pub async fn import_results_csv(&self, id: ImportId) -> Result<String> {
        self.text(&format!("/api/v1/imports/{id}/results.csv"), |r| r).await
    }

    // ---- call lists ----

    pub async fn call_lists(&self) -> Result<Vec<kith_domain::leads::call_lists::CallListView>> {
        self.get("/api/v1/call-lists", &()).await
    }
    pub async fn create_call_list(&self, name: &str) -> Result<kith_domain::leads::call_lists::CallListView> {
        self.post("/api/v1/call-lists", &kith_domain::leads::call_lists::NewCallList { name: name.into() }).await
    }
    pub async fn get_call_list(&self, id: CallListId) -> Result<kith_domain::leads::call_lists::CallListView> {
        self.get(&format!("/api/v1/call-lists/{id}"), &()).await
    }
    pub async fn add_call_contacts(
        &self,
        id: CallListId,
        csv: String,
    ) -> Result<kith_domain::leads::call_lists::ContactsAdded> {
        self.send(Method::POST, &format!("/api/v1/call-lists/{id}/contacts"), |r| {
            r.header("content-type", "text/csv").body(csv.clone())
        })
        .await
    }
    /// The next contact to call, or None when nothing is due.
    pub async fn next_call(&self, id: CallListId) -> Result<Option<kith_domain::leads::call_lists::CallContactView>> {
        let response = self.send_raw(Method::POST, &format!("/api/v1/call-lists/{id}/next"), |r| r).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        decode(response).await.map(Some)
    }
    pub async fn log_call(
        &self,
        contact: CallContactId,
        call: &kith_domain::leads::call_lists::NewCall,
    ) -> Result<kith_domain::leads::call_lists::CallOutcome> {
        self.post(&format!("/api/v1/call-contacts/{contact}/calls"), call).await
    }

    // ---- inbound email and duplicate leads ----

    /// Where the mail provider posts and whether a secret is set (administrators).
    pub async fn inbound_email_settings(&self) -> Result<kith_domain::leads::inbound::InboundEmailSettings> {
        self.get("/api/v1/inbound/email/settings", &()).await
    }
    /// Make a new inbound secret (shown this once); the previous one stops working.
    pub async fn rotate_inbound_email_secret(&self) -> Result<kith_domain::leads::inbound::InboundEmailSecret> {
        self.post("/api/v1/inbound/email/secret", &()).await
    }
    /// Deliver one raw RFC 5322 message as a mail provider's inbound webhook does, authenticated with
    /// the organization's inbound secret (not this client's session).
    pub async fn deliver_inbound_email(
        &self,
        org_id: OrgId,
        secret: &str,
        raw: Vec<u8>,
    ) -> Result<kith_domain::leads::inbound::InboundOutcome> {
        let response = self
            .http
            .post(self.url(&kith_domain::leads::inbound::ingest_path(org_id)))
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
        q: &kith_domain::leads::merge::DuplicateQuery,
    ) -> Result<kith_domain::leads::merge::DuplicateReport> {
        self.get("/api/v1/leads/duplicates", q).await
    }
    /// Merge one lead into another; undo within 30 days with the returned merge id.
    pub async fn merge_leads(
        &self,
        merge: &kith_domain::leads::merge::LeadMerge,
    ) -> Result<kith_domain::leads::merge::LeadMergeResult> {
        self.post("/api/v1/leads/merge", merge).await
    }
    pub async fn undo_lead_merge(&self, id: LeadMergeId) -> Result<kith_domain::leads::merge::LeadMergeUndone> {
        self.post(&format!("/api/v1/leads/merges/{id}/undo"), &()).await
    }

    // ---- attachments ----

    /// Attach a file to a lead: its name (the extension and the bytes must agree) and its bytes.
    pub async fn upload_lead_attachment(
        &self,
        lead: LeadId,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<kith_domain::core::attachments::AttachmentView> {
        self.send(Method::POST, &format!("/api/v1/leads/{lead}/attachments"), |r| {
            r.query(&[("name", name)]).header("content-type", "application/octet-stream").body(bytes.clone())
        })
        .await
    }
    pub async fn lead_attachments(
        &self,
        lead: LeadId,
        q: &PageQuery,
    ) -> Result<Page<kith_domain::core::attachments::AttachmentView>> {
        self.get(&format!("/api/v1/leads/{lead}/attachments"), q).await
    }
}
