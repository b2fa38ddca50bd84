//! Lead → contact, account and potential.

use kith_domain::core::page::PageQuery;
use kith_domain::customers::*;
use kith_domain::leads::*;
use kith_domain::pipeline::conversion::*;
use kith_tests::TestApp;

use super::{a_lead, full_conversion};

async fn convert_with_key(
    client: &kith_client::Client,
    lead: kith_domain::LeadId,
    key: &str,
    body: &LeadConversion,
) -> (u16, String) {
    let r = client
        .request(reqwest::Method::POST, &format!("/api/v1/leads/{lead}/convert"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("send");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// Every kind of history item the lead had is reachable from the contact, the account and the
/// potential afterwards — counted before and after: nothing lost, nothing duplicated — and a retry
/// with the same key converts once.
#[tokio::test]
async fn a_converted_lead_keeps_its_whole_history_and_a_retry_converts_once() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Convert").await;
    let lead = a_lead(&admin, "Hana", "Freightly").await;
    // History: a status change, a behaviour, a second status change.
    let lead = admin
        .update_lead(lead.id, lead.version, &LeadPatch { status: Some(LeadStatus::Working), ..Default::default() })
        .await
        .expect("working");
    admin
        .request(reqwest::Method::POST, &format!("/api/v1/leads/{}/activities", lead.id))
        .json(&serde_json::json!({"behaviour": "page_visit", "note": "/pricing"}))
        .send()
        .await
        .expect("behaviour")
        .error_for_status()
        .expect("behaviour recorded");
    let lead = admin.get_lead(lead.id).await.expect("lead").lead;
    let lead = admin
        .update_lead(lead.id, lead.version, &LeadPatch { status: Some(LeadStatus::Qualified), ..Default::default() })
        .await
        .expect("qualified");
    let before = admin.lead_events(lead.id).await.expect("events");
    assert!(before.len() >= 4, "{before:?}");

    let key = uuid::Uuid::now_v7().to_string();
    let (status, body) = convert_with_key(&admin, lead.id, &key, &full_conversion(1_250_000)).await;
    assert_eq!(status, 201, "{body}");
    let result: ConversionResult = serde_json::from_str(&body).expect("result");
    // The same request again: the first answer, nothing made twice.
    let (again, body_again) = convert_with_key(&admin, lead.id, &key, &full_conversion(1_250_000)).await;
    assert_eq!((again, serde_json::from_str::<ConversionResult>(&body_again).expect("replay")), (201, result.clone()));
    // Another request (no key): the lead is converted already.
    let refused = admin.convert_lead(lead.id, &full_conversion(1)).await.expect_err("converted once");
    assert_eq!(refused.problem().map(|p| p.errors[0].code.clone()), Some("converted".into()));
    let contacts = admin.list_contacts(&CustomerListQuery::default()).await.expect("contacts").items;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(admin.list_accounts(&CustomerListQuery::default()).await.expect("accounts").items.len(), 1);
    assert_eq!(admin.list_potentials(&Default::default()).await.expect("potentials").items.len(), 1);

    // What the lead gave: the contact has the person, the account the company, the potential the deal.
    let contact = &result.contact;
    assert_eq!((contact.first_name.as_str(), contact.title.as_str()), ("Hana", "Head of Operations"));
    assert_eq!(contact.email, lead.email);
    assert_eq!(contact.lead_id, Some(lead.id));
    let account = result.account.clone().expect("account");
    assert_eq!((account.name.as_str(), account.domain.as_deref()), ("Freightly", Some("freightly.test")));
    assert_eq!(account.lifecycle, Lifecycle::Prospect);
    assert_eq!(contact.account_id, Some(account.id));
    let potential = result.potential.clone().expect("potential");
    assert_eq!((potential.amount_minor, potential.currency.as_str()), (1_250_000, "EUR"));
    assert_eq!(
        (potential.lead_id, potential.account_id, potential.contact_id),
        (Some(lead.id), Some(account.id), Some(contact.id))
    );
    assert_eq!(potential.name, "Freightly deal");

    // The lead: read-only, converted, its own history intact plus the conversion.
    let converted = admin.get_lead(lead.id).await.expect("lead").lead;
    assert_eq!(converted.status, LeadStatus::Converted);
    let own_after: Vec<LeadEvent> =
        admin.lead_events(lead.id).await.expect("events").into_iter().filter(|e| e.record_kind == "lead").collect();
    assert_eq!(own_after.len(), before.len() + 1, "{own_after:?}");
    assert!(own_after.iter().any(|e| e.kind == LeadEventKind::Converted));
    let changed = admin
        .update_lead(lead.id, converted.version, &LeadPatch { title: Some("CEO".into()), ..Default::default() })
        .await
        .expect_err("read-only");
    assert_eq!(changed.status(), Some(422));

    // Each of the contact, the account and the potential shows every lead event exactly once.
    let lead_ids: Vec<String> = own_after.iter().map(|e| e.id.clone()).collect();
    let page = PageQuery { limit: Some(200), ..Default::default() };
    for (name, events) in [
        ("contact", admin.contact_events(contact.id, &page).await.expect("contact events").items),
        ("account", admin.account_events(account.id, &page).await.expect("account events").items),
        ("potential", admin.potential_events(potential.id, &page).await.expect("potential events").items),
    ] {
        let from_lead: Vec<&String> = events.iter().filter(|e| e.record_kind == "lead").map(|e| &e.id).collect();
        assert_eq!(from_lead.len(), lead_ids.len(), "{name}: {events:?}");
        assert!(lead_ids.iter().all(|id| from_lead.contains(&id)), "{name}");
    }
    // Tags follow the person and the deal.
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use kith_db::schema::record_tags as t;
    let mut conn = app.pool.get().expect("conn");
    let mut tagged: Vec<(String, String)> =
        t::table.filter(t::tag.eq("trade-fair")).select((t::record_kind, t::record_id)).load(&mut *conn).expect("tags");
    tagged.sort();
    assert_eq!(
        tagged,
        vec![
            ("contact".to_owned(), contact.id.to_string()),
            ("lead".to_owned(), lead.id.to_string()),
            ("potential".to_owned(), potential.id.to_string())
        ]
    );
}

/// Converting into an existing account and contact fills only their empty fields.
#[tokio::test]
async fn converting_into_existing_records_fills_only_their_empty_fields() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Fill").await;
    let account = admin
        .create_account(&NewAccount {
            name: "Freightly GmbH".into(),
            industry: Some("Shipping".into()),
            ..Default::default()
        })
        .await
        .expect("account");
    let contact = admin
        .create_contact(&NewContact { first_name: "Hana".into(), title: "COO".into(), ..Default::default() })
        .await
        .expect("contact");
    let lead = a_lead(&admin, "Hana", "Freightly").await;
    let result = admin
        .convert_lead(
            lead.id,
            &LeadConversion {
                account: AccountChoice::Existing { id: account.id },
                contact: ContactChoice::Existing { id: contact.id },
                potential: None,
            },
        )
        .await
        .expect("converted");
    let account = result.account.expect("account");
    assert_eq!(account.name, "Freightly GmbH", "kept");
    assert_eq!(account.industry.as_deref(), Some("Shipping"), "kept, not overwritten by Logistics");
    assert_eq!(account.domain.as_deref(), Some("freightly.test"), "filled");
    assert_eq!(account.country.as_deref(), Some("DE"), "filled");
    assert_eq!(result.contact.title, "COO", "kept");
    assert_eq!(result.contact.last_name, "Example", "filled");
    assert_eq!(result.contact.email, lead.email, "filled");
    assert_eq!(result.contact.account_ids, vec![account.id]);
    assert!(result.potential.is_none());
}

/// A conversion that fails part-way (its potential names a phase of no pipeline) leaves nothing:
/// no account, no contact, the lead as it was.
#[tokio::test]
async fn a_conversion_that_fails_half_way_changes_nothing() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Atomic").await;
    let lead = a_lead(&admin, "Ivo", "Boxco").await;
    let mut bad = full_conversion(100);
    if let Some(p) = bad.potential.as_mut() {
        p.phase_id = Some(kith_domain::PhaseId(uuid::Uuid::now_v7()));
    }
    let e = admin.convert_lead(lead.id, &bad).await.expect_err("refused");
    assert_eq!(e.status(), Some(422));
    assert_eq!(e.problem().map(|p| p.errors[0].field.clone()), Some("potential.phase_id".into()));
    assert!(admin.list_accounts(&Default::default()).await.expect("accounts").items.is_empty());
    assert!(admin.list_contacts(&Default::default()).await.expect("contacts").items.is_empty());
    let after = admin.get_lead(lead.id).await.expect("lead").lead;
    assert_eq!((after.status, after.version), (lead.status, lead.version));
    // A disqualified lead is not converted; the domain's rule says why.
    let dq = admin
        .update_lead(
            lead.id,
            after.version,
            &LeadPatch {
                status: Some(LeadStatus::Disqualified),
                disqualify_reason: Some("No budget".into()),
                ..Default::default()
            },
        )
        .await
        .expect("disqualified");
    let e = admin.convert_lead(dq.id, &full_conversion(1)).await.expect_err("disqualified");
    assert_eq!(e.problem().map(|p| p.errors[0].code.clone()), Some("disqualified".into()));
}

/// A sales rep converts their own lead; the records are theirs; another rep sees none of it.
#[tokio::test]
async fn a_rep_converts_their_own_lead_and_another_rep_sees_none_of_it() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Reps").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let (otto, _) = app.add_user(&admin, "sales", "Otto Rep").await;
    let lead = a_lead(&liam, "Jana", "Shipfast").await;
    assert_eq!(lead.owner_id, Some(liam_me.user.id));
    let result = liam.convert_lead(lead.id, &full_conversion(50_000)).await.expect("converted");
    let potential = result.potential.expect("potential");
    assert_eq!(potential.owner_id, Some(liam_me.user.id));
    assert_eq!(result.contact.owner_id, Some(liam_me.user.id));
    // Otto: not his lead (404), not his potential (404); contacts are team-wide for sales, and
    // neither rep is in a team, so not his either.
    assert_eq!(otto.convert_lead(lead.id, &full_conversion(1)).await.expect_err("foreign").status(), Some(404));
    assert_eq!(otto.get_potential(potential.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(otto.get_contact(result.contact.id).await.expect_err("foreign").status(), Some(404));
    assert!(otto.list_potentials(&Default::default()).await.expect("list").items.is_empty());
}
