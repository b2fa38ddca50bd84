//! `make bench`: what a real organization does, through the HTTP API, timed and checked.
//!
//! The organization is configured like the demo's (crates/api/src/seed.rs), by an admin through the API:
//! teams, users with sales roles, custom fields, scoring rules (attribute and behaviour, some decaying),
//! assignment rules (round-robin and least-loaded), a duplicate rule and a web form. Then leads arrive
//! through every channel — API creates from 16 concurrent clients, web form submissions from 16
//! visitors, a CSV import uploaded, mapped, dry-run, started and run by the server's own worker loop —
//! and the team reads them back: lists, cursor pages, filters, searches and CSV exports.
//!
//! Every answer is checked against what the program knows it sent (a lead's score, owner, tags; how
//! many leads a search or filter must find; the import's counts). A failed check, or a measured
//! operation that returns nothing it should, makes the run exit non-zero without writing results.
//!
//! Settings: KITH_TEST_BACKEND=sqlite|postgres (TEST_DATABASE_URL for the PostgreSQL server),
//! BENCH_LEADS (rows in the CSV import, default 10,000), BENCH_SAMPLES (timed requests per read
//! operation, default 200), BENCH_OUT (result file; default docs/bench/<backend>-<leads>.md).

mod baseline;
mod data;
mod measure;

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use data::{Channel, Person};
use kith_client::Client;
use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind};
use kith_domain::core::page::Page;
use kith_domain::identity::{NewInvite, NewTeam};
use kith_domain::leads::imports::{CheckStatus, DuplicatePolicy, ImportMapping, ImportStatus};
use kith_domain::leads::rules::*;
use kith_domain::leads::webforms::*;
use kith_domain::leads::{DuplicateRule, LeadListQuery, LeadSettings, LeadView, NewLead};
use kith_domain::{UserId, WebFormId};
use kith_tests::TestApp;
use measure::{latency, n, secs, Checks, Report, Samples};

/// Concurrent clients for the write workloads.
const CLIENTS: usize = 16;
/// API creates and web form submissions (timed), after untimed warm-up ones.
const API_LEADS: usize = 2_000;
const FORM_SUBMISSIONS: usize = 2_000;
const WRITE_WARMUP: usize = 32;
/// Untimed requests before each read operation's samples.
const WARMUP: usize = 5;
const PAGE: usize = 50;
const ORIGIN: &str = "https://www.bench.example";
const THANKS: &str = "Thank you! Someone from our team will reply within one business day.";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// The people of the organization, created through the API.
struct Org {
    admin: Client,
    admin_email: String,
    /// Users per sales team (index 0 North America, 1 Europe): the only owners the rules may pick.
    team_users: [Vec<UserId>; 2],
    /// A North America sales rep, signed in.
    rep: Client,
    rep_id: UserId,
    form_id: WebFormId,
}

fn lower_join(l: &LeadView) -> String {
    [
        l.first_name.as_str(),
        l.last_name.as_str(),
        l.email.as_deref().unwrap_or(""),
        l.company_name.as_str(),
        l.phone.as_deref().unwrap_or(""),
    ]
    .join(" ")
    .to_lowercase()
}

fn sort_name(l: &LeadView) -> String {
    format!("{} {}", l.first_name, l.last_name).trim().to_lowercase()
}

/// The checks every lead created through a channel must pass: score, owner by the rules, tags.
fn check_lead(org: &Org, l: &LeadView, p: &Person, repeated: &HashSet<usize>) -> Result<(), String> {
    let want = data::expected_score(p);
    if l.score != want {
        return Err(format!("{} scored {} instead of {want}", p.email, l.score));
    }
    match (data::team_of(p), l.owner_id) {
        (None, None) => {}
        (Some(t), Some(o)) if org.team_users[t].contains(&o) => {}
        (t, o) => return Err(format!("{} ({}) is owned by {o:?}; the rules give team {t:?}", p.email, p.country)),
    }
    let mut tags = l.tags.clone();
    tags.sort();
    if tags != data::expected_tags(p, repeated) {
        return Err(format!("{} has tags {:?}, expected {:?}", p.email, tags, data::expected_tags(p, repeated)));
    }
    Ok(())
}

async fn invite(
    app: &TestApp,
    admin: &Client,
    role: kith_domain::RoleId,
    team: Option<kith_domain::TeamId>,
    name: &str,
) -> (Client, UserId) {
    let email = format!("{}@bench.kith.test", name.to_lowercase().replace(' ', "."));
    let created = admin.create_invite(&NewInvite { email, role_id: role, team_id: team }).await.expect("invite");
    let client = app.client();
    client
        .accept_invite(&kith_domain::identity::auth::AcceptInviteRequest {
            token: created.token,
            name: name.into(),
            password: kith_tests::PASSWORD.into(),
        })
        .await
        .expect("accept invite");
    let me = client.me().await.expect("me");
    (client, me.user.id)
}

