//! Cleaning up duplicate leads as a sales team does: the duplicates view shows who is probably the
//! same person, a merge keeps the values chosen and the whole history, and a merge can be undone.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use kith_client::Client;
use kith_domain::leads::merge::*;
use kith_domain::leads::rules::Behaviour;
use kith_domain::leads::*;
use kith_domain::LeadId;
use kith_tests::TestApp;

/// Duplicates exist because captures were not matched (the rule was off) or came in differently.
async fn allow_duplicates(admin: &Client) {
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::Off,
            qualify_threshold: None,
            fallback_owner_id: None,
        })
        .await
        .expect("settings");
}

fn person(first: &str, last: &str, email: Option<&str>, company: &str) -> NewLead {
    NewLead {
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(Into::into),
        company_name: company.into(),
        ..Default::default()
    }
}

fn pair_ids(p: &DuplicatePair) -> (LeadId, LeadId) {
    (p.a.id, p.b.id)
}

async fn event_ids(client: &Client, id: LeadId) -> Vec<String> {
    client.lead_events(id).await.expect("events").into_iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn the_duplicates_view_finds_an_exact_and_a_similar_pair_but_not_strangers() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    allow_duplicates(&admin).await;
    let ann = admin.create_lead(&person("Ann", "Example", Some("ann@buyer.test"), "Buyer")).await.expect("ann");
    let ann_again = admin.create_lead(&person("A.", "Example", Some("ANN@buyer.test"), "")).await.expect("ann again");
    let kathi = admin.create_lead(&person("Katharina", "Schmidt", None, "Globex GmbH")).await.expect("kathi");
    let kathe = admin.create_lead(&person("Katharine", "Schmidt", None, "globex gmbh")).await.expect("kathe");
    // Strangers: a similar name at another company, and someone else at Ann's company.
    admin.create_lead(&person("Katharina", "Schmidt", None, "Initech")).await.expect("other kathi");
    admin.create_lead(&person("Bob", "Builder", Some("bob@buyer.test"), "Buyer")).await.expect("bob");

    let report = admin.lead_duplicates(&DuplicateQuery::default()).await.expect("duplicates");
    let found: Vec<((LeadId, LeadId), DuplicateReason)> =
        report.pairs.iter().map(|p| (pair_ids(p), p.reason)).collect();
    assert_eq!(
        found,
        vec![
            ((ann.id, ann_again.id), DuplicateReason::SameEmail),
            ((kathi.id, kathe.id), DuplicateReason::SimilarName)
        ]
    );
    assert_eq!(report.pairs[0].confidence, 100);
    assert!((78..=85).contains(&report.pairs[1].confidence), "{}", report.pairs[1].confidence);
    assert_eq!(report.pairs[1].b.first_name, "Katharine", "the pair carries both leads to compare");
    assert!(!report.truncated);
    assert_eq!(report.leads_scanned, 6);

    // A rep sees only the duplicates among the leads their role shows them: none here.
    let (rep, _) = app.add_user(&admin, "sales", "Rita").await;
    assert!(rep.lead_duplicates(&DuplicateQuery::default()).await.expect("rep").pairs.is_empty());
    let (agent, _) = app.add_user(&admin, "support", "Sue").await;
    assert_eq!(agent.lead_duplicates(&DuplicateQuery::default()).await.expect_err("no leads").status(), Some(403));
}

