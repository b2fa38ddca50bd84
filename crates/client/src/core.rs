//! Shared: attachments, custom fields, the recycle bin, the organization's email settings, notifications and the audit trail.

use kith_domain::core::attachments::AttachmentView;
use kith_domain::core::search::{SearchQuery, SearchResults};

use super::*;

/// The collection a kind's records live in: `lead` → `leads`, `activity` → `activities`.
pub fn plural(kind: &str) -> String {
    match kind.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{kind}s"),
    }
}

impl Client {
    // ---- activities, My day and the calendar feed ----

    /// Log an activity on a record (named in the input).
    pub async fn create_activity(
        &self,
        new: &kith_domain::core::activities::NewActivity,
    ) -> Result<kith_domain::core::activities::ActivityView> {
        self.post("/api/v1/activities", new).await
    }
    /// A record's activities (with its linked records'), newest first.
    pub async fn list_activities(
        &self,
        q: &kith_domain::core::activities::ActivityQuery,
    ) -> Result<Page<kith_domain::core::activities::ActivityView>> {
        self.get("/api/v1/activities", q).await
    }
    pub async fn get_activity(&self, id: ActivityId) -> Result<kith_domain::core::activities::ActivityView> {
        self.get(&format!("/api/v1/activities/{id}"), &()).await
    }
    pub async fn update_activity(
        &self,
        id: ActivityId,
        version: i64,
        patch: &kith_domain::core::activities::ActivityPatch,
    ) -> Result<kith_domain::core::activities::ActivityView> {
        self.patch(&format!("/api/v1/activities/{id}"), version, patch).await
    }
    pub async fn delete_activity(&self, id: ActivityId) -> Result<()> {
        self.delete(&format!("/api/v1/activities/{id}")).await
    }
    pub async fn restore_activity(&self, id: ActivityId) -> Result<kith_domain::core::activities::ActivityView> {
        self.post(&format!("/api/v1/activities/{id}/restore"), &()).await
    }
    /// A meeting, event or task as iCalendar text.
    pub async fn activity_ics(&self, id: ActivityId) -> Result<String> {
        let response = self.send_raw(Method::GET, &format!("/api/v1/activities/{id}/ics"), |r| r).await?;
        if !response.status().is_success() {
            return decode::<String>(response).await;
        }
        response.text().await.map_err(|e| ClientError::Network(e.to_string()))
    }
    /// The signed-in user's day, `utc_offset_minutes` east of UTC.
    pub async fn my_day(&self, utc_offset_minutes: i32) -> Result<kith_domain::core::activities::MyDay> {
        let q = kith_domain::core::activities::MyDayQuery { utc_offset_minutes: Some(utc_offset_minutes) };
        self.get("/api/v1/my-day", &q).await
    }
    pub async fn calendar_feed(&self) -> Result<kith_domain::core::activities::CalendarFeedStatus> {
        self.get("/api/v1/me/calendar-feed", &()).await
    }
    /// A new feed address (the old one stops working).
    pub async fn create_calendar_feed(&self) -> Result<kith_domain::core::activities::CalendarFeed> {
        self.post("/api/v1/me/calendar-feed", &()).await
    }
    pub async fn revoke_calendar_feed(&self) -> Result<()> {
        self.delete("/api/v1/me/calendar-feed").await
    }

    // ---- custom fields and the recycle bin ----