/// Configure the organization like the demo's, as its admin would in the app.
async fn set_up(app: &TestApp) -> Org {
    let (admin, me) = app.signup("Northwind Bench").await;
    let mut teams = Vec::new();
    for name in ["Sales — North America", "Sales — Europe", "Customer Support"] {
        teams.push(
            admin.create_team(&NewTeam { name: name.into(), description: String::new() }).await.expect("team").id,
        );
    }
    let roles = admin.list_roles(&Default::default()).await.expect("roles").items;
    let role = |key: &str| roles.iter().find(|r| r.key.as_deref() == Some(key)).map(|r| r.id).expect("built-in role");
    let people: &[(&str, &str, Option<usize>)] = &[
        ("Maya Okafor", "manager", Some(0)),
        ("Liam Chen", "sales", Some(0)),
        ("Ava Brooks", "sales", Some(0)),
        ("Noah Tremblay", "sales", Some(0)),
        ("Sofia Rossi", "sales", Some(1)),
        ("Lukas Becker", "sales", Some(1)),
        ("Chloe Dubois", "sales", Some(1)),
        ("Noah Schmidt", "support", Some(2)),
        ("Ines Duarte", "finance", None),
    ];
    let mut team_users: [Vec<UserId>; 2] = [Vec::new(), Vec::new()];
    let mut rep = None;
    for (name, key, team) in people {
        let (client, id) = invite(app, &admin, role(key), team.map(|t| teams[t]), name).await;
        if let Some(t) = team.filter(|t| *t < 2) {
            team_users[t].push(id);
        }
        if *key == "sales" && *team == Some(0) && rep.is_none() {
            rep = Some((client, id));
        }
    }
    for (key, label, kind, options) in [
        ("budget", "Budget", CustomFieldKind::Number, vec![]),
        ("plan", "Plan", CustomFieldKind::Select, data::PLANS.iter().map(|s| s.to_string()).collect()),
        ("renewal_on", "Renewal date", CustomFieldKind::Date, vec![]),
        ("newsletter", "Newsletter", CustomFieldKind::Boolean, vec![]),
    ] {
        admin
            .create_custom_field(&CustomFieldInput {
                record_kind: "lead".into(),
                key: key.into(),
                label: label.into(),
                help_text: None,
                kind,
                options,
                required: false,
                position: None,
            })
            .await
            .expect("custom field");
    }
    admin
        .put_lead_settings(&LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(data::HOT),
            fallback_owner_id: None,
        })
        .await
        .expect("lead settings");
    let cond = |field: &str, op: Operator, values: &[&str], min: Option<i64>, max: Option<i64>| Condition {
        field: field.into(),
        op,
        values: values.iter().map(|v| v.to_string()).collect(),
        min,
        max,
    };
    let attribute = |c: Condition| ScoreTrigger::Attribute { conditions: vec![c] };
    for (name, trigger, points, decay_days) in [
        (
            "Decision maker",
            attribute(cond(
                "title",
                Operator::Contains,
                &["ceo", "founder", "owner", "head", "director", "vp"],
                None,
                None,
            )),
            data::DECISION_MAKER_POINTS,
            None,
        ),
        (
            "Company of 50–1,000 people",
            attribute(cond("company_size", Operator::Between, &[], Some(50), Some(1000))),
            data::COMPANY_SIZE_POINTS,
            None,
        ),
        (
            "Core markets",
            attribute(cond("country", Operator::In, data::CORE_MARKETS, None, None)),
            data::CORE_MARKET_POINTS,
            None,
        ),
        (
            "Budget of 10,000 or more",
            attribute(cond("custom.budget", Operator::Between, &[], Some(data::BIG_BUDGET_MIN), None)),
            data::BIG_BUDGET_POINTS,
            None,
        ),
        (
            "Enterprise plan",
            attribute(cond("custom.plan", Operator::In, &["enterprise"], None, None)),
            data::ENTERPRISE_POINTS,
            None,
        ),
        (
            "Filled in a form",
            ScoreTrigger::Behaviour { behaviour: Behaviour::FormSubmitted, max_times: Some(3) },
            data::FORM_POINTS,
            Some(90),
        ),
        (
            "Visited pricing",
            ScoreTrigger::Behaviour { behaviour: Behaviour::PageVisit, max_times: Some(5) },
            4,
            Some(30),
        ),
        (
            "Clicked a link in our email",
            ScoreTrigger::Behaviour { behaviour: Behaviour::EmailClicked, max_times: Some(3) },
            5,
            Some(60),
        ),
    ] {
        admin
            .create_scoring_rule(&ScoringRuleInput { name: name.into(), trigger, points, decay_days, active: true })
            .await
            .expect("scoring rule");
    }
    for (name, countries, target) in [
        ("North America by turns", data::NORTH_AMERICA, AssignTarget::RoundRobin { team_id: teams[0] }),
        ("Europe to whoever has room", data::EUROPE, AssignTarget::LeastLoaded { team_id: teams[1] }),
    ] {
        admin
            .create_assignment_rule(&AssignmentRuleInput {
                name: name.into(),
                conditions: vec![cond("country", Operator::In, countries, None, None)],
                target,
                capacity: None,
                active: true,
                position: None,
            })
            .await
            .expect("assignment rule");
    }
    let field = |name: &str, target: FormTarget, required: bool| FormField {
        name: name.into(),
        label: name.into(),
        target,
        required,
        custom_key: None,
    };
    let form = admin
        .create_web_form(&WebFormInput {
            name: "Website contact form".into(),
            fields: vec![
                field("name", FormTarget::FullName, true),
                field("email", FormTarget::Email, true),
                field("company", FormTarget::Company, false),
                field("title", FormTarget::Title, false),
                field("country", FormTarget::Country, false),
                field("employees", FormTarget::CompanySize, false),
                field("message", FormTarget::Message, false),
            ],
            consent_text: Some("Northwind may contact me about my request.".into()),
            thank_you_message: THANKS.into(),
            redirect_url: None,
            allowed_origins: vec![ORIGIN.into()],
            tags: vec![data::TAG_WEBSITE.into()],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 3,
            active: true,
        })
        .await
        .expect("web form");
    let (rep, rep_id) = rep.expect("a North America rep");
    Org { admin, admin_email: me.user.email, team_users, rep, rep_id, form_id: form.id }
}