#[tokio::test]
async fn merging_keeps_the_chosen_fields_moves_the_history_and_bins_the_other_lead() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    allow_duplicates(&admin).await;
    let keep = admin
        .create_lead(&NewLead {
            title: "CTO".into(),
            tags: vec!["webinar".into()],
            ..person("Ann", "Example", Some("ann@buyer.test"), "Buyer")
        })
        .await
        .expect("keep");
    let other = admin
        .create_lead(&NewLead {
            title: "Head of IT".into(),
            phone: Some("+49 30 1234567".into()),
            tags: vec!["pricing".into(), "Webinar".into()],
            ..person("Annie", "Example", Some("a.example@buyer.test"), "Buyer GmbH")
        })
        .await
        .expect("other");
    admin
        .add_lead_activity(
            other.id,
            &NewLeadActivity { behaviour: Behaviour::PageVisit, occurred_at: None, note: Some("/pricing".into()) },
        )
        .await
        .expect("visit");
    let kept_history = event_ids(&admin, keep.id).await;
    let other_history = event_ids(&admin, other.id).await;

    let fields = MergeFieldChoices { title: MergeSide::Merge, phone: MergeSide::Merge, ..Default::default() };
    let request = LeadMerge { keep_id: keep.id, merge_id: other.id, fields };
    let send = || {
        admin
            .request(reqwest::Method::POST, "/api/v1/leads/merge")
            .header("idempotency-key", "merge-1")
            .json(&request)
            .send()
    };
    let first = send().await.expect("merge");
    assert_eq!(first.status().as_u16(), 200);
    let merged: LeadMergeResult = first.json().await.expect("json");
    // A retried merge (a timeout, a double click) gets the first answer; the merged lead is gone,
    // so without the key it would be a 404.
    let retried = send().await.expect("retry");
    assert_eq!((retried.status().as_u16(), retried.headers().contains_key("idempotent-replayed")), (200, true));
    assert_eq!(retried.json::<LeadMergeResult>().await.expect("json").merge.id, merged.merge.id);
    let lead = &merged.lead;
    assert_eq!(lead.id, keep.id);
    assert_eq!((lead.first_name.as_str(), lead.email.as_deref()), ("Ann", Some("ann@buyer.test")), "kept values");
    assert_eq!(
        (lead.title.as_str(), lead.phone_e164.as_deref()),
        ("Head of IT", Some("+49301234567")),
        "chosen values"
    );
    assert_eq!(lead.company_name, "Buyer");
    assert_eq!(lead.tags, vec!["pricing".to_string(), "webinar".to_string()], "tags united");
    assert_eq!((merged.merge.kept_id, merged.merge.merged_id, merged.merge.undone_at), (keep.id, other.id, None));

    // The kept lead's timeline now holds both histories and says what happened.
    let events = admin.lead_events(keep.id).await.expect("events");
    let ids: Vec<&String> = events.iter().map(|e| &e.id).collect();
    for id in kept_history.iter().chain(&other_history) {
        assert!(ids.contains(&id), "event {id} is on the kept lead");
    }
    let merge_event = events.iter().find(|e| e.kind == LeadEventKind::Merged).expect("merged event");
    assert_eq!(merge_event.from.as_deref(), Some(other.id.to_string().as_str()));
    assert!(merge_event.note.as_deref().is_some_and(|n| n.contains("Annie Example")));
    assert!(events.iter().any(|e| e.kind == LeadEventKind::PageVisit), "the activity counts for the kept lead now");

    // The other lead is in the recycle bin.
    assert_eq!(admin.get_lead(other.id).await.expect_err("binned").status(), Some(404));
    let bin = admin.recycle_bin(&Default::default()).await.expect("bin");
    assert_eq!(
        bin.items.iter().map(|i| (i.entity.as_str(), i.entity_id.clone(), i.label.as_str())).collect::<Vec<_>>(),
        vec![("lead", other.id.to_string(), "Annie Example")]
    );
    assert!(admin.lead_duplicates(&DuplicateQuery::default()).await.expect("dups").pairs.is_empty());
}

#[tokio::test]
async fn bad_merges_are_refused_field_by_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    allow_duplicates(&admin).await;
    let a = admin.create_lead(&person("Ann", "Example", Some("ann@buyer.test"), "Buyer")).await.expect("a");
    let b = admin.create_lead(&person("Ann", "Example", Some("ann@buyer.test"), "Buyer")).await.expect("b");
    let history = event_ids(&admin, a.id).await;

    let err = admin.merge_leads(&LeadMerge { keep_id: a.id, merge_id: a.id, fields: Default::default() }).await;
    let err = err.expect_err("into itself");
    assert_eq!((err.status(), err.problem().and_then(|p| p.field_message("merge_id")).is_some()), (Some(422), true));

    // A converted lead lives on as a customer (conversion comes later; mark one by hand here).
    {
        use kith_db::schema::leads;
        let mut conn = app.pool.get().expect("conn");
        diesel::update(leads::table.filter(leads::id.eq(b.id.to_string())))
            .set(leads::status.eq("converted"))
            .execute(&mut *conn)
            .expect("convert");
    }
    let err = admin.merge_leads(&LeadMerge { keep_id: a.id, merge_id: b.id, fields: Default::default() }).await;
    let problem = err.expect_err("converted").problem().cloned().expect("problem");
    assert_eq!(
        (problem.status, problem.errors[0].field.as_str(), problem.errors[0].code.as_str()),
        (422, "merge_id", "converted")
    );

    // Only the editable fields can be chosen; anything else is a malformed request.
    let raw = admin
        .request(reqwest::Method::POST, "/api/v1/leads/merge")
        .json(&serde_json::json!({"keep_id": a.id, "merge_id": b.id, "fields": {"score": "merge"}}))
        .send()
        .await
        .expect("send");
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(event_ids(&admin, a.id).await, history, "nothing was added");
    assert!(admin.get_lead(b.id).await.is_ok(), "still there");
}

