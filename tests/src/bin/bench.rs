//! `make bench`: measured figures for the lead engine, on SQLite (or PostgreSQL with
//! KITH_TEST_BACKEND=postgres). BENCH_LEADS sets the size of the list/search benchmark and the CSV
//! import (default 10,000; use 1000000 for the 1M figures, which take minutes to seed).

use std::time::{Duration, Instant};

use kith_domain::imports::{DuplicatePolicy, ImportMapping};
use kith_domain::leads::{LeadListQuery, NewLead};
use kith_domain::webforms::*;
use kith_tests::TestApp;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn timed<F, Fut>(n: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        samples.push(t.elapsed());
    }
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.95))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new("error")).init();
    let size: usize = std::env::var("BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let backend = format!("{:?}", kith_tests::backend());
    let app = TestApp::spawn_with(|c| {
        c.webform_ip_per_minute = 1_000_000;
        c.webform_form_per_minute = 1_000_000;
        c.workers = Some(2);
        c.db_pool_size = 8;
    })
    .await;
    let (admin, _) = app.signup("Bench").await;
    println!(
        "Kith benchmarks — backend {backend}, {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!();

    // 1. Creating leads through the API, 8 clients at once.
    let n = 2000;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = admin.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..n).step_by(8) {
                client
                    .create_lead(&NewLead {
                        first_name: format!("Api{i}"),
                        email: Some(format!("api{i}@bench.test")),
                        company_name: "Bench".into(),
                        ..Default::default()
                    })
                    .await
                    .expect("create");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("| create lead via API (8 clients) | {n} leads | {:.0} leads/s |", n as f64 / secs);

    // 2. Web form submissions (script embed JSON), 8 clients at once.
    let form = admin
        .create_web_form(&WebFormInput {
            name: "Bench".into(),
            fields: vec![
                FormField { name: "name".into(), label: "Name".into(), target: FormTarget::FullName, required: true },
                FormField { name: "email".into(), label: "Email".into(), target: FormTarget::Email, required: true },
            ],
            consent_text: None,
            thank_you_message: "Thanks".into(),
            redirect_url: None,
            allowed_origins: vec![],
            tags: vec![],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 0,
            active: true,
        })
        .await
        .expect("form");
    let url = app.url(&format!("/api/v1/public/forms/{}/submissions", form.id));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (http, url) = (app.http(), url.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..n).step_by(8) {
                let r = http
                    .post(&url)
                    .json(&serde_json::json!({"name": format!("Form {i}"), "email": format!("form{i}@bench.test")}))
                    .send()
                    .await
                    .expect("post");
                assert_eq!(r.status().as_u16(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("| web form submissions (8 clients) | {n} submissions | {:.0} submissions/s |", n as f64 / secs);

    // 3. CSV import of `size` rows (also seeds the list benchmark).
    let mut csv = String::with_capacity(size * 60);
    csv.push_str("first_name,last_name,email,company,country,employees\n");
    for i in 0..size {
        csv.push_str(&format!(
            "First{i},Last{},person{i}@import.test,Company {},DE,{}\n",
            i % 977,
            i % 5003,
            1 + i % 900
        ));
    }
    let mut conn = app.pool.get().expect("conn");
    let me = admin.me().await.expect("me");
    let scope = kith_db::organizations::operator_scope(&mut conn, me.organization.id).expect("scope");
    if std::env::var("BENCH_NO_FTS").is_ok() {
        use diesel::RunQueryDsl;
        diesel::sql_query("DROP TRIGGER fts_leads_after_insert").execute(&mut *conn).expect("drop");
    }
    let started = Instant::now();
    let upload = kith_db::imports::upload(&mut conn, &scope, "bench.csv", csv.as_bytes()).expect("upload");
    let upload_secs = started.elapsed().as_secs_f64();
    kith_db::imports::set_mapping(
        &mut conn,
        &scope,
        upload.id,
        &ImportMapping {
            columns: upload.suggested.clone(),
            duplicate_policy: DuplicatePolicy::Skip,
            tags: vec![],
            owner_id: None,
        },
    )
    .expect("map");
    let started = Instant::now();
    loop {
        let (_, more) = kith_db::imports::process_batch(&mut conn, upload.id).expect("batch");
        if !more {
            break;
        }
    }
    let import_secs = started.elapsed().as_secs_f64();
    drop(conn);
    println!("| CSV upload (streamed into the database) | {size} rows | {:.0} rows/s |", size as f64 / upload_secs);
    println!("| CSV import (dedupe, assign, score, audit) | {size} rows | {:.0} rows/s |", size as f64 / import_secs);

    // 4. List and search latency with `size` + 4000 leads in the organization.
    let total = size + 2 * n;
    let (p50, p95) = timed(50, |_| {
        let c = admin.clone();
        async move {
            c.list_leads(&LeadListQuery { limit: Some(50), ..Default::default() }).await.expect("list");
        }
    })
    .await;
    println!("| list first page (50, newest first) | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let mut cursor = None;
    for _ in 0..10 {
        cursor = admin
            .list_leads(&LeadListQuery {
                limit: Some(50),
                cursor: cursor.clone(),
                sort: Some("name".into()),
                ..Default::default()
            })
            .await
            .expect("page")
            .next_cursor;
    }
    let deep = cursor.clone();
    let (p50, p95) = timed(50, |_| {
        let (c, cur) = (admin.clone(), deep.clone());
        async move {
            c.list_leads(&LeadListQuery {
                limit: Some(50),
                cursor: cur,
                sort: Some("name".into()),
                ..Default::default()
            })
            .await
            .expect("list");
        }
    })
    .await;
    println!("| list page 11 sorted by name (cursor) | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let (p50, p95) = timed(50, |i| {
        let c = admin.clone();
        async move {
            c.list_leads(&LeadListQuery { limit: Some(50), q: Some(format!("last{}", 100 + i)), ..Default::default() })
                .await
                .expect("search");
        }
    })
    .await;
    println!("| search: a last name shared by ~0.1% of leads | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let (p50, p95) = timed(50, |i| {
        let c = admin.clone();
        let q = format!("person{}@import", (i * 7919) % size);
        async move {
            c.list_leads(&LeadListQuery { limit: Some(50), q: Some(q), ..Default::default() }).await.expect("search");
        }
    })
    .await;
    println!("| search: one lead's email fragment | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let (p50, p95) = timed(50, |i| {
        let c = admin.clone();
        async move {
            c.list_leads(&LeadListQuery { limit: Some(50), q: Some(format!("nobody{i}x")), ..Default::default() })
                .await
                .expect("search");
        }
    })
    .await;
    println!("| search: no lead matches | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let (p50, p95) = timed(50, |_| {
        let c = admin.clone();
        async move {
            c.list_leads(&LeadListQuery { limit: Some(50), q: Some("company".into()), ..Default::default() })
                .await
                .expect("search");
        }
    })
    .await;
    println!("| search: a word every lead has | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
    let (p50, p95) = timed(50, |_| {
        let c = admin.clone();
        async move {
            c.list_leads(&LeadListQuery {
                limit: Some(50),
                min_score: Some(1),
                sort: Some("-score".into()),
                ..Default::default()
            })
            .await
            .expect("filter");
        }
    })
    .await;
    println!("| filter min_score + sort by score | {total} leads | p50 {} / p95 {} |", ms(p50), ms(p95));
}
