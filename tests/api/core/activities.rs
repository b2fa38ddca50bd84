//! Activities on records (a kernel feature; leads are the kind that has them today): each kind's
//! rules, the parent's own/team access on every operation, the linked records' activities, the lead's
//! timeline, the recycle bin, `.ics` and the private calendar feed, My day, and reminders that go out
//! exactly once with two workers racing.

use chrono::{Duration, TimeZone, Utc};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, TextExpressionMethods};
use kith_client::Client;
use kith_domain::core::activities::*;
use kith_domain::leads::{LeadEventKind, NewLead};
use kith_domain::{LeadId, UserId};
use kith_tests::TestApp;

async fn lead(client: &Client, name: &str, owner: Option<UserId>) -> LeadId {
    client
        .create_lead(&NewLead {
            first_name: name.into(),
            email: Some(format!("{}.{}@activities.test", name.to_lowercase(), uuid::Uuid::now_v7().simple())),
            owner_id: owner,
            ..Default::default()
        })
        .await
        .expect("lead")
        .id
}

fn on(lead: LeadId, kind: ActivityKind) -> NewActivity {
    NewActivity { record_kind: "lead".into(), record_id: lead.to_string(), kind, ..Default::default() }
}

fn call(lead: LeadId) -> NewActivity {
    NewActivity {
        direction: Some(Direction::Outbound),
        outcome: Some(CallOutcome::NoAnswer),
        duration_seconds: Some(170),
        ..on(lead, ActivityKind::Call)
    }
}

fn status(e: &kith_client::ClientError) -> Option<u16> {
    e.status()
}

#[tokio::test]
async fn a_rep_logs_calls_notes_tasks_and_meetings_on_their_lead_and_sees_them_on_its_timeline() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Activities").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let mine = lead(&admin, "Ada", Some(liam_me.user.id)).await;

    let logged = liam.create_activity(&call(mine)).await.expect("call");
    assert_eq!(logged.summary(), "Call logged — No answer, 3 min");
    assert_eq!(logged.assignee_id, Some(liam_me.user.id), "the one who logs it, by default");
    assert_eq!(logged.record_name.as_deref(), Some("Ada"));
    let note = liam
        .create_activity(&NewActivity { body: "Wants a demo next week".into(), ..on(mine, ActivityKind::Note) })
        .await
        .expect("note");
    let start = Utc::now() + Duration::days(2);
    let meeting = liam
        .create_activity(&NewActivity {
            subject: "Demo".into(),
            starts_at: Some(start),
            ends_at: Some(start + Duration::hours(1)),
            time_zone: Some("Europe/Berlin".into()),
            location: Some("Zoom".into()),
            attendee_users: vec![liam_me.user.id],
            ..on(mine, ActivityKind::Meeting)
        })
        .await
        .expect("meeting");

    // Every field error at once, from the same Check the SPA runs.
    let bad = liam
        .create_activity(&NewActivity {
            ends_at: Some(start - Duration::hours(1)),
            starts_at: Some(start),
            outcome: Some(CallOutcome::Busy),
            ..on(mine, ActivityKind::Meeting)
        })
        .await
        .expect_err("refused");
    let fields: Vec<String> = bad.problem().expect("problem").errors.iter().map(|e| e.field.clone()).collect();
    assert_eq!(fields, ["ends_at", "outcome", "subject", "time_zone"]);

    let page = liam
        .list_activities(&ActivityQuery {
            record_kind: "lead".into(),
            record_id: mine.to_string(),
            ..Default::default()
        })
        .await
        .expect("list");
    let ids: Vec<_> = page.items.iter().map(|a| a.id).collect();
    assert_eq!(ids, [meeting.id, note.id, logged.id], "newest first");

    // A page at a time.
    let first = liam
        .list_activities(&ActivityQuery {
            record_kind: "lead".into(),
            record_id: mine.to_string(),
            limit: Some(2),
            ..Default::default()
        })
        .await
        .expect("page 1");
    let second = liam
        .list_activities(&ActivityQuery {
            record_kind: "lead".into(),
            record_id: mine.to_string(),
            limit: Some(2),
            cursor: first.next_cursor.clone(),
            ..Default::default()
        })
        .await
        .expect("page 2");
    assert_eq!(first.items.len() + second.items.len(), 3);
    assert_eq!(second.items[0].id, logged.id);
    assert!(second.next_cursor.is_none());

    let events = liam.lead_events(mine).await.expect("timeline");
    let notes: Vec<_> =
        events.iter().filter(|e| e.kind == LeadEventKind::ActivityLogged).filter_map(|e| e.note.clone()).collect();
    assert_eq!(notes, ["Call logged — No answer, 3 min", "Note — Wants a demo next week", "Meeting — Demo"]);

    // The meeting as a calendar file; a call has none.
    let ics = liam.activity_ics(meeting.id).await.expect("ics");
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(unfolded.contains(&format!("UID:{}@kith\r\n", meeting.id)));
    assert!(unfolded.contains(&format!("DTSTART:{}\r\n", ics::utc(meeting.starts_at.expect("start")))));
    assert!(unfolded.contains("LOCATION:Zoom\r\n"));
    assert!(unfolded.contains(&format!("ATTENDEE;CN=\"Liam Rep\":mailto:{}\r\n", liam_me.user.email)));
    let r = app
        .http()
        .get(app.url(&format!("/api/v1/activities/{}/ics", meeting.id)))
        .bearer_auth(liam.access_token().expect("token"))
        .send()
        .await
        .expect("ics");
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(status(&liam.activity_ics(logged.id).await.expect_err("a call")), Some(409));
}

