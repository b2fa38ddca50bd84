//! The pipeline: potentials, the board, lead conversion, pipelines and lost reasons.

use kith_domain::core::timeline::RecordEvent;
use kith_domain::pipeline::conversion::{ConversionResult, LeadConversion};
use kith_domain::pipeline::*;

use super::*;

impl Client {
    pub async fn list_potentials(&self, q: &PotentialListQuery) -> Result<Page<PotentialView>> {
        self.get("/api/v1/potentials", q).await
    }
    pub async fn create_potential(&self, new: &NewPotential) -> Result<PotentialView> {
        self.post("/api/v1/potentials", new).await
    }
    pub async fn get_potential(&self, id: PotentialId) -> Result<PotentialView> {
        self.get(&format!("/api/v1/potentials/{id}"), &()).await
    }
    /// Change a potential or move it to another phase, with the version it was read at.
    pub async fn update_potential(
        &self,
        id: PotentialId,
        version: i64,
        patch: &PotentialPatch,
    ) -> Result<PotentialView> {
        self.patch(&format!("/api/v1/potentials/{id}"), version, patch).await
    }
    pub async fn delete_potential(&self, id: PotentialId) -> Result<()> {
        self.delete(&format!("/api/v1/potentials/{id}")).await
    }
    pub async fn restore_potential(&self, id: PotentialId) -> Result<PotentialView> {
        self.post(&format!("/api/v1/potentials/{id}/restore"), &()).await
    }
    pub async fn potential_events(&self, id: PotentialId, q: &PageQuery) -> Result<Page<RecordEvent>> {
        self.get(&format!("/api/v1/potentials/{id}/events"), q).await
    }
    /// The potential's stays in phases, oldest first.
    pub async fn potential_phases(&self, id: PotentialId) -> Result<Vec<PhaseStay>> {
        self.get(&format!("/api/v1/potentials/{id}/phases"), &()).await
    }
    /// Convert a lead (one transaction; send an `Idempotency-Key` with `request` to retry safely).
    pub async fn convert_lead(&self, id: LeadId, conversion: &LeadConversion) -> Result<ConversionResult> {
        self.post(&format!("/api/v1/leads/{id}/convert"), conversion).await
    }
    pub async fn pipeline_board(&self, id: PipelineId, q: &PotentialListQuery) -> Result<Board> {
        self.get(&format!("/api/v1/pipelines/{id}/board"), q).await
    }

    pub async fn list_pipelines(&self) -> Result<Vec<PipelineView>> {
        self.get("/api/v1/pipelines", &()).await
    }
    pub async fn create_pipeline(&self, input: &PipelineInput) -> Result<PipelineView> {
        self.post("/api/v1/pipelines", input).await
    }
    pub async fn get_pipeline(&self, id: PipelineId) -> Result<PipelineView> {
        self.get(&format!("/api/v1/pipelines/{id}"), &()).await
    }
    pub async fn update_pipeline(&self, id: PipelineId, version: i64, input: &PipelineInput) -> Result<PipelineView> {
        let etag = format!("\"{version}\"");
        self.send(Method::PUT, &format!("/api/v1/pipelines/{id}"), |r| r.header("If-Match", etag.as_str()).json(input))
            .await
    }
    pub async fn list_lost_reasons(&self) -> Result<Vec<LostReasonView>> {
        self.get("/api/v1/lost-reasons", &()).await
    }
    pub async fn create_lost_reason(&self, input: &LostReasonInput) -> Result<LostReasonView> {
        self.post("/api/v1/lost-reasons", input).await
    }
    pub async fn update_lost_reason(&self, id: LostReasonId, input: &LostReasonInput) -> Result<LostReasonView> {
        self.send(Method::PUT, &format!("/api/v1/lost-reasons/{id}"), |r| r.json(input)).await
    }
}