fn new_lead(p: &Person) -> NewLead {
    NewLead {
        first_name: p.first.into(),
        last_name: p.last.clone(),
        title: p.title.into(),
        email: Some(p.email.clone()),
        company_name: p.company.clone(),
        company_size: Some(p.size),
        industry: Some(p.industry.into()),
        country: Some(p.country.into()),
        tags: if p.index.is_multiple_of(3) { vec![data::TAG_TRADE_FAIR.into()] } else { vec![] },
        custom: data::custom_values(p),
        ..Default::default()
    }
}

fn form_body(p: &Person) -> serde_json::Value {
    let started = chrono::Utc::now().timestamp_millis() - 20_000;
    serde_json::json!({
        "name": format!("{} {}", p.first, p.last),
        "email": p.email,
        "company": p.company,
        "title": p.title,
        "country": p.country,
        "employees": p.size.to_string(),
        "message": "Do you ship to our stores?",
        "kith_consent": "on",
        "kith_ts": started.to_string(),
        "kith_submission_id": uuid::Uuid::now_v7().to_string(),
        "kith_hp": "",
    })
}

async fn submit_form(http: &reqwest::Client, url: &str, p: &Person) -> Result<(), String> {
    let r = http.post(url).header("Origin", ORIGIN).json(&form_body(p)).send().await.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let cors = r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    if status != 200 || body["message"] != THANKS || cors.as_deref() != Some(ORIGIN) {
        return Err(format!("submission answered {status} {body} (CORS {cors:?})"));
    }
    Ok(())
}

/// Walk an export as it streams, one CSV record at a time (every cell quoted, as the export writes them).
async fn export_rows(
    client: &Client,
    q: &LeadListQuery,
    mut each: impl FnMut(&[String]),
) -> Result<(Vec<String>, usize), String> {
    let mut r = client
        .request(reqwest::Method::GET, "/api/v1/leads/export.csv")
        .query(q)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("export answered {}", r.status()));
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows = 0;
    let mut handle = |line: &[u8], header: &mut Option<Vec<String>>| -> Result<(), String> {
        let text = std::str::from_utf8(line).map_err(|e| e.to_string())?;
        let cells = parse_quoted(text.trim_end_matches('\r'))?;
        if header.is_none() {
            *header = Some(cells);
        } else {
            rows += 1;
            each(&cells);
        }
        Ok(())
    };
    while let Some(chunk) = r.chunk().await.map_err(|e| e.to_string())? {
        buf.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(pos) = buf[start..].iter().position(|b| *b == b'\n') {
            handle(&buf[start..start + pos], &mut header)?;
            start += pos + 1;
        }
        buf.drain(..start);
    }
    if !buf.is_empty() {
        handle(&buf, &mut header)?;
    }
    Ok((header.ok_or("an export without a header")?, rows))
}

/// One line of `"a","b ""c""",""`.
fn parse_quoted(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        if chars.next() != Some('"') {
            return Err(format!("an export line that is not quoted CSV: {line}"));
        }
        let mut cell = String::new();
        loop {
            match chars.next() {
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                Some('"') => break,
                Some(c) => cell.push(c),
                None => return Err(format!("an export cell without its closing quote: {line}")),
            }
        }
        cells.push(cell);
        match chars.next() {
            Some(',') => continue,
            None => return Ok(cells),
            Some(c) => return Err(format!("unexpected {c:?} after a cell: {line}")),
        }
    }
}

fn page_check(page: &Page<LeadView>, expected: usize, what: &str) -> Result<(), String> {
    let want = expected.min(PAGE);
    if page.items.len() != want {
        return Err(format!("{what}: {} leads on the page, expected {want} (of {expected})", page.items.len()));
    }
    if page.next_cursor.is_some() != (expected > PAGE) {
        return Err(format!("{what}: next_cursor {:?} with {expected} matching leads", page.next_cursor.is_some()));
    }
    Ok(())
}

fn ratio(rate: f64, base: Option<f64>) -> String {
    match base {
        Some(b) if b > 0.0 => {
            let pct = 100.0 * rate / b;
            if pct < 10.0 {
                format!(" ({pct:.1} % of raw inserts)")
            } else {
                format!(" ({pct:.0} % of raw inserts)")
            }
        }
        _ => String::new(),
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Start the worker loop `kith serve` runs (jobs, rescoring, outbox) on its own actix system, against
/// the server's state: imports, dry runs and decay run exactly as in production.
fn start_worker(state: kith_api::state::AppState) {
    let mailer = std::sync::Arc::new(kith_api::mailer::Mailer::for_state(&state).expect("mailer"));
    std::thread::Builder::new()
        .name("kith-worker".into())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                kith_api::worker::spawn(state, mailer);
                std::future::pending::<()>().await
            })
        })
        .expect("worker thread");
}