    /// Restore any item of the recycle bin through its kind's restore operation,
    /// `POST /api/v1/{kind}s/{id}/restore` (every kind that goes to the bin has one; a test checks it).
    pub async fn restore_from_bin(&self, item: &RecycleBinItem) -> Result<()> {
        let path = format!("/api/v1/{}/{}/restore", plural(&item.entity.replace('_', "-")), item.entity_id);
        self.post::<_, serde_json::Value>(&path, &()).await.map(|_| ())
    }
    /// The custom fields of every kind of record the caller may read.
    pub async fn custom_fields(&self) -> Result<Vec<kith_domain::core::custom_fields::CustomFieldView>> {
        self.get("/api/v1/custom-fields", &()).await
    }
    /// The custom fields of one kind of record (`lead`, …), in display order.
    pub async fn custom_fields_of(
        &self,
        record_kind: &str,
    ) -> Result<Vec<kith_domain::core::custom_fields::CustomFieldView>> {
        let q = kith_domain::core::custom_fields::CustomFieldQuery { record_kind: Some(record_kind.to_owned()) };
        self.get("/api/v1/custom-fields", &q).await
    }
    pub async fn create_custom_field(
        &self,
        field: &kith_domain::core::custom_fields::CustomFieldInput,
    ) -> Result<kith_domain::core::custom_fields::CustomFieldView> {
        self.post("/api/v1/custom-fields", field).await
    }
    pub async fn update_custom_field(
        &self,
        id: CustomFieldId,
        version: i64,
        patch: &kith_domain::core::custom_fields::CustomFieldPatch,
    ) -> Result<kith_domain::core::custom_fields::CustomFieldView> {
        self.patch(&format!("/api/v1/custom-fields/{id}"), version, patch).await
    }
    pub async fn delete_custom_field(&self, id: CustomFieldId) -> Result<()> {
        self.delete(&format!("/api/v1/custom-fields/{id}")).await
    }

    // ---- mail settings ----

    pub async fn mail_settings(&self) -> Result<NotificationMailSettings> {
        self.get("/api/v1/mail-settings", &()).await
    }
    pub async fn put_mail_settings(&self, settings: &NotificationMailSettings) -> Result<NotificationMailSettings> {
        self.send(Method::PUT, "/api/v1/mail-settings", |r| r.json(settings)).await
    }
    /// The organization's own SMTP server; `NotFound` when it uses the installation's.
    /// The organization's own SMTP server; `None` when it sends through the installation's.
    pub async fn mail_server(&self) -> Result<Option<kith_domain::core::notifications::MailServerView>> {
        let setting: kith_domain::core::notifications::MailServerSetting =
            self.get("/api/v1/mail-settings/server", &()).await?;
        Ok(setting.server)
    }
    pub async fn put_mail_server(
        &self,
        server: &kith_domain::core::notifications::MailServerInput,
    ) -> Result<kith_domain::core::notifications::MailServerView> {
        self.send(Method::PUT, "/api/v1/mail-settings/server", |r| r.json(server)).await
    }
    pub async fn delete_mail_server(&self) -> Result<()> {
        self.delete("/api/v1/mail-settings/server").await
    }
    pub async fn send_test_email(&self, to: &str) -> Result<kith_domain::core::notifications::TestEmailResult> {
        self.post(
            "/api/v1/mail-settings/test",
            &kith_domain::core::notifications::TestEmailRequest { to: to.to_owned() },
        )
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

    /// Records of every kind the caller may read whose name, email, company or phone hold every word.
    pub async fn search(&self, q: &str, limit: Option<u32>) -> Result<SearchResults> {
        self.get("/api/v1/search", &SearchQuery { q: q.to_owned(), limit }).await
    }
    pub async fn audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>> {
        self.get("/api/v1/audit", q).await
    }
    pub async fn recycle_bin(&self, q: &PageQuery) -> Result<Page<RecycleBinItem>> {
        self.get("/api/v1/recycle-bin", q).await
    }

    // ---- attachments (a lead's upload and list are with leads) ----

    pub async fn get_attachment(&self, id: AttachmentId) -> Result<AttachmentView> {
        self.get(&format!("/api/v1/attachments/{id}"), &()).await
    }
    /// The file's bytes (served with the attachment's `content_type`).
    pub async fn download_attachment(&self, id: AttachmentId) -> Result<Vec<u8>> {
        let response = self.send_raw(Method::GET, &format!("/api/v1/attachments/{id}/content"), |r| r).await?;
        if !response.status().is_success() {
            return decode::<Vec<u8>>(response).await;
        }
        let bytes = response.bytes().await.map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(bytes.to_vec())
    }
    /// To the recycle bin (restorable for 30 days).
    pub async fn delete_attachment(&self, id: AttachmentId) -> Result<()> {
        self.delete(&format!("/api/v1/attachments/{id}")).await
    }
    pub async fn restore_attachment(&self, id: AttachmentId) -> Result<AttachmentView> {
        self.post(&format!("/api/v1/attachments/{id}/restore"), &()).await
    }
}
