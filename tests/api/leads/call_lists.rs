//! A call centre works a bulk contact list: agents take contacts from the queue, callbacks come
//! back on time, interested people become leads with their call history.

use kith_domain::leads::call_lists::*;
use kith_domain::leads::{LeadEventKind, LeadSource};
use kith_tests::TestApp;

const CONTACTS: &str = "Name,Phone,Company,Country\n\
Ann Lee,+49 30 1234567,Acme,DE\n\
Bo Berg,+46 8 123 456 78,Bergco,SE\n\
No Phone,,Nowhere,US\n\
Cy Chan,+44 20 7946 0958,Chanco,GB\n";

#[tokio::test]
async fn agents_work_the_queue_without_calling_the_same_person_twice() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (agent_a, a_me) = app.add_user(&admin, "sales", "Agent A").await;
    let (agent_b, _) = app.add_user(&admin, "sales", "Agent B").await;
    let list = admin.create_call_list("Trade fair").await.expect("list");
    let added = admin.add_call_contacts(list.id, CONTACTS.into()).await.expect("contacts");
    assert_eq!((added.list.total, added.refused.len()), (3, 1));
    assert_eq!(added.refused[0].row, 3);

    let first = agent_a.next_call(list.id).await.expect("next").expect("a contact");
    let second = agent_b.next_call(list.id).await.expect("next").expect("a contact");
    assert_ne!(first.id, second.id, "a held contact is not offered to another agent");
    assert_eq!(first.first_name, "Ann");
    assert_eq!(first.assigned_to, Some(a_me.user.id));

    // B cannot log a call on A's contact.
    let err = agent_b
        .log_call(first.id, &NewCall { disposition: Disposition::Busy, note: None, callback_at: None })
        .await
        .expect_err("not held");
    assert_eq!(err.status(), Some(409));

    let callback_at = app.clock().now() + chrono::Duration::hours(2);
    let missing = agent_a
        .log_call(first.id, &NewCall { disposition: Disposition::Callback, note: None, callback_at: None })
        .await
        .expect_err("when?");
    assert!(missing.problem().and_then(|p| p.field_message("callback_at")).is_some());
    let out = agent_a
        .log_call(
            first.id,
            &NewCall {
                disposition: Disposition::Callback,
                note: Some("in a meeting".into()),
                callback_at: Some(callback_at),
            },
        )
        .await
        .expect("callback");
    assert_eq!(out.contact.status, ContactStatus::Callback);
    agent_b
        .log_call(second.id, &NewCall { disposition: Disposition::NoAnswer, note: None, callback_at: None })
        .await
        .expect("no answer");

    let third = agent_a.next_call(list.id).await.expect("next").expect("Cy is still queued");
    assert_eq!(third.first_name, "Cy");
    agent_a
        .log_call(third.id, &NewCall { disposition: Disposition::WrongNumber, note: None, callback_at: None })
        .await
        .expect("wrong");
    assert!(agent_a.next_call(list.id).await.expect("next").is_none(), "the callback and the retry are not due yet");

    // The callback is due at its hour and the no-answer retry two hours after the call: a minute
    // before, nothing; a minute after, the callback first, then the retry.
    app.advance(chrono::Duration::hours(2) - chrono::Duration::minutes(1));
    assert!(agent_a.next_call(list.id).await.expect("next").is_none(), "a minute early");
    app.advance(chrono::Duration::minutes(2));
    let back = agent_b.next_call(list.id).await.expect("next").expect("due again");
    assert_eq!(back.id, first.id, "due callbacks come first");
    assert_eq!(back.calls.len(), 1);
    let retry = agent_a.next_call(list.id).await.expect("next").expect("the retry");
    assert_eq!(retry.id, second.id);
    assert!(agent_a.next_call(list.id).await.expect("next").is_none(), "Cy is done");
}

#[tokio::test]
async fn a_contact_an_agent_leaves_untouched_is_released_after_its_hold() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (agent_a, _) = app.add_user(&admin, "sales", "Agent A").await;
    let (agent_b, b_me) = app.add_user(&admin, "sales", "Agent B").await;
    let list = admin.create_call_list("One").await.expect("list");
    admin.add_call_contacts(list.id, "name,phone\nAnn Archer,+1 212 555 0101\n".into()).await.expect("contact");
    let held = agent_a.next_call(list.id).await.expect("next").expect("Ann");
    app.advance(chrono::Duration::minutes(14));
    assert!(agent_b.next_call(list.id).await.expect("next").is_none(), "held for A for 15 minutes");
    app.advance(chrono::Duration::minutes(2));
    let taken = agent_b.next_call(list.id).await.expect("next").expect("released to B");
    assert_eq!((taken.id, taken.assigned_to), (held.id, Some(b_me.user.id)));
    let late = agent_a
        .log_call(held.id, &NewCall { disposition: Disposition::Busy, note: None, callback_at: None })
        .await
        .expect_err("A's hold has ended");
    assert_eq!(late.status(), Some(409));
}

