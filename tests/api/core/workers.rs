//! Two `kith worker` processes share one database; one is killed with SIGKILL in the middle of the
//! work. Every sequence email is still queued, and none twice (RELIABILITY H3).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, TextExpressionMethods};
use kith_client::Client;
use kith_db::schema::{jobs, outbox_emails, sequence_enrollments};
use kith_domain::leads::{LeadSource, NewLead};
use kith_domain::marketing::sequences::{SequenceInput, SequenceStep};
use kith_tests::TestApp;

/// The `kith` binary next to this test binary (`make test` builds it first).
fn kith_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("kith");
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p kith-api --bin kith` (make test does)",
        bin.display()
    );
    bin
}

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(app: &TestApp) -> Worker {
    Worker(
        Command::new(kith_binary())
            .arg("worker")
            .env("DATABASE_URL", &app.database_url)
            .env("KITH_MAIL_TRANSPORT", "off")
            .env("KITH_WORKER_POLL_MS", "100")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kith worker"),
    )
}

fn count_done(app: &TestApp) -> i64 {
    let mut conn = app.pool.get().expect("conn");
    jobs::table
        .filter(jobs::kind.eq("sequence_step"))
        .filter(jobs::status.eq("done"))
        .count()
        .get_result(&mut *conn)
        .expect("count")
}

#[tokio::test]
async fn two_worker_nodes_and_a_kill_dash_nine_miss_nothing_and_repeat_nothing() {
    const LEADS: i64 = 300;
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Acme").await;
    admin
        .create_sequence(&SequenceInput {
            name: "Welcome".into(),
            steps: vec![SequenceStep { day_offset: 0, subject: "Hi {{first_name}}".into(), body: "Welcome.".into() }],
            enroll_sources: vec![LeadSource::Api],
            enroll_form_ids: vec![],
            active: true,
        })
        .await
        .expect("sequence");
    let key = admin
        .create_api_key(&kith_domain::identity::NewApiKey {
            name: "site".into(),
            role_id: me.role.id,
            expires_at: None,
        })
        .await
        .expect("key");
    let api = Client::with_api_key(&app.address, &key.secret);
    for i in 0..LEADS {
        api.create_lead(&NewLead {
            first_name: format!("P{i}"),
            email: Some(format!("p{i}@example.test")),
            ..Default::default()
        })
        .await
        .expect("lead");
    }

    // The victim works alone until it is caught holding jobs, then dies without cleaning up.
    let mut victim = start_worker(&app);
    let victim_pid = victim.0.id();
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the worker never took a job");
        let mut conn = app.pool.get().expect("conn");
        let held: i64 = jobs::table
            .filter(jobs::status.eq("running"))
            .filter(jobs::locked_by.like(format!("%-{victim_pid}-%")))
            .count()
            .get_result(&mut *conn)
            .expect("count");
        if held > 0 {
            break;
        }
        drop(conn);
        std::thread::sleep(Duration::from_millis(1));
    }
    victim.0.kill().expect("kill -9"); // SIGKILL: no cleanup, leases stay held
    let _ = victim.0.wait();
    assert!(count_done(&app) < LEADS, "the kill came too late to prove anything; make LEADS larger");
    {
        // Time passes: the dead worker's leases run out.
        let mut conn = app.pool.get().expect("conn");
        let orphaned = diesel::update(
            jobs::table.filter(jobs::status.eq("running")).filter(jobs::locked_by.like(format!("%-{victim_pid}-%"))),
        )
        .set(jobs::locked_until.eq(Some(kith_db::now() - chrono::Duration::seconds(1))))
        .execute(&mut *conn)
        .expect("expire the dead worker's leases");
        eprintln!("the killed worker left {orphaned} leased job(s) behind");
    }
    // Two live nodes finish the work, the dead one's leased jobs included.
    let _survivor_a = start_worker(&app);
    let _survivor_b = start_worker(&app);
    while count_done(&app) < LEADS {
        assert!(started.elapsed() < Duration::from_secs(120), "jobs were missed: {} of {LEADS} done", count_done(&app));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut conn = app.pool.get().expect("conn");
    let emails: i64 = outbox_emails::table
        .filter(outbox_emails::unique_key.like("seq:%"))
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(emails, LEADS, "one email per lead, none missed, none twice");
    let sent: Vec<i32> =
        sequence_enrollments::table.select(sequence_enrollments::steps_sent).load(&mut *conn).expect("enrollments");
    assert_eq!(sent.len() as i64, LEADS);
    assert!(sent.iter().all(|n| *n == 1), "every step counted once: {sent:?}");
}