#[tokio::test]
async fn access_is_the_records_own_team_or_all_on_every_operation() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Activity access").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let (noah, noah_me) = app.add_user(&admin, "sales", "Noah Rep").await;
    let (support, _) = app.add_user(&admin, "support", "Sam Support").await;
    let liams = lead(&admin, "Liams", Some(liam_me.user.id)).await;
    let noahs = lead(&admin, "Noahs", Some(noah_me.user.id)).await;
    let on_noahs = noah.create_activity(&call(noahs)).await.expect("noah's call");

    // Liam may not see Noah's lead: its activities do not exist for him, whatever the way in.
    assert_eq!(status(&liam.create_activity(&call(noahs)).await.expect_err("write")), Some(404));
    assert_eq!(status(&liam.get_activity(on_noahs.id).await.expect_err("read")), Some(404));
    let q = ActivityQuery { record_kind: "lead".into(), record_id: noahs.to_string(), ..Default::default() };
    assert_eq!(status(&liam.list_activities(&q).await.expect_err("list")), Some(404));
    let patch = ActivityPatch { subject: Some("mine now".into()), ..Default::default() };
    assert_eq!(status(&liam.update_activity(on_noahs.id, 1, &patch).await.expect_err("patch")), Some(404));
    assert_eq!(status(&liam.delete_activity(on_noahs.id).await.expect_err("delete")), Some(404));
    assert_eq!(status(&liam.activity_ics(on_noahs.id).await.expect_err("ics")), Some(404));
    // Support has no leads at all; an unknown kind takes no activities.
    // (403 like the lead's own routes: the role has no leads at all, nothing about the record is told.)
    assert_eq!(status(&support.create_activity(&call(liams)).await.expect_err("support")), Some(403));
    let unknown = NewActivity { record_kind: "spaceship".into(), ..call(liams) };
    assert_eq!(status(&liam.create_activity(&unknown).await.expect_err("unknown kind")), Some(404));
    // An attendee record the caller may not read is refused like an unknown one.
    let start = Utc::now() + Duration::days(1);
    let meeting = NewActivity {
        subject: "Sync".into(),
        starts_at: Some(start),
        ends_at: Some(start + Duration::minutes(30)),
        time_zone: Some("UTC".into()),
        attendee_records: vec![LinkedRecord { kind: "lead".into(), id: noahs.to_string() }],
        ..on(liams, ActivityKind::Meeting)
    };
    let e = liam.create_activity(&meeting).await.expect_err("hidden attendee");
    assert_eq!(e.problem().expect("problem").errors[0].field, "attendee_records");

    // The admin sees and changes everything; versions guard changes.
    let changed = admin.update_activity(on_noahs.id, 1, &patch).await.expect("admin patch");
    assert_eq!(changed.version, 2);
    assert_eq!(status(&admin.update_activity(on_noahs.id, 1, &patch).await.expect_err("stale")), Some(412));

    // Delete → recycle bin → restore; the audit trail has each step.
    noah.delete_activity(on_noahs.id).await.expect("delete");
    assert_eq!(status(&noah.get_activity(on_noahs.id).await.expect_err("gone")), Some(404));
    let back = noah.restore_activity(on_noahs.id).await.expect("restore");
    assert_eq!(back.id, on_noahs.id);
    let trail = admin
        .audit(&kith_domain::core::audit::AuditQuery {
            entity: Some("activity".into()),
            entity_id: Some(on_noahs.id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(trail.items.len(), 4, "created, updated, deleted, restored");
}

#[tokio::test]
async fn a_records_list_holds_its_linked_records_activities_when_the_caller_may_read_them() {
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Linked").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let a = lead(&admin, "Before", Some(liam_me.user.id)).await;
    let b = lead(&admin, "After", Some(liam_me.user.id)).await;
    let hidden = lead(&admin, "Elsewhere", Some(admin_me.user.id)).await;
    let on_a = liam.create_activity(&call(a)).await.expect("a");
    let on_b = liam.create_activity(&NewActivity { body: "b".into(), ..on(b, ActivityKind::Note) }).await.expect("b");
    let on_hidden =
        admin.create_activity(&NewActivity { body: "h".into(), ..on(hidden, ActivityKind::Note) }).await.expect("h");
    {
        let mut conn = app.pool.get().expect("conn");
        let org = admin_me.organization.id;
        let r = |id: LeadId| kith_db::core::kernel::RecordRef::new("lead", id);
        kith_db::core::timeline::link(&mut conn, org, &r(a), &r(b)).expect("link");
        kith_db::core::timeline::link(&mut conn, org, &r(a), &r(hidden)).expect("link");
    }
    let q = ActivityQuery { record_kind: "lead".into(), record_id: a.to_string(), ..Default::default() };
    let seen: Vec<_> = liam.list_activities(&q).await.expect("liam").items.into_iter().map(|x| x.id).collect();
    assert_eq!(seen, [on_b.id, on_a.id], "the linked lead Liam may read, not the one he may not");
    let all: Vec<_> = admin.list_activities(&q).await.expect("admin").items.into_iter().map(|x| x.id).collect();
    assert_eq!(all, [on_hidden.id, on_b.id, on_a.id]);
}

#[tokio::test]
async fn my_day_shows_overdue_and_todays_tasks_and_meetings_and_marking_done_removes_a_task() {
    let app = TestApp::spawn().await;
    let noon = Utc.with_ymd_and_hms(2030, 3, 12, 12, 0, 0).unwrap();
    app.set_clock(noon);
    let (admin, _) = app.signup("My day").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let (_, maya_me) = app.add_user(&admin, "manager", "Maya Manager").await;
    let mine = lead(&admin, "Ada", Some(liam_me.user.id)).await;
    let task =
        |subject: &str, due| NewActivity { subject: subject.into(), due_at: Some(due), ..on(mine, ActivityKind::Task) };
    let overdue = liam.create_activity(&task("Send the quote", noon - Duration::days(2))).await.expect("overdue");
    let today = liam.create_activity(&task("Call back", noon + Duration::hours(3))).await.expect("today");
    liam.create_activity(&task("Next week", noon + Duration::days(7))).await.expect("later");
    let early = liam.create_activity(&task("Early tomorrow", noon + Duration::hours(17))).await.expect("early");
    // Maya's task is not Liam's.
    admin
        .create_activity(&NewActivity { assignee_id: Some(maya_me.user.id), ..task("Maya's", noon) })
        .await
        .expect("maya's");
    let meeting = admin
        .create_activity(&NewActivity {
            subject: "Demo".into(),
            starts_at: Some(noon + Duration::hours(2)),
            ends_at: Some(noon + Duration::hours(3)),
            time_zone: Some("Europe/Berlin".into()),
            assignee_id: Some(maya_me.user.id),
            attendee_users: vec![liam_me.user.id],
            ..on(mine, ActivityKind::Meeting)
        })
        .await
        .expect("meeting");

    let day = liam.my_day(0).await.expect("my day");
    assert_eq!(day.date, noon.date_naive());
    assert_eq!(day.overdue_tasks.iter().map(|a| a.id).collect::<Vec<_>>(), [overdue.id]);
    assert_eq!(day.today_tasks.iter().map(|a| a.id).collect::<Vec<_>>(), [today.id]);
    assert_eq!(day.meetings.iter().map(|a| a.id).collect::<Vec<_>>(), [meeting.id], "attending counts");
    assert!(day.sections.iter().any(|s| s.key == "callbacks"), "the leads context adds its callbacks");
    // 14 hours east it is already the 13th (02:00): 05:00 UTC on the 13th is due later that day.
    let east = liam.my_day(14 * 60).await.expect("east");
    assert_eq!(east.date, noon.date_naive().succ_opt().unwrap());
    assert_eq!(east.today_tasks.iter().map(|a| a.id).collect::<Vec<_>>(), [today.id, early.id]);

    let done = liam
        .update_activity(overdue.id, overdue.version, &ActivityPatch { done: Some(true), ..Default::default() })
        .await
        .expect("done");
    assert!(done.done_at.is_some());
    let day = liam.my_day(0).await.expect("my day");
    assert!(day.overdue_tasks.is_empty(), "done tasks leave the list");
    let events = liam.lead_events(mine).await.expect("timeline");
    assert!(events
        .iter()
        .any(|e| e.kind == LeadEventKind::TaskDone && e.note.as_deref() == Some("Task — Send the quote")));

    // A task for Liam on a lead he may not read stays out of his day.
    let other = lead(&admin, "Other", Some(maya_me.user.id)).await;
    admin
        .create_activity(&NewActivity {
            assignee_id: Some(liam_me.user.id),
            ..task("Assigned by the admin", noon - Duration::hours(1))
        })
        .await
        .expect("assigned");
    let on_other =
        NewActivity { record_id: other.to_string(), assignee_id: Some(liam_me.user.id), ..task("Hidden", noon) };
    admin.create_activity(&on_other).await.expect("hidden task");
    let day = liam.my_day(0).await.expect("my day");
    let subjects: Vec<_> = day.overdue_tasks.iter().chain(&day.today_tasks).map(|a| a.subject.as_str()).collect();
    assert_eq!(subjects, ["Assigned by the admin", "Call back"], "only tasks on records Liam may read");
}

#[tokio::test]
async fn the_calendar_feed_lists_the_users_meetings_and_tasks_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Feed").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let mine = lead(&admin, "Ada", Some(liam_me.user.id)).await;
    let start = Utc::now() + Duration::days(3);
    let meeting = liam
        .create_activity(&NewActivity {
            subject: "Demo, with pricing; and Q&A".into(),
            starts_at: Some(start),
            ends_at: Some(start + Duration::hours(1)),
            time_zone: Some("Europe/Berlin".into()),
            ..on(mine, ActivityKind::Meeting)
        })
        .await
        .expect("meeting");
    let task = liam
        .create_activity(&NewActivity {
            subject: "Send the quote".into(),
            due_at: Some(start),
            priority: Some(Priority::High),
            ..on(mine, ActivityKind::Task)
        })
        .await
        .expect("task");
    liam.create_activity(&call(mine)).await.expect("a call is not in a calendar");

    assert!(!liam.calendar_feed().await.expect("status").active);
    let feed = liam.create_calendar_feed().await.expect("feed");
    assert!(liam.calendar_feed().await.expect("status").active);
    let path = feed.url.split_once("/api/v1/").map(|(_, p)| format!("/api/v1/{p}")).expect("path");
    let get = |path: String| {
        let http = app.http();
        let url = app.url(&path);
        async move { http.get(url).send().await.expect("feed") }
    };
    let r = get(path.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = r.text().await.expect("text").replace("\r\n ", "");
    assert!(text.contains("X-WR-CALNAME:Kith — Liam Rep\r\n"));
    assert!(text.contains(&format!("UID:{}@kith\r\n", meeting.id)));
    assert!(text.contains("SUMMARY:Demo\\, with pricing\\; and Q&A\r\n"));
    assert!(text.contains(&format!("UID:{}@kith\r\n", task.id)));
    assert_eq!(text.matches("BEGIN:VEVENT").count() + text.matches("BEGIN:VTODO").count(), 2);

    // A new address revokes the old one; revoking ends both.
    let rotated = liam.create_calendar_feed().await.expect("rotate");
    assert_ne!(rotated.url, feed.url);
    assert_eq!(get(path).await.status(), 404);
    let new_path = rotated.url.split_once("/api/v1/").map(|(_, p)| format!("/api/v1/{p}")).expect("path");
    assert_eq!(get(new_path.clone()).await.status(), 200);
    liam.revoke_calendar_feed().await.expect("revoke");
    assert_eq!(get(new_path).await.status(), 404);
    assert_eq!(get("/api/v1/public/calendar/kcal_nonsense".into()).await.status(), 404);
}

fn reminders_sent(app: &TestApp, to: &str) -> (i64, i64) {
    use kith_db::schema::{notifications, outbox_emails};
    let mut conn = app.pool.get().expect("conn");
    let inbox: i64 = notifications::table
        .filter(notifications::kind.eq("activity_reminder"))
        .count()
        .get_result(&mut *conn)
        .expect("notifications");
    let emails: i64 = outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .filter(outbox_emails::subject.like("Reminder:%"))
        .count()
        .get_result(&mut *conn)
        .expect("emails");
    (inbox, emails)
}

#[tokio::test]
async fn a_reminder_goes_out_once_in_the_app_and_by_email_with_two_workers_racing() {
    let app = TestApp::spawn().await;
    let nine = Utc.with_ymd_and_hms(2030, 5, 6, 9, 0, 0).unwrap();
    app.set_clock(nine);
    let (admin, _) = app.signup("Reminders").await;
    let (liam, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;
    let mine = lead(&admin, "Ada", Some(liam_me.user.id)).await;
    let task = liam
        .create_activity(&NewActivity {
            subject: "Send the quote".into(),
            due_at: Some(nine + Duration::hours(8)),
            remind_at: Some(nine + Duration::hours(7)),
            ..on(mine, ActivityKind::Task)
        })
        .await
        .expect("task");
    let to = liam_me.user.email.clone();
    let race = |app: &TestApp| {
        std::thread::scope(|s| {
            let a = s.spawn(|| kith_api::worker::run_due_jobs(&app.state, "worker-a").expect("worker a"));
            let b = s.spawn(|| kith_api::worker::run_due_jobs(&app.state, "worker-b").expect("worker b"));
            (a.join().expect("a"), b.join().expect("b"))
        })
    };
    race(&app);
    assert_eq!(reminders_sent(&app, &to), (0, 0), "not before its time");
    app.advance(Duration::hours(7));
    race(&app);
    race(&app);
    assert_eq!(reminders_sent(&app, &to), (1, 1), "once, in the app and by email");
    let n = liam.notifications(&Default::default()).await.expect("inbox");
    assert!(n.items.iter().any(|x| x.title == "Reminder: Task — Send the quote (Ada)"), "{:?}", n.items);
    assert!(liam.get_activity(task.id).await.expect("task").reminded_at.is_some());

    // A new reminder time reminds again, once; the old job finds nothing to do.
    let later = liam
        .update_activity(
            task.id,
            liam.get_activity(task.id).await.expect("task").version,
            &ActivityPatch { remind_at: Some(Some(nine + Duration::hours(10))), ..Default::default() },
        )
        .await
        .expect("later");
    assert!(later.reminded_at.is_none());
    app.advance(Duration::hours(4));
    race(&app);
    race(&app);
    assert_eq!(reminders_sent(&app, &to), (2, 2));

    // A deleted activity does not remind.
    let gone = liam
        .create_activity(&NewActivity {
            body: "Follow up".into(),
            remind_at: Some(nine + Duration::hours(12)),
            ..on(mine, ActivityKind::Note)
        })
        .await
        .expect("note");
    liam.delete_activity(gone.id).await.expect("delete");
    app.advance(Duration::hours(2));
    race(&app);
    assert_eq!(reminders_sent(&app, &to), (2, 2));
}
