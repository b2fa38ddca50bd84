//! Attachments: files kept with a record (leads today).

use kith_domain::attachments::AttachmentView;
use kith_domain::page::{Page, PageQuery};
use kith_domain::{AttachmentId, LeadId};
use reqwest::Method;

use crate::{decode, Client, ClientError, Result};

impl Client {
    /// Attach a file to a lead: its name (the extension and the bytes must agree) and its bytes.
    pub async fn upload_lead_attachment(&self, lead: LeadId, name: &str, bytes: Vec<u8>) -> Result<AttachmentView> {
        self.send(Method::POST, &format!("/api/v1/leads/{lead}/attachments"), |r| {
            r.query(&[("name", name)]).header("content-type", "application/octet-stream").body(bytes.clone())
        })
        .await
    }
    pub async fn lead_attachments(&self, lead: LeadId, q: &PageQuery) -> Result<Page<AttachmentView>> {
        self.get(&format!("/api/v1/leads/{lead}/attachments"), q).await
    }
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