#[tokio::test]
async fn undoing_a_merge_brings_both_leads_back_as_they_were() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let (_, rita) = app.add_user(&admin, "sales", "Rita").await;
    allow_duplicates(&admin).await;
    let keep = admin
        .create_lead(&NewLead {
            title: "CTO".into(),
            tags: vec!["webinar".into()],
            owner_id: Some(me.user.id),
            ..person("Ann", "Example", Some("ann@buyer.test"), "Buyer")
        })
        .await
        .expect("keep");
    let other = admin
        .create_lead(&NewLead {
            title: "Head of IT".into(),
            tags: vec!["pricing".into()],
            owner_id: Some(rita.user.id),
            ..person("Annie", "Example", Some("ann@buyer.test"), "Buyer GmbH")
        })
        .await
        .expect("other");
    let keep = admin.get_lead(keep.id).await.expect("keep").lead;
    let other = admin.get_lead(other.id).await.expect("other").lead;
    // Each lead has a file; the merged lead's goes with its history to the kept lead.
    let kept_file = admin.upload_lead_attachment(keep.id, "notes.txt", b"kept".to_vec()).await.expect("kept file");
    let other_file = admin.upload_lead_attachment(other.id, "quote.txt", b"other".to_vec()).await.expect("other file");
    let kept_history = event_ids(&admin, keep.id).await;
    let other_history = event_ids(&admin, other.id).await;
    let fields = MergeFieldChoices {
        title: MergeSide::Merge,
        company_name: MergeSide::Merge,
        owner_id: MergeSide::Merge,
        ..Default::default()
    };
    let merged = admin.merge_leads(&LeadMerge { keep_id: keep.id, merge_id: other.id, fields }).await.expect("merge");
    assert_eq!(merged.lead.owner_id, Some(rita.user.id), "the chosen owner");
    let files = |id: LeadId| {
        let admin = admin.clone();
        async move {
            let page = admin.lead_attachments(id, &Default::default()).await.expect("attachments");
            let mut names: Vec<String> = page.items.into_iter().map(|a| a.file_name).collect();
            names.sort();
            names
        }
    };
    assert_eq!(files(keep.id).await, vec!["notes.txt", "quote.txt"], "the merged lead's file moved over");
    assert_eq!(admin.download_attachment(other_file.id).await.expect("still readable"), b"other".to_vec());

    let undone = admin.undo_lead_merge(merged.merge.id).await.expect("undo");
    assert!(undone.merge.undone_at.is_some());
    let same = |l: &LeadView| {
        (l.first_name.clone(), l.title.clone(), l.email.clone(), l.company_name.clone(), l.owner_id, l.tags.clone())
    };
    assert_eq!(same(&undone.kept), same(&keep), "the kept lead is as it was");
    assert_eq!(same(&undone.restored), same(&other), "the merged lead is back");
    assert_eq!(admin.get_lead(other.id).await.expect("live again").lead.id, other.id);
    assert!(admin.recycle_bin(&Default::default()).await.expect("bin").items.is_empty());
    assert_eq!(files(keep.id).await, vec!["notes.txt"], "the kept lead keeps its own file");
    assert_eq!(files(other.id).await, vec!["quote.txt"], "the merged lead's file went back with it");
    assert_eq!(admin.get_attachment(kept_file.id).await.expect("kept file").file_name, "notes.txt");

    // Each history is back where it was, with the merge and its undoing noted on both.
    let kept_now = event_ids(&admin, keep.id).await;
    let other_now = event_ids(&admin, other.id).await;
    assert!(kept_history.iter().all(|e| kept_now.contains(e)) && other_history.iter().all(|e| other_now.contains(e)));
    assert!(other_history.iter().all(|e| !kept_now.contains(e)), "nothing of the other lead stays behind");
    for id in [keep.id, other.id] {
        let merges = admin.lead_events(id).await.expect("events");
        assert_eq!(merges.iter().filter(|e| e.kind == LeadEventKind::Merged).count(), 2, "merged, then undone");
    }
    let pairs = admin.lead_duplicates(&DuplicateQuery::default()).await.expect("dups").pairs;
    assert_eq!(pairs.iter().map(pair_ids).collect::<Vec<_>>(), vec![(keep.id, other.id)], "a pair again");

    let again = admin.undo_lead_merge(merged.merge.id).await.expect_err("once only");
    assert_eq!(again.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("undone"));
}