async fn db_version(app: &TestApp) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let Ok(mut c) = app.pool.get() else { return "?".into() };
    let sql = match kith_tests::backend() {
        kith_db::Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS v",
        kith_db::Backend::Postgres => "SELECT current_setting('server_version') AS v",
    };
    let v = diesel::sql_query(sql).get_result::<V>(&mut *c).map(|r| r.v).unwrap_or_else(|_| "?".into());
    match kith_tests::backend() {
        kith_db::Backend::Postgres => format!("PostgreSQL {v}"),
        kith_db::Backend::Sqlite => v,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // r2d2 reports the pool's connections to the dropped database at the end; a lost connection during
    // the run fails requests, and so checks, anyway.
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new("error,r2d2=off")).init();
    let run_started = Instant::now();
    let started_at = chrono::Utc::now();
    let rows = env_usize("BENCH_LEADS", 10_000);
    let samples = env_usize("BENCH_SAMPLES", 200);
    let backend = match kith_tests::backend() {
        kith_db::Backend::Sqlite => "sqlite",
        kith_db::Backend::Postgres => "postgres",
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let load_before = measure::load_average();
    let mut checks = Checks::default();
    let mut report = Report::default();
    println!("Kith benchmark — {backend}, {} import rows, {samples} samples per read, {cores} cores", n(rows));
    println!();
    println!("| operation | data | result | samples | what the run checked |");
    println!("|---|---|---|---|---|");

    // 0. What the database does alone.
    let base = match baseline::run(API_LEADS, CLIENTS) {
        Ok(b) => {
            report.add(
                "raw database insert (baseline: one row per transaction, no HTTP, no Kith code)",
                format!("{} rows, {} connections", n(b.rows), b.clients),
                format!("{:.0} rows/s", b.per_second()),
                format!("{} inserts in {}", n(b.rows), secs(b.wall)),
                "row count",
            );
            Some(b.per_second())
        }
        Err(e) => {
            checks.ensure(false, || format!("baseline: {e}"));
            None
        }
    };

    // 1. The server as `kith serve` runs it: default HTTP workers (one per core) and pool size, the
    //    worker loop inside. Only the web form rate limits are lifted (every visitor here has one IP).
    let app = TestApp::spawn_with(|c| {
        c.clock = kith_db::Clock::system();
        c.workers = None;
        c.db_pool_size = 10;
        c.webform_ip_per_minute = 1_000_000;
        c.webform_form_per_minute = 1_000_000;
    })
    .await;
    start_worker(app.state.clone());
    let db = db_version(&app).await;
    let setup_started = Instant::now();
    let org = set_up(&app).await;
    let setup = setup_started.elapsed();
    println!("(organization set up through the API in {})", secs(setup));
    let repeated = data::api_leads_repeated(rows, WRITE_WARMUP + API_LEADS);

    // 2. API creates: 16 clients, each its own session of the admin (an integration or a team pasting
    //    leads in), every lead scored and assigned by the rules and checked on return.
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let c = app.client();
        c.login(&org.admin_email, kith_tests::PASSWORD).await.expect("login");
        clients.push(c);
    }
    let org = std::sync::Arc::new(org);
    let api_total = WRITE_WARMUP + API_LEADS;
    let _ = latency(
        &mut checks,
        "API create (warm-up)",
        WRITE_WARMUP,
        0,
        |i| {
            let (c, p) = (clients[i % CLIENTS].clone(), data::person(Channel::Api, i));
            async move { c.create_lead(&new_lead(&p)).await.map_err(|e| e.to_string()).map(|l| (l, p)) }
        },
        |_, (l, p)| check_lead(&org, l, p, &HashSet::new()),
    )
    .await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, client) in clients.iter().enumerate() {
        let (client, org) = (client.clone(), org.clone());
        tasks.push(tokio::spawn(async move {
            let (mut s, mut errors) = (Samples::default(), Vec::new());
            for i in (WRITE_WARMUP + w..api_total).step_by(CLIENTS) {
                let p = data::person(Channel::Api, i);
                let t = Instant::now();
                let r = client.create_lead(&new_lead(&p)).await;
                s.push(t.elapsed());
                match r {
                    Ok(l) => {
                        if let Err(e) = check_lead(&org, &l, &p, &HashSet::new()) {
                            errors.push(e)
                        }
                    }
                    Err(e) => errors.push(format!("create {}: {e}", p.email)),
                }
            }
            (s, errors)
        }));
    }
    let mut create_samples = Samples::default();
    let mut errors = Vec::new();
    for t in tasks {
        let (s, e) = t.await.expect("task");
        create_samples.extend(s);
        errors.extend(e);
    }
    checks.many("API create", &errors);
    let wall = started.elapsed();
    let rate = API_LEADS as f64 / wall.as_secs_f64();
    report.add(
        "create a lead via the API (16 clients; duplicate check, assignment, scoring, audit)",
        format!("{} leads", n(API_LEADS)),
        format!("{rate:.0} leads/s{} · {}", ratio(rate, base), create_samples.summary()),
        format!("n = {} after {WRITE_WARMUP} warm-up, {} wall", create_samples.len(), secs(wall)),
        "each answer: score, owner by the rules, tags",
    );

    // 3. Web form submissions: the script embed's JSON post from 16 visitors, from the allowed origin.
    let url = app.url(&format!("/api/v1/public/forms/{}/submissions", org.form_id));
    let https: Vec<reqwest::Client> = (0..CLIENTS).map(|_| reqwest::Client::new()).collect();
    let _ = latency(
        &mut checks,
        "web form (warm-up)",
        WRITE_WARMUP,
        0,
        |i| {
            let (http, url, p) = (https[i % CLIENTS].clone(), url.clone(), data::person(Channel::Form, i));
            async move { submit_form(&http, &url, &p).await }
        },
        |_, _| Ok(()),
    )
    .await;
    let forms_total = WRITE_WARMUP + FORM_SUBMISSIONS;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, http) in https.iter().enumerate() {
        let (http, url) = (http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let (mut s, mut errors) = (Samples::default(), Vec::new());
            for i in (WRITE_WARMUP + w..forms_total).step_by(CLIENTS) {
                let p = data::person(Channel::Form, i);
                let t = Instant::now();
                let r = submit_form(&http, &url, &p).await;
                s.push(t.elapsed());
                if let Err(e) = r {
                    errors.push(e);
                }
            }
            (s, errors)
        }));
    }
    let mut form_samples = Samples::default();
    let mut errors = Vec::new();
    for t in tasks {
        let (s, e) = t.await.expect("task");
        form_samples.extend(s);
        errors.extend(e);
    }
    checks.many("web form", &errors);
    let wall = started.elapsed();
    let rate = FORM_SUBMISSIONS as f64 / wall.as_secs_f64();
    report.add(
        "web form submission (16 visitors, JSON embed; bot checks, capture, behaviour score)",
        format!("{} submissions", n(FORM_SUBMISSIONS)),
        format!("{rate:.0} submissions/s{} · {}", ratio(rate, base), form_samples.summary()),
        format!("n = {} after {WRITE_WARMUP} warm-up, {} wall", form_samples.len(), secs(wall)),
        "each answer 200 + thanks + CORS; later: every submission is a lead with its score",
    );

    // 4. The CSV import as the SPA runs it: upload the file's text, map, dry run, start; the worker
    //    runs it; the client polls the import until it is done.
    let admin = &org.admin;
    let expect = data::file_counts(rows, api_total);
    let mut csv = String::with_capacity(rows * 170);
    csv.push_str(data::CSV_HEADER);
    csv.push('\n');
    for i in 0..rows {
        data::csv_line(i, api_total, &mut csv);
    }
    let bytes = csv.len();
    let started = Instant::now();
    let upload = admin.upload_import("bench.csv", csv).await.expect("upload");
    let upload_time = started.elapsed();
    checks.ensure(upload.total_rows == rows as i64 && upload.status == ImportStatus::Uploaded, || {
        format!("upload: {} rows, status {:?}; sent {rows}", upload.total_rows, upload.status)
    });
    let targets: Vec<String> =
        upload.suggested.iter().map(|c| c.target.as_ref().map(|t| t.to_string()).unwrap_or_default()).collect();
    let want_targets = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "title",
        "country",
        "company_size",
        "industry",
        "custom.budget",
        "custom.plan",
        "custom.renewal_on",
        "custom.newsletter",
        "message",
    ];
    checks.ensure(targets == want_targets, || format!("suggested mapping {targets:?}, expected {want_targets:?}"));
    report.add(
        "CSV upload (HTTP body streamed into the database)",
        format!("{} rows, {:.1} MB", n(rows), bytes as f64 / 1e6),
        format!("{:.0} rows/s", rows as f64 / upload_time.as_secs_f64()),
        format!("1 upload, {}", secs(upload_time)),
        "row count, suggested mapping of all 14 columns",
    );
    let mapping = ImportMapping {
        columns: upload.suggested.clone(),
        duplicate_policy: DuplicatePolicy::Update,
        tags: vec![data::TAG_IMPORTED.into()],
        owner_id: None,
    };
    admin.map_import(upload.id, &mapping).await.expect("mapping");
    let poll = Duration::from_millis(100);
    let deadline = |started: Instant| started.elapsed() < Duration::from_secs(120 + rows as u64 / 20);
    let started = Instant::now();
    admin.dry_run_import(upload.id).await.expect("dry run");
    loop {
        let v = admin.get_import(upload.id).await.expect("import");
        match v.check.map(|c| c.status) {
            Some(CheckStatus::Done) => break,
            Some(CheckStatus::Failed) => {
                checks.ensure(false, || format!("dry run failed: {:?}", v.error));
                break;
            }
            _ if !deadline(started) => {
                checks.ensure(false, || "dry run did not finish".into());
                break;
            }
            _ => tokio::time::sleep(poll).await,
        }
    }
    let dry_time = started.elapsed();
    let report_dry = admin.import_check_report(upload.id).await.expect("dry run report");
    checks.ensure(
        report_dry.rows == expect.rows as i64
            && report_dry.invalid == expect.invalid as i64
            && report_dry.duplicates_existing == expect.repeats_of_existing as i64
            && report_dry.duplicates_in_file == expect.repeats_in_file as i64,
        || format!("dry run found {report_dry:?}; the file has {expect:?}"),
    );
    report.add(
        "CSV dry run (worker; validation and duplicate check of every row)",
        format!("{} rows", n(rows)),
        format!("{:.0} rows/s", rows as f64 / dry_time.as_secs_f64()),
        format!("1 run, {} from request to done as the client saw it", secs(dry_time)),
        &format!(
            "{} invalid, {} duplicates of leads, {} repeats within the file",
            n(expect.invalid),
            n(expect.repeats_of_existing),
            n(expect.repeats_in_file)
        ),
    );
    let started = Instant::now();
    admin.start_import(upload.id).await.expect("start");
    let done = loop {
        let v = admin.get_import(upload.id).await.expect("import");
        match v.status {
            ImportStatus::Completed => break Some(v),
            ImportStatus::Failed => {
                checks.ensure(false, || format!("import failed: {:?}", v.error));
                break None;
            }
            _ if !deadline(started) => {
                checks.ensure(false, || "import did not finish".into());
                break None;
            }
            _ => tokio::time::sleep(poll).await,
        }
    };
    let import_time = started.elapsed();
    let created = expect.new as i64;
    let merged = (expect.repeats_in_file + expect.repeats_of_existing) as i64;
    if let Some(v) = &done {
        let p = &v.progress;
        checks.ensure(
            p.processed == rows as i64
                && p.created == created
                && p.updated == merged
                && p.skipped == 0
                && p.failed == expect.invalid as i64,
            || {
                format!(
                    "import progress {p:?}; expected {created} created, {merged} updated, {} failed",
                    expect.invalid
                )
            },
        );
        let server = match (v.started_at, v.finished_at) {
            (Some(a), Some(b)) => {
                format!("; {:.1} s from its first batch to done", (b - a).num_milliseconds() as f64 / 1000.0)
            }
            _ => String::new(),
        };
        let rate = rows as f64 / import_time.as_secs_f64();
        report.add(
            "CSV import (worker; duplicate rule, assignment, scoring, custom fields, tags, audit, search index)",
            format!("{} rows", n(rows)),
            format!("{rate:.0} rows/s{}", ratio(rate, base)),
            format!(
                "1 run, {} from start to done as the client saw it (polling every 100 ms){server}",
                secs(import_time)
            ),
            &format!(
                "{} created, {} merged into existing leads, {} failed",
                n(expect.new),
                n(merged as usize),
                n(expect.invalid)
            ),
        );
    }

    // 5. What the organization now holds, computed from the generator: totals, the hot leads, search hits.
    let total = api_total + forms_total + expect.new;
    let rare: Vec<String> = (0..20).map(|j| data::surname(7 + j * 49).to_lowercase()).collect();
    let mut fragments = Vec::new();
    let mut k = 0usize;
    while fragments.len() < 20 && rows > 0 {
        let i = (k * 7919 + 13) % rows;
        k += 1;
        if data::row_kind(i, api_total) == data::Row::New {
            let p = data::person(Channel::Import, i);
            fragments.push(format!("{}.i{i}@", p.last.to_lowercase()));
        }
        if k > rows * 2 {
            break;
        }
    }
    let misses: Vec<String> = (0..20).map(|j| format!("zqxv{j}k")).collect();
    let common = "example".to_owned();
    let terms: Vec<&String> = rare.iter().chain(&fragments).chain(&misses).chain(std::iter::once(&common)).collect();
    let mut hits = vec![0usize; terms.len()];
    let (mut hot, mut enterprise) = (0usize, 0usize);
    data::each_lead(api_total, forms_total, rows, |p| {
        let text = data::search_text(p);
        for (h, t) in hits.iter_mut().zip(&terms) {
            if text.contains(t.as_str()) {
                *h += 1;
            }
        }
        if data::expected_score(p) >= data::HOT {
            hot += 1;
        }
        if p.plan == Some("enterprise") {
            enterprise += 1;
        }
    });
    let expected_hits = |t: &String| terms.iter().position(|x| *x == t).map(|i| hits[i]).unwrap_or(0);
    let rare_hits: Vec<usize> = rare.iter().map(expected_hits).collect();
    checks.ensure(hot > PAGE && enterprise > PAGE, || {
        format!("too few hot ({hot}) or enterprise ({enterprise}) leads for a full page")
    });
    checks.ensure(rare_hits.iter().all(|h| *h > 0) && expected_hits(&common) == total, || {
        format!("search terms: rare names hit {rare_hits:?}, the common word {} of {total}", expected_hits(&common))
    });

    // 6. The full export: every lead checked against what it should be; it also gives per-owner counts.
    let mut seen = [vec![false; api_total], vec![false; forms_total], vec![false; rows]];
    let mut owners: std::collections::HashMap<String, usize> = Default::default();
    let mut wrong: Vec<String> = Vec::new();
    let started = Instant::now();
    let exported = export_rows(admin, &LeadListQuery::default(), |cells| {
        if cells.len() < 17 {
            wrong.push(format!("an export row with {} cells", cells.len()));
            return;
        }
        let (email, owner, score, tags, country) = (&cells[4], &cells[13], &cells[14], &cells[15], &cells[10]);
        let Some((channel, i)) = data::origin_of(email) else {
            wrong.push(format!("an exported lead the run did not send: {email}"));
            return;
        };
        let slot = match channel {
            Channel::Api => 0,
            Channel::Form => 1,
            Channel::Import => 2,
        };
        match seen[slot].get_mut(i) {
            Some(s) if !*s => *s = true,
            _ => {
                wrong.push(format!("{email} exported twice or never sent"));
                return;
            }
        }
        let p = data::person(channel, i);
        let want_score = data::expected_score(&p);
        if score.parse::<i32>().ok() != Some(want_score) {
            wrong.push(format!("{email}: score {score}, expected {want_score}"));
        }
        let owner_ok = match data::team_of(&p) {
            None => owner.is_empty(),
            Some(t) => org.team_users[t].iter().any(|u| u.to_string() == *owner),
        };
        if !owner_ok {
            wrong.push(format!("{email} ({country}): owner {owner:?} is not what the rules give"));
        }
        let mut got: Vec<String> = tags.split(';').filter(|t| !t.is_empty()).map(str::to_owned).collect();
        got.sort();
        if got != data::expected_tags(&p, &repeated) {
            wrong.push(format!("{email}: tags {got:?}"));
        }
        if !owner.is_empty() {
            *owners.entry(owner.clone()).or_default() += 1;
        }
    })
    .await;
    let export_time = started.elapsed();
    match exported {
        Ok((header, count)) => {
            let fixed = [
                "id",
                "first_name",
                "last_name",
                "title",
                "email",
                "phone",
                "company_name",
                "company_domain",
                "company_size",
                "industry",
                "country",
                "source",
                "status",
                "owner_id",
                "score",
                "tags",
                "created_at",
            ];
            checks.ensure(header.iter().take(17).map(String::as_str).eq(fixed), || format!("export header {header:?}"));
            let missing = seen.iter().map(|s| s.iter().filter(|x| !**x).count()).collect::<Vec<_>>();
            let missing_import =
                (0..rows).filter(|i| data::row_kind(*i, api_total) == data::Row::New && !seen[2][*i]).count();
            checks.ensure(count == total && missing[0] == 0 && missing[1] == 0 && missing_import == 0, || {
                format!("the export has {count} leads, expected {total} (missing: {} API, {} form, {missing_import} import)", missing[0], missing[1])
            });
            checks.many("export", &wrong);
            report.add(
                "CSV export of every lead (streamed)",
                format!("{} leads", n(total)),
                format!("{:.0} leads/s", count as f64 / export_time.as_secs_f64()),
                format!("1 export, {}", secs(export_time)),
                "every lead once: score, owner, tags as the rules give",
            );
        }
        Err(e) => {
            checks.ensure(false, || format!("export: {e}"));
        }
    }
    let rep_count = owners.get(&org.rep_id.to_string()).copied().unwrap_or(0);
    checks.ensure(rep_count > PAGE, || format!("the rep owns {rep_count} leads: too few for a full page"));

    // 7. Reads, as the team uses the list: warm-up, then `samples` timed requests each.
    let data_desc = format!("{} leads", n(total));
    let sample_note = |s: &Samples| format!("n = {} after {WARMUP} warm-up", s.len());
    let list = |c: &Client, q: LeadListQuery| {
        let c = c.clone();
        async move { c.list_leads(&q).await.map_err(|e| e.to_string()) }
    };
    let q50 = LeadListQuery { limit: Some(PAGE as u32), ..Default::default() };

    let s = latency(
        &mut checks,
        "list first page",
        WARMUP,
        samples,
        |_| list(admin, q50.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, total, "first page")?;
            if p.items.windows(2).any(|w| w[0].created_at < w[1].created_at) {
                return Err("first page not newest first".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "list: first page (50, newest first)",
        data_desc.clone(),
        s.summary(),
        sample_note(&s),
        "50 leads, newest first",
    );

    let s = latency(
        &mut checks,
        "list as a sales rep",
        WARMUP,
        samples,
        |_| list(&org.rep, q50.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, rep_count, "rep's first page")?;
            if p.items.iter().any(|l| l.owner_id != Some(org.rep_id)) {
                return Err("a rep sees a lead they do not own".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "list: first page as a sales rep (role limited to own leads)",
        format!("{} leads, {} the rep's", n(total), n(rep_count)),
        s.summary(),
        sample_note(&s),
        "50 leads, all the rep's",
    );

    let cursor: RefCell<(Option<String>, Option<String>, usize)> = RefCell::new((None, None, 0));
    let s = latency(
        &mut checks,
        "cursor pages by name",
        WARMUP,
        samples,
        |_| list(admin, LeadListQuery { cursor: cursor.borrow().0.clone(), sort: Some("name".into()), ..q50.clone() }),
        |_, p: &Page<LeadView>| {
            let mut state = cursor.borrow_mut();
            let names: Vec<String> = p.items.iter().map(sort_name).collect();
            let continues = state.1.as_ref().is_none_or(|last| names.first().is_some_and(|f| f >= last));
            let ordered = names.windows(2).all(|w| w[0] <= w[1]);
            let seen_before = state.2;
            let full = p.items.len() == PAGE || (p.next_cursor.is_none() && seen_before + p.items.len() == total);
            state.2 = if p.next_cursor.is_some() { seen_before + p.items.len() } else { 0 };
            state.0 = p.next_cursor.clone();
            state.1 = if p.next_cursor.is_some() { names.last().cloned() } else { None };
            if !(continues && ordered && full) {
                return Err(format!("cursor page: ordered {ordered}, continues {continues}, {} leads", p.items.len()));
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "list: next page by cursor, sorted by name (walking the list)",
        data_desc.clone(),
        s.summary(),
        sample_note(&s),
        "each page 50 leads, in name order after the last",
    );

    let q_hot = LeadListQuery { min_score: Some(data::HOT), sort: Some("-score".into()), ..q50.clone() };
    let s = latency(
        &mut checks,
        "hot leads",
        WARMUP,
        samples,
        |_| list(admin, q_hot.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, hot, "min_score")?;
            if p.items.iter().any(|l| l.score < data::HOT) || p.items.windows(2).any(|w| w[0].score < w[1].score) {
                return Err("min_score page has a lower score or is out of order".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        &format!("filter: min_score {} + sort by score", data::HOT),
        format!("{} leads, {} at or above", n(total), n(hot)),
        s.summary(),
        sample_note(&s),
        "50 leads, all ≥ threshold, highest first",
    );

    let q_owner = LeadListQuery { owner_id: Some(org.rep_id), ..q50.clone() };
    let s = latency(
        &mut checks,
        "owner filter",
        WARMUP,
        samples,
        |_| list(admin, q_owner.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, rep_count, "owner filter")?;
            if p.items.iter().any(|l| l.owner_id != Some(org.rep_id)) {
                return Err("owner filter returned another owner's lead".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "filter: owner (a rep's leads, as a manager looks)",
        format!("{} leads, {} the rep's", n(total), n(rep_count)),
        s.summary(),
        sample_note(&s),
        "50 leads, all that owner's",
    );

    let q_tag = LeadListQuery { tag: Some(data::TAG_WEBSITE.into()), ..q50.clone() };
    let s = latency(
        &mut checks,
        "tag filter",
        WARMUP,
        samples,
        |_| list(admin, q_tag.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, forms_total, "tag filter")?;
            if p.items.iter().any(|l| !l.tags.iter().any(|t| t == data::TAG_WEBSITE)) {
                return Err("tag filter returned a lead without the tag".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "filter: tag",
        format!("{} leads, {} tagged", n(total), n(forms_total)),
        s.summary(),
        sample_note(&s),
        "50 leads, all with the tag",
    );

    let q_plan =
        LeadListQuery { custom_field: Some("plan".into()), custom_value: Some("Enterprise".into()), ..q50.clone() };
    let s = latency(
        &mut checks,
        "custom field filter",
        WARMUP,
        samples,
        |_| list(admin, q_plan.clone()),
        |_, p: &Page<LeadView>| {
            page_check(p, enterprise, "custom field filter")?;
            if p.items.iter().any(|l| l.custom.get("plan").and_then(|v| v.as_str()) != Some("enterprise")) {
                return Err("custom field filter returned another plan".into());
            }
            Ok(())
        },
    )
    .await;
    report.add(
        "filter: custom field (plan = enterprise)",
        format!("{} leads, {} match", n(total), n(enterprise)),
        s.summary(),
        sample_note(&s),
        "50 leads, all with that value",
    );

    let searches: [(&str, &Vec<String>, &str); 3] = [
        (
            "search: a last name (about 0.1 % of leads each)",
            &rare,
            "hit count as generated (page of min(hits, 50)), every hit contains the term",
        ),
        ("search: one lead's email fragment", &fragments, "exactly the one lead"),
        ("search: a term no lead has", &misses, "no lead (the expected answer)"),
    ];
    for (what, set, checked) in searches {
        let counts: Vec<usize> = set.iter().map(expected_hits).collect();
        let s = latency(
            &mut checks,
            what,
            WARMUP,
            samples,
            |i| list(admin, LeadListQuery { q: Some(set[i % set.len()].clone()), ..q50.clone() }),
            |i, p: &Page<LeadView>| {
                let term = &set[i % set.len()];
                page_check(p, counts[i % set.len()], &format!("search {term:?}"))?;
                if p.items.iter().any(|l| !lower_join(l).contains(term.as_str())) {
                    return Err(format!("search {term:?} returned a lead without it"));
                }
                Ok(())
            },
        )
        .await;
        let (lo, hi) = (counts.iter().min().copied().unwrap_or(0), counts.iter().max().copied().unwrap_or(0));
        report.add(
            what,
            format!("{} leads; {} terms with {}–{} hits", n(total), set.len(), n(lo), n(hi)),
            s.summary(),
            sample_note(&s),
            checked,
        );
    }
    let s = latency(
        &mut checks,
        "common word",
        WARMUP,
        samples,
        |_| list(admin, LeadListQuery { q: Some(common.clone()), ..q50.clone() }),
        |_, p: &Page<LeadView>| page_check(p, total, "common word"),
    )
    .await;
    report.add("search: a word every lead has", data_desc.clone(), s.summary(), sample_note(&s), "a full page");

    // 8. Exports people download: hot leads and a tag.
    let export_samples = samples.div_ceil(10).max(5);
    for (what, q, want) in [
        (
            format!("CSV export: min_score {}", data::HOT),
            LeadListQuery { min_score: Some(data::HOT), ..Default::default() },
            hot,
        ),
        (
            "CSV export: a tag".to_owned(),
            LeadListQuery { tag: Some(data::TAG_WEBSITE.into()), ..Default::default() },
            forms_total,
        ),
    ] {
        let s = latency(
            &mut checks,
            &what,
            2,
            export_samples,
            |_| {
                let (c, q) = (admin.clone(), q.clone());
                async move { export_rows(&c, &q, |_| {}).await.map(|(_, rows)| rows) }
            },
            |_, rows: &usize| if *rows == want { Ok(()) } else { Err(format!("{rows} rows, expected {want}")) },
        )
        .await;
        report.add(
            &what,
            format!("{} leads, {} exported", n(total), n(want)),
            s.summary(),
            format!("n = {} after 2 warm-up", s.len()),
            "row count",
        );
    }

    // 9. Where the run leaves its figures.
    let wall = run_started.elapsed();
    let rss = measure::peak_rss_mib();
    let load_after = measure::load_average();
    drop(app);
    if !checks.failures.is_empty() {
        eprintln!();
        eprintln!("{} check(s) failed; no result file written:", checks.failures.len());
        for f in &checks.failures {
            eprintln!("  - {f}");
        }
        std::process::exit(1);
    }
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // Result files of earlier runs do not make the code "changed".
    let dirty = git(&["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)docs/bench"])
        .is_some_and(|s| !s.is_empty());
    let mut env = format!("KITH_TEST_BACKEND={backend} BENCH_LEADS={rows}");
    if samples != 200 {
        env.push_str(&format!(" BENCH_SAMPLES={samples}"));
    }
    let out = std::env::var("BENCH_OUT").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(std::path::Path::new(".."));
        root.join("docs").join("bench").join(format!("{backend}-{rows}.md"))
    });
    let doc = format!(
        "# Kith benchmark: {backend}, {} import rows\n\n\
         Written by `tests/src/bin/bench` — do not edit by hand; run it again instead.\n\n\
         - command: `{env} make bench`\n\
         - date: {}\n\
         - commit: {commit}{}\n\
         - machine: {cores} cores; database {db} on the same machine; load average (1 min) {load_before} at the start,\n  \
           {load_after} at the end (other work on the machine shows here)\n\
         - server: as `kith serve` runs it (HTTP workers one per core, pool of 10 connections, the job worker inside,\n  \
           polling every second); web form rate limits lifted\n\
         - wall time: {} (organization set up through the API in {}); peak RSS of the process {}\n  \
           (server, worker, the 16 clients and the benchmark's own copy of the CSV file in one process)\n\n\
         {}\n\
         Percentiles are nearest-rank over the timed requests only; warm-up requests are checked but not timed.\n\
         Write rates are requests completed divided by the wall time of the whole batch; the percent figure divides\n\
         that by the raw database baseline measured in the same run.\n",
        n(rows),
        started_at.format("%Y-%m-%d %H:%M UTC"),
        if dirty { " (with uncommitted changes)" } else { "" },
        secs(wall),
        secs(setup),
        rss.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "unknown".into()),
        report.table(),
    );
    if let Some(dir) = out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&out, doc).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
    println!();
    println!(
        "wall time {}, peak RSS {}; all checks passed; written to {}",
        secs(wall),
        rss.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "unknown".into()),
        out.display()
    );
}