#[tokio::test]
async fn an_interested_contact_becomes_a_lead_with_the_call_history() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (agent, me) = app.add_user(&admin, "sales", "Agent").await;
    let list = admin.create_call_list("Cold list").await.expect("list");
    admin
        .add_call_contacts(list.id, "name,phone,email\nDi Dunn,+1 212 555 0100,di@example.test\n".into())
        .await
        .expect("contacts");
    let c = agent.next_call(list.id).await.expect("next").expect("contact");
    agent
        .log_call(c.id, &NewCall { disposition: Disposition::NoAnswer, note: None, callback_at: None })
        .await
        .expect("no answer");
    app.advance(chrono::Duration::minutes(kith_domain::leads::call_lists::RETRY_MINUTES));
    let c = agent.next_call(list.id).await.expect("next").expect("again");
    let out = agent
        .log_call(
            c.id,
            &NewCall { disposition: Disposition::Interested, note: Some("wants a demo".into()), callback_at: None },
        )
        .await
        .expect("interested");
    let lead_id = out.lead_id.expect("promoted");
    let lead = agent.get_lead(lead_id).await.expect("the agent owns the lead").lead;
    assert_eq!(
        (lead.source, lead.owner_id, lead.phone_e164.as_deref()),
        (LeadSource::CallList, Some(me.user.id), Some("+12125550100"))
    );
    let calls: Vec<String> = agent
        .lead_events(lead_id)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.kind == LeadEventKind::Call)
        .filter_map(|e| e.note)
        .collect();
    assert_eq!(calls, vec!["no_answer".to_string(), "interested: wants a demo".to_string()]);
    assert_eq!(out.contact.status, ContactStatus::Done);
    assert_eq!(admin.get_call_list(list.id).await.expect("list").promoted, 1);
}

#[tokio::test]
async fn another_organization_cannot_work_our_call_list() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let list = admin.create_call_list("Ours").await.expect("list");
    admin.add_call_contacts(list.id, CONTACTS.into()).await.expect("contacts");
    let c = admin.next_call(list.id).await.expect("next").expect("contact");
    let (other, _) = app.signup("Other").await;
    assert_eq!(other.get_call_list(list.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(other.next_call(list.id).await.expect_err("foreign").status(), Some(404));
    assert_eq!(other.add_call_contacts(list.id, CONTACTS.into()).await.expect_err("foreign").status(), Some(404));
    let err = other
        .log_call(c.id, &NewCall { disposition: Disposition::Interested, note: None, callback_at: None })
        .await
        .expect_err("foreign");
    assert_eq!(err.status(), Some(404));
    assert!(other.call_lists().await.expect("lists").is_empty());
}

#[tokio::test]
async fn a_double_clicked_call_is_logged_once() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let (agent, _) = app.add_user(&admin, "sales", "Agent").await;
    let list = admin.create_call_list("One").await.expect("list");
    admin.add_call_contacts(list.id, "name,phone\nAnn Archer,+1 212 555 0101\n".into()).await.expect("contact");
    let held = agent.next_call(list.id).await.expect("next").expect("Ann");
    let call = NewCall { disposition: Disposition::NoAnswer, note: Some("rang out".into()), callback_at: None };
    let send = || {
        agent
            .request(reqwest::Method::POST, &format!("/api/v1/call-contacts/{}/calls", held.id))
            .header("idempotency-key", "click-1")
            .json(&call)
            .send()
    };
    let first = send().await.expect("first");
    assert_eq!((first.status().as_u16(), first.headers().contains_key("idempotent-replayed")), (200, false));
    let second = send().await.expect("second");
    assert_eq!((second.status().as_u16(), second.headers().contains_key("idempotent-replayed")), (200, true));
    app.advance(chrono::Duration::minutes(RETRY_MINUTES + 1));
    let again = agent.next_call(list.id).await.expect("next").expect("the retry");
    assert_eq!((again.id, again.calls.len()), (held.id, 1), "one call logged");
}
