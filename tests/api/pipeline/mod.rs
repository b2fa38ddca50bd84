//! The pipeline as a sales team uses it: converting a lead (nothing lost, nothing duplicated, one
//! transaction, idempotent), moving potentials through phases (versions, lost reasons, won accounts,
//! reopening, the append-only phase history), the board's totals, and who sees what.

mod browser;
mod conversion;
mod potentials;

use kith_client::Client;
use kith_domain::leads::*;
use kith_domain::pipeline::conversion::*;
use kith_domain::pipeline::*;

pub(crate) async fn a_lead(client: &Client, first: &str, company: &str) -> LeadView {
    client
        .create_lead(&NewLead {
            first_name: first.into(),
            last_name: "Example".into(),
            title: "Head of Operations".into(),
            email: Some(format!(
                "{}.{}@{}.test",
                first.to_lowercase(),
                uuid::Uuid::now_v7().simple(),
                company.to_lowercase()
            )),
            company_name: company.into(),
            company_website: Some(format!("{}.test", company.to_lowercase())),
            industry: Some("Logistics".into()),
            country: Some("DE".into()),
            tags: vec!["trade-fair".into()],
            ..Default::default()
        })
        .await
        .expect("lead")
}

pub(crate) fn full_conversion(amount_minor: i64) -> LeadConversion {
    LeadConversion {
        account: AccountChoice::New { name: None },
        contact: ContactChoice::New,
        potential: Some(ConversionPotential { amount_minor, currency: "EUR".into(), ..Default::default() }),
    }
}

pub(crate) async fn phase(client: &Client, kind: PhaseKind) -> (PipelineView, PhaseView) {
    let pipelines = client.list_pipelines().await.expect("pipelines");
    let sales = pipelines.into_iter().find(|p| p.is_default).expect("a default pipeline");
    let phase = sales.phases.iter().rev().find(|p| p.kind == kind).cloned().expect("phase");
    (sales, phase)
}