#[tokio::test]
async fn another_organization_or_a_rep_without_the_lead_cannot_merge_it() {
    let app = TestApp::spawn().await;
    let (victim, _) = app.signup("Victim").await;
    allow_duplicates(&victim).await;
    let a = victim.create_lead(&person("Ann", "Example", Some("ann@victim.test"), "V")).await.expect("a");
    let b = victim.create_lead(&person("Ann", "Example", Some("ann@victim.test"), "V")).await.expect("b");
    let (attacker, _) = app.signup("Attacker").await;
    let theirs = attacker.create_lead(&person("Ann", "Example", Some("ann@victim.test"), "V")).await.expect("theirs");

    for (keep, merge) in [(a.id, b.id), (theirs.id, a.id), (a.id, theirs.id)] {
        let err = attacker.merge_leads(&LeadMerge { keep_id: keep, merge_id: merge, fields: Default::default() }).await;
        assert_eq!(err.expect_err("foreign").status(), Some(404));
    }
    assert!(attacker.lead_duplicates(&DuplicateQuery::default()).await.expect("dups").pairs.is_empty());
    let ours = victim.merge_leads(&LeadMerge { keep_id: a.id, merge_id: b.id, fields: Default::default() }).await;
    let ours = ours.expect("our own merge");
    assert_eq!(attacker.undo_lead_merge(ours.merge.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(victim.recycle_bin(&Default::default()).await.expect("bin").items.len(), 1, "still merged");

    // A rep may merge only leads they may change: not a colleague's.
    let (rita, _) = app.add_user(&victim, "sales", "Rita").await;
    let mine = rita.create_lead(&person("Zoe", "Example", Some("zoe@victim.test"), "V")).await.expect("mine");
    let err = rita.merge_leads(&LeadMerge { keep_id: mine.id, merge_id: a.id, fields: Default::default() }).await;
    assert_eq!(err.expect_err("not hers").status(), Some(404));
    assert_eq!(rita.undo_lead_merge(ours.merge.id).await.expect_err("not hers").status(), Some(404));
}

#[tokio::test]
async fn after_thirty_days_a_merge_is_final_and_the_merged_lead_is_purged() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    let secret = admin.rotate_inbound_email_secret().await.expect("secret").secret;
    let raw = b"From: Ann <ann@buyer.test>\r\nSubject: Hi\r\nMessage-ID: <hi@buyer.test>\r\n\r\nHello\r\n".to_vec();
    let emailed = admin.deliver_inbound_email(me.organization.id, &secret, raw.clone()).await.expect("deliver");
    let kith_domain::leads::inbound::InboundOutcome::Created { lead_id: emailed } = emailed else {
        panic!("{emailed:?}")
    };
    allow_duplicates(&admin).await;
    let typed = admin.create_lead(&person("Ann", "Example", Some("ann@buyer.test"), "Buyer")).await.expect("typed");
    let merge = LeadMerge { keep_id: typed.id, merge_id: emailed, fields: Default::default() };
    let merged = admin.merge_leads(&merge).await.expect("merge");

    // A month later (the admin signs in again) the merge can no longer be undone…
    app.advance(chrono::Duration::days(UNDO_DAYS) + chrono::Duration::minutes(1));
    admin.login(&me.user.email, kith_tests::PASSWORD).await.expect("login");
    let err = admin.undo_lead_merge(merged.merge.id).await.expect_err("too late");
    assert_eq!(err.problem().and_then(|p| p.errors.first()).map(|e| e.code.as_str()), Some("expired"));

    // …and the purge removes the merged lead for good, with the merge record that pointed at it.
    let mut conn = app.pool.get().expect("conn");
    assert_eq!(kith_db::core::recycle::purge_expired(&mut conn).expect("purge"), 1);
    assert_eq!(admin.undo_lead_merge(merged.merge.id).await.expect_err("gone").status(), Some(404));
    assert!(admin.recycle_bin(&Default::default()).await.expect("bin").items.is_empty());
    let kept = admin.get_lead(typed.id).await.expect("the kept lead stays").lead;
    assert_eq!(kept.email.as_deref(), Some("ann@buyer.test"));
    assert!(admin.lead_events(typed.id).await.expect("events").iter().any(|e| e.kind == LeadEventKind::EmailReceived));
    // The provider redelivering that old message still changes nothing.
    let again = admin.deliver_inbound_email(me.organization.id, &secret, raw).await.expect("redeliver");
    assert_eq!(again, kith_domain::leads::inbound::InboundOutcome::Duplicate);
}

#[tokio::test]
async fn custom_values_follow_the_merge_and_undo_gives_both_leads_theirs_back() {
    use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    allow_duplicates(&admin).await;
    for (key, kind, options) in [
        ("budget", CustomFieldKind::Select, vec!["Under 10k".to_string(), "Over 50k".to_string()]),
        ("seats", CustomFieldKind::Number, vec![]),
        ("region", CustomFieldKind::Text, vec![]),
        ("partner", CustomFieldKind::Boolean, vec![]),
    ] {
        let input = CustomFieldInput {
            record_kind: "lead".into(),
            key: key.into(),
            label: key.into(),
            help_text: None,
            kind,
            options,
            required: false,
            position: None,
        };
        admin.create_custom_field(&input).await.expect("field");
    }
    let values = |v: serde_json::Value| -> std::collections::BTreeMap<String, serde_json::Value> {
        serde_json::from_value(v).expect("values")
    };
    let with = |lead: NewLead, v: serde_json::Value| NewLead { custom: values(v), ..lead };
    let keep_values = serde_json::json!({"budget": "Over 50k", "partner": true});
    let other_values = serde_json::json!({"budget": "Under 10k", "seats": 20, "region": "EMEA"});
    let keep = admin
        .create_lead(&with(person("Ann", "Example", Some("ann@buyer.test"), "Buyer"), keep_values.clone()))
        .await
        .expect("keep");
    let other = admin
        .create_lead(&with(person("Annie", "Example", Some("a@buyer.test"), "Buyer"), other_values.clone()))
        .await
        .expect("other");

    // By default the kept lead keeps its own values and takes the other's where it has none.
    let merged = admin
        .merge_leads(&LeadMerge { keep_id: keep.id, merge_id: other.id, fields: Default::default() })
        .await
        .expect("merge");
    assert_eq!(
        merged.lead.custom,
        values(serde_json::json!({"budget": "Over 50k", "partner": true, "seats": 20, "region": "EMEA"}))
    );
    let history = admin
        .audit(&kith_domain::core::audit::AuditQuery {
            entity: Some("lead".into()),
            entity_id: Some(keep.id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit");
    let change = history.items[0].changes.iter().find(|c| c.field == "custom").expect("custom values audited");
    assert_eq!((&change.old, &change.new["seats"]), (&keep_values, &serde_json::json!(20)));

    // Someone edits the kept lead afterwards; undoing gives both leads exactly their own values back.
    let patch = LeadPatch { custom: values(serde_json::json!({"seats": 99, "partner": null})), ..Default::default() };
    admin.update_lead(keep.id, merged.lead.version, &patch).await.expect("edit");
    let undone = admin.undo_lead_merge(merged.merge.id).await.expect("undo");
    assert_eq!(undone.kept.custom, values(keep_values.clone()));
    assert_eq!(undone.restored.custom, values(other_values.clone()));
    assert_eq!(admin.get_lead(keep.id).await.expect("kept").lead.custom, values(keep_values.clone()));

    // A merge may choose per custom field: the other's budget, the kept lead's (absent) region.
    let mut fields = MergeFieldChoices::default();
    fields.custom.insert("budget".into(), MergeSide::Merge);
    fields.custom.insert("region".into(), MergeSide::Keep);
    let chosen = admin
        .merge_leads(&LeadMerge { keep_id: keep.id, merge_id: other.id, fields: fields.clone() })
        .await
        .expect("merge again");
    assert_eq!(chosen.lead.custom, values(serde_json::json!({"budget": "Under 10k", "partner": true, "seats": 20})));
    let undone = admin.undo_lead_merge(chosen.merge.id).await.expect("undo again");
    assert_eq!((undone.kept.custom, undone.restored.custom), (values(keep_values), values(other_values)));

    // Choosing a field that does not exist is a field error.
    fields.custom.insert("colour".into(), MergeSide::Merge);
    let err = admin
        .merge_leads(&LeadMerge { keep_id: keep.id, merge_id: other.id, fields })
        .await
        .expect_err("unknown field");
    assert_eq!(err.status(), Some(422));
    assert!(err.problem().and_then(|p| p.field_message("fields.custom.colour")).is_some(), "{err:?}");
}
