//! Marketing: sequences and enrolments.

use super::*;

impl Client {
    // ---- sequences ----

    pub async fn sequences(&self) -> Result<Vec<kith_domain::marketing::sequences::SequenceView>> {
        self.get("/api/v1/sequences", &()).await
    }
    pub async fn create_sequence(
        &self,
        s: &kith_domain::marketing::sequences::SequenceInput,
    ) -> Result<kith_domain::marketing::sequences::SequenceView> {
        self.post("/api/v1/sequences", s).await
    }
    pub async fn update_sequence(
        &self,
        id: SequenceId,
        version: i64,
        s: &kith_domain::marketing::sequences::SequenceInput,
    ) -> Result<kith_domain::marketing::sequences::SequenceView> {
        self.patch(&format!("/api/v1/sequences/{id}"), version, s).await
    }
    pub async fn delete_sequence(&self, id: SequenceId) -> Result<()> {
        self.delete(&format!("/api/v1/sequences/{id}")).await
    }
    pub async fn restore_sequence(&self, id: SequenceId) -> Result<kith_domain::marketing::sequences::SequenceView> {
        self.post(&format!("/api/v1/sequences/{id}/restore"), &()).await
    }
    pub async fn enroll_lead(
        &self,
        lead: LeadId,
        sequence_id: SequenceId,
    ) -> Result<kith_domain::marketing::sequences::EnrollmentView> {
        self.post(
            &format!("/api/v1/leads/{lead}/enrollments"),
            &kith_domain::marketing::sequences::NewEnrollment { sequence_id },
        )
        .await
    }
    pub async fn lead_enrollments(
        &self,
        lead: LeadId,
    ) -> Result<Vec<kith_domain::marketing::sequences::EnrollmentView>> {
        self.get(&format!("/api/v1/leads/{lead}/enrollments"), &()).await
    }
    pub async fn stop_enrollment(&self, id: EnrollmentId) -> Result<kith_domain::marketing::sequences::EnrollmentView> {
        self.post(&format!("/api/v1/enrollments/{id}/stop"), &()).await
    }
}
