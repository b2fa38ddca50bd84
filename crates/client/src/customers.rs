//! Customers: accounts and contacts.

use kith_domain::core::timeline::RecordEvent;
use kith_domain::customers::*;

use super::*;

impl Client {
    pub async fn list_accounts(&self, q: &CustomerListQuery) -> Result<Page<AccountView>> {
        self.get("/api/v1/accounts", q).await
    }
    pub async fn create_account(&self, new: &NewAccount) -> Result<AccountView> {
        self.post("/api/v1/accounts", new).await
    }
    pub async fn get_account(&self, id: AccountId) -> Result<AccountView> {
        self.get(&format!("/api/v1/accounts/{id}"), &()).await
    }
    pub async fn update_account(&self, id: AccountId, version: i64, patch: &AccountPatch) -> Result<AccountView> {
        self.patch(&format!("/api/v1/accounts/{id}"), version, patch).await
    }
    pub async fn delete_account(&self, id: AccountId) -> Result<()> {
        self.delete(&format!("/api/v1/accounts/{id}")).await
    }
    pub async fn restore_account(&self, id: AccountId) -> Result<AccountView> {
        self.post(&format!("/api/v1/accounts/{id}/restore"), &()).await
    }
    /// A page of the account's timeline (with its linked records' events), oldest first.
    pub async fn account_events(&self, id: AccountId, q: &PageQuery) -> Result<Page<RecordEvent>> {
        self.get(&format!("/api/v1/accounts/{id}/events"), q).await
    }

    pub async fn list_contacts(&self, q: &CustomerListQuery) -> Result<Page<ContactView>> {
        self.get("/api/v1/contacts", q).await
    }
    pub async fn create_contact(&self, new: &NewContact) -> Result<ContactView> {
        self.post("/api/v1/contacts", new).await
    }
    pub async fn get_contact(&self, id: ContactId) -> Result<ContactView> {
        self.get(&format!("/api/v1/contacts/{id}"), &()).await
    }
    pub async fn update_contact(&self, id: ContactId, version: i64, patch: &ContactPatch) -> Result<ContactView> {
        self.patch(&format!("/api/v1/contacts/{id}"), version, patch).await
    }
    pub async fn delete_contact(&self, id: ContactId) -> Result<()> {
        self.delete(&format!("/api/v1/contacts/{id}")).await
    }
    pub async fn restore_contact(&self, id: ContactId) -> Result<ContactView> {
        self.post(&format!("/api/v1/contacts/{id}/restore"), &()).await
    }
    pub async fn contact_events(&self, id: ContactId, q: &PageQuery) -> Result<Page<RecordEvent>> {
        self.get(&format!("/api/v1/contacts/{id}/events"), q).await
    }
}
