//! Demo data: an organization with teams and a user for each built-in role, created through the same
//! storage functions the API uses (sign-up, teams, invitations), so the demo is what users would make.

use kith_db::core::attachments::AttachmentStore;
use kith_db::{DbConnection, Pool};
use kith_domain::core::page::PageQuery;
use kith_domain::identity::auth::{AcceptInviteRequest, SignupRequest};
use kith_domain::identity::{NewInvite, NewTeam};

pub const DEMO_EMAIL: &str = "admin@demo.kith.test";
pub const DEMO_PASSWORD: &str = "kith-demo-2026";
const DEMO_ORG: &str = "Northwind Outfitters (demo)";
/// The budget bands leads were given; "Not sure yet" is retired once the leads are in (the demo shows
/// a retired option its leads keep).
const BUDGETS: [&str; 4] = ["Under 10k", "10k-50k", "Over 50k", "Not sure yet"];

/// (name, email, role key, team index)
const PEOPLE: &[(&str, &str, &str, Option<usize>)] = &[
    ("Maya Okafor", "maya@demo.kith.test", "manager", Some(0)),
    ("Liam Chen", "liam@demo.kith.test", "sales", Some(0)),
    ("Sofia Rossi", "sofia@demo.kith.test", "sales", Some(1)),
    ("Noah Schmidt", "noah@demo.kith.test", "support", Some(2)),
    ("Ines Duarte", "ines@demo.kith.test", "finance", None),
];

const TEAMS: &[(&str, &str)] = &[
    ("Sales — North America", "Inbound and outbound sales for the US and Canada."),
    ("Sales — Europe", "Field and inside sales across the EU and UK."),
    ("Customer Support", "First and second line support, portal and knowledge base."),
];

pub enum Outcome {
    Created,
    AlreadyThere,
}

/// Load the demo organization once; a second run changes nothing. Demo attachments go to `files`.
pub fn seed_demo(pool: &Pool, files: &dyn AttachmentStore) -> Result<Outcome, String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    seed(&mut conn, files).map_err(|e| e.to_string())
}

fn seed(c: &mut DbConnection, files: &dyn AttachmentStore) -> kith_db::Result<Outcome> {
    let hash = |pw: &str| crate::auth::password::hash(pw).map_err(kith_db::Error::Internal);
    let signup = SignupRequest {
        organization_name: DEMO_ORG.into(),
        name: "Ada Lindqvist".into(),
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
    };
    let admin = match kith_db::identity::organizations::signup(c, &signup, &hash(DEMO_PASSWORD)?, None) {
        Ok(issued) => issued,
        Err(kith_db::Error::Validation(e)) if e.iter().any(|f| f.code == "taken") => return Ok(Outcome::AlreadyThere),
        Err(e) => return Err(e),
    };
    let scope = kith_db::identity::sessions::authenticate(c, admin.session_id, admin.user_id, admin.org_id)?;
    let mut team_ids = Vec::new();
    for (name, description) in TEAMS {
        let team = kith_db::identity::teams::create(
            c,
            &scope,
            &NewTeam { name: (*name).into(), description: (*description).into() },
        )?;
        team_ids.push(team.id);
    }
    let roles = kith_db::identity::roles::list(c, &scope, &PageQuery::default())?.items;
    // The sales manager takes the leads no assignment rule takes (named once the leads are in).
    let mut manager = None;
    // The sales people's own sessions: they log their own calls and notes.
    let mut reps = Vec::new();
    for (name, email, role_key, team) in PEOPLE {
        let role = roles
            .iter()
            .find(|r| r.key.as_deref() == Some(role_key))
            .ok_or_else(|| kith_db::Error::Internal(format!("no role {role_key}")))?;
        let invite = NewInvite {
            email: (*email).into(),
            role_id: role.id,
            team_id: team.and_then(|i| team_ids.get(i).copied()),
        };
        let base = kith_db::core::instance::absolute_url(c, "")?.unwrap_or_default();
        let created = kith_db::identity::invites::create(c, &scope, &invite, DEMO_ORG, &base)?;
        let accept = AcceptInviteRequest { token: created.token, name: (*name).into(), password: DEMO_PASSWORD.into() };
        let joined = kith_db::identity::invites::accept(c, &accept, &hash(DEMO_PASSWORD)?, None)?;
        if *role_key == "manager" {
            manager = Some(joined.user_id);
        }
        if matches!(*role_key, "manager" | "sales") && *email != "sofia@demo.kith.test" {
            reps.push(kith_db::identity::sessions::authenticate(c, joined.session_id, joined.user_id, joined.org_id)?);
        }
    }
    seed_leads(c, &scope, &team_ids, files)?;
    // The reps' calls, notes, tasks and meetings come before the conversions: the potentials and
    // contacts made from those leads show them on their timelines.
    for rep in &reps {
        seed_activities(c, rep)?;
    }
    seed_pipeline(c, &scope)?;
    seed_catalog(c, &scope)?;
    // The good configuration: leads no assignment rule takes from now on go to the sales manager.
    let mut settings = kith_db::leads::rules::settings(c, scope.org_id())?;
    settings.fallback_owner_id = manager;
    kith_db::leads::rules::put_settings(c, &scope, &settings)?;
    Ok(Outcome::Created)
}

/// (first, last, title, email domain, company, size, industry, country, source)
type DemoLead = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i32,
    &'static str,
    &'static str,
    kith_domain::leads::LeadSource,
);

/// A name as the local part of an email address: lower case, accents dropped, no spaces.
fn ascii_local(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' => 'u',
            other => other,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Lead engine configuration and leads in every state, as a sales team would have after a while.
fn seed_leads(
    c: &mut DbConnection,
    scope: &kith_db::Scope,
    team_ids: &[kith_domain::TeamId],
    files: &dyn AttachmentStore,
) -> kith_db::Result<()> {
    use kith_domain::leads::rules::*;
    use kith_domain::leads::webforms::*;
    use kith_domain::leads::*;
    use kith_domain::marketing::sequences::*;

    let cond = |field: &str, op: Operator, values: &[&str]| Condition {
        field: field.into(),
        op,
        values: values.iter().map(|v| v.to_string()).collect(),
        min: None,
        max: None,
    };
    for (name, trigger, points, decay_days) in [
        (
            "Decision maker",
            ScoreTrigger::Attribute {
                conditions: vec![cond(
                    "title",
                    Operator::Contains,
                    &["ceo", "founder", "owner", "head", "director", "vp"],
                )],
            },
            25,
            None,
        ),
        (
            "Company of 50–1,000 people",
            ScoreTrigger::Attribute {
                conditions: vec![Condition {
                    field: "company_size".into(),
                    op: Operator::Between,
                    values: vec![],
                    min: Some(50),
                    max: Some(1000),
                }],
            },
            15,
            None,
        ),
        (
            "Core markets",
            ScoreTrigger::Attribute {
                conditions: vec![cond("country", Operator::In, &["US", "CA", "DE", "GB", "FR"])],
            },
            10,
            None,
        ),
        (
            "Filled in a form",
            ScoreTrigger::Behaviour { behaviour: Behaviour::FormSubmitted, max_times: Some(3) },
            10,
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
        kith_db::leads::rules::create_scoring_rule(
            c,
            scope,
            &ScoringRuleInput { name: name.into(), trigger, points, decay_days, active: true },
        )?;
    }
    kith_db::leads::rules::put_settings(
        c,
        scope,
        &LeadSettings {
            duplicate_rule: DuplicateRule::EmailOrPhone,
            qualify_threshold: Some(60),
            fallback_owner_id: None,
        },
    )?;
    if let (Some(na), Some(eu)) = (team_ids.first(), team_ids.get(1)) {
        for (name, countries, target) in [
            ("North America by turns", ["US", "CA"].as_slice(), AssignTarget::RoundRobin { team_id: *na }),
            (
                "Europe to whoever has room",
                ["DE", "FR", "GB", "ES", "IT", "NL", "SE"].as_slice(),
                AssignTarget::LeastLoaded { team_id: *eu },
            ),
        ] {
            kith_db::leads::rules::create_assignment_rule(
                c,
                scope,
                &AssignmentRuleInput {
                    name: name.into(),
                    conditions: vec![cond("country", Operator::In, countries)],
                    target,
                    capacity: Some(200),
                    active: true,
                    position: None,
                },
            )?;
        }
    }
    // Fields the sales team added to leads: what they want to spend, how many people they outfit and
    // whether they want their logo on the gear. The web form asks for them too.
    let custom = |key: &str, label: &str, help: &str, kind, options: &[&str], position| {
        kith_domain::core::custom_fields::CustomFieldInput {
            record_kind: "lead".into(),
            key: key.into(),
            label: label.into(),
            help_text: Some(help.into()),
            kind,
            options: options.iter().map(|o| o.to_string()).collect(),
            required: false,
            position: Some(position),
        }
    };
    use kith_domain::core::custom_fields::CustomFieldKind;
    kith_db::core::custom_fields::create(
        c,
        scope,
        &custom(
            "budget",
            "Budget",
            "What they expect to spend with us this year.",
            CustomFieldKind::Select,
            &BUDGETS,
            0,
        ),
    )?;
    kith_db::core::custom_fields::create(
        c,
        scope,
        &custom("team_size", "People to outfit", "How many people need gear.", CustomFieldKind::Number, &[], 1),
    )?;
    kith_db::core::custom_fields::create(
        c,
        scope,
        &custom(
            "embroidery",
            "Logo embroidery",
            "Tick if you would like your logo on the gear.",
            CustomFieldKind::Boolean,
            &[],
            2,
        ),
    )?;
    let form = kith_db::leads::webforms::create(
        c,
        scope,
        &WebFormInput {
            name: "Website contact form".into(),
            fields: vec![
                FormField {
                    name: "name".into(),
                    label: "Your name".into(),
                    target: FormTarget::FullName,
                    required: true,
                    custom_key: None,
                },
                FormField {
                    name: "email".into(),
                    label: "Work email".into(),
                    target: FormTarget::Email,
                    required: true,
                    custom_key: None,
                },
                FormField {
                    name: "company".into(),
                    label: "Company".into(),
                    target: FormTarget::Company,
                    required: false,
                    custom_key: None,
                },
                FormField {
                    name: "country".into(),
                    label: "Country".into(),
                    target: FormTarget::Country,
                    required: false,
                    custom_key: None,
                },
                FormField {
                    name: "team_size".into(),
                    label: "How many people do you outfit?".into(),
                    target: FormTarget::Custom,
                    required: false,
                    custom_key: Some("team_size".into()),
                },
                FormField {
                    name: "budget".into(),
                    label: "Budget this year".into(),
                    target: FormTarget::Custom,
                    required: false,
                    custom_key: Some("budget".into()),
                },
                FormField {
                    name: "embroidery".into(),
                    label: "Logo embroidery".into(),
                    target: FormTarget::Custom,
                    required: false,
                    custom_key: Some("embroidery".into()),
                },
                FormField {
                    name: "message".into(),
                    label: "How can we help?".into(),
                    target: FormTarget::Message,
                    required: false,
                    custom_key: None,
                },
            ],
            consent_text: Some("Northwind Outfitters may contact me about my request.".into()),
            thank_you_message: "Thank you! Someone from our team will reply within one business day.".into(),
            redirect_url: None,
            allowed_origins: vec!["https://www.northwind-outfitters.example".into()],
            tags: vec!["website".into()],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 3,
            active: true,
        },
    )?;
    kith_db::marketing::sequences::create(
        c,
        scope,
        &SequenceInput {
            name: "Website inquiry follow-up".into(),
            steps: vec![
                SequenceStep { day_offset: 0, subject: "Thanks for reaching out, {{first_name}}".into(), body: "Hi {{first_name}},\n\nthanks for contacting Northwind Outfitters. {{owner_name | default: \"our team\"}} will get back to you today.\n".into() },
                SequenceStep { day_offset: 3, subject: "Outfitting {{company | default: \"your team\"}}?".into(), body: "Hi {{first_name}},\n\nhere is our catalogue for teams like {{company | default: \"yours\"}}. Reply to this email with any question.\n".into() },
            ],
            enroll_sources: vec![],
            enroll_form_ids: vec![form.id],
            active: true,
        },
    )?;

    // (first, last, title, email domain, company, size, industry, country, source)
    const LEADS: &[DemoLead] = &[
        ("Olivia", "Martin", "CEO", "trailhead.example", "Trailhead Tours", 85, "Travel", "US", LeadSource::WebForm),
        (
            "Ethan",
            "Brooks",
            "Purchasing manager",
            "summitgear.example",
            "Summit Gear Co",
            240,
            "Retail",
            "US",
            LeadSource::Referral,
        ),
        (
            "Chloé",
            "Dubois",
            "Directrice achats",
            "alpesaventure.example",
            "Alpes Aventure",
            60,
            "Travel",
            "FR",
            LeadSource::Email,
        ),
        (
            "Lukas",
            "Becker",
            "Head of Operations",
            "bergwerk.example",
            "Bergwerk Outdoor",
            410,
            "Retail",
            "DE",
            LeadSource::Campaign,
        ),
        (
            "Amelia",
            "Clarke",
            "Founder",
            "peakcoffee.example",
            "Peak Coffee",
            12,
            "Food & drink",
            "GB",
            LeadSource::WebForm,
        ),
        (
            "Noah",
            "Tremblay",
            "Store owner",
            "northshore.example",
            "North Shore Sports",
            18,
            "Retail",
            "CA",
            LeadSource::CallList,
        ),
        (
            "Sofía",
            "García",
            "Marketing lead",
            "sierraclub.example",
            "Sierra Trekking",
            95,
            "Travel",
            "ES",
            LeadSource::Manual,
        ),
        (
            "Jonas",
            "Lindberg",
            "VP Sales",
            "fjallco.example",
            "Fjäll & Co",
            150,
            "Manufacturing",
            "SE",
            LeadSource::Import,
        ),
        ("Grace", "Kim", "Office manager", "brightlabs.example", "Bright Labs", 35, "Software", "US", LeadSource::Api),
        ("Matteo", "Rossi", "Owner", "dolomiti.example", "Dolomiti Rent", 8, "Travel", "IT", LeadSource::Referral),
        (
            "Ava",
            "Wilson",
            "Event coordinator",
            "campfire.example",
            "Campfire Events",
            22,
            "Events",
            "US",
            LeadSource::WebForm,
        ),
        (
            "Finn",
            "de Vries",
            "Director",
            "polderbikes.example",
            "Polder Bikes",
            70,
            "Retail",
            "NL",
            LeadSource::Campaign,
        ),
    ];
    for (i, (first, last, title, domain, company, size, industry, country, source)) in LEADS.iter().enumerate() {
        let new = NewLead {
            first_name: (*first).into(),
            last_name: (*last).into(),
            title: (*title).into(),
            email: Some(format!("{}.{}@{domain}", ascii_local(first), ascii_local(last))),
            company_name: (*company).into(),
            company_size: Some(*size),
            industry: Some((*industry).into()),
            country: Some((*country).into()),
            source: Some(*source),
            tags: if i % 3 == 0 { vec!["trade-fair-2026".into()] } else { vec![] },
            custom: if i % 4 == 3 {
                Default::default()
            } else {
                [
                    ("budget".to_string(), serde_json::Value::from(BUDGETS[(i / 2) % BUDGETS.len()])),
                    ("team_size".to_string(), serde_json::Value::from((*size / 3).max(2))),
                ]
                .into_iter()
                .collect()
            },
            ..Default::default()
        };
        let how = kith_db::leads::Capture { source: *source, event: LeadEventKind::Created, note: None };
        let lead = kith_db::leads::capture(c, scope, &new, &how)?.lead().clone();
        if i % 2 == 0 {
            kith_db::leads::add_activity(
                c,
                scope,
                lead.id,
                &NewLeadActivity { behaviour: Behaviour::PageVisit, occurred_at: None, note: Some("/pricing".into()) },
            )?;
        }
        for (name, bytes) in demo_files(i, company) {
            attach(c, scope, files, lead.id, name, &bytes)?;
        }
        let lead = kith_db::leads::get(c, scope, lead.id)?.lead;
        let patch = match i % 6 {
            1 => Some(LeadPatch { status: Some(LeadStatus::Contacted), ..Default::default() }),
            2 => Some(LeadPatch { status: Some(LeadStatus::Working), ..Default::default() }),
            3 => Some(LeadPatch {
                status: Some(LeadStatus::Nurture),
                revisit_on: Some(chrono::Utc::now().date_naive() + chrono::Duration::days(21)),
                ..Default::default()
            }),
            5 => Some(LeadPatch {
                status: Some(LeadStatus::Disqualified),
                disqualify_reason: Some("Only needs one rental, no recurring business".into()),
                ..Default::default()
            }),
            _ => None,
        };
        if let Some(patch) = patch {
            if lead.status != LeadStatus::Qualified {
                kith_db::leads::update(c, scope, lead.id, lead.version, &patch)?;
            }
        }
    }
    // Two visitors of a trade fair stand, from countries no rule names, came in before the fallback
    // owner was named: they wait in the Unassigned queue, and the managers' digest says so.
    for (first, last, company, country) in
        [("Kasia", "Nowak", "Górski Szlak", "PL"), ("Haruto", "Sato", "Yamakaze Outdoor", "JP")]
    {
        let new = NewLead {
            first_name: first.into(),
            last_name: last.into(),
            email: Some(format!("{}.{}@{}.example", ascii_local(first), ascii_local(last), ascii_local(company))),
            company_name: company.into(),
            country: Some(country.into()),
            source: Some(LeadSource::Campaign),
            tags: vec!["trade-fair-2026".into()],
            ..Default::default()
        };
        let how = kith_db::leads::Capture { source: LeadSource::Campaign, event: LeadEventKind::Created, note: None };
        kith_db::leads::capture(c, scope, &new, &how)?;
    }
    let list = kith_db::leads::call_lists::create(
        c,
        scope,
        &kith_domain::leads::call_lists::NewCallList { name: "Outdoor retailers — Q1 calls".into() },
    )?;
    let contacts = "name,title,company,phone,country\n\
        Henry Adams,Owner,Adams Outdoor,+1 212 555 0141,US\n\
        Mia Schulz,Einkauf,Schulz Sport,+49 30 5550 1234,DE\n\
        Leo Martin,Gérant,Martin Montagne,+33 1 55 55 01 23,FR\n\
        Isla Brown,Buyer,Highland Kit,+44 20 7946 0123,GB\n\
        Jack Miller,Manager,Miller Camping,+1 416 555 0199,CA\n";
    kith_db::leads::call_lists::add_csv(c, scope, list.id, contacts.as_bytes())?;
    // Open leads only: a disqualified or converted lead is not hot, whatever its score. (The
    // Unassigned queue is built in: no saved view needed for it.)
    let hot = kith_domain::leads::LeadListQuery {
        min_score: Some(30),
        open: Some(true),
        sort: Some("-score".into()),
        ..Default::default()
    };
    kith_db::leads::views::create(
        c,
        scope,
        &kith_domain::leads::LeadViewInput { name: "Hot leads".into(), filters: hot, shared: true },
    )?;
    // The team stopped offering "Not sure yet" as a budget: the leads that hold it keep it (shown as
    // retired) until someone asks them.
    let budget = kith_db::core::custom_fields::list(c, scope, Some("lead"))?
        .into_iter()
        .find(|f| f.key == "budget")
        .ok_or_else(|| kith_db::Error::Internal("no budget field".into()))?;
    kith_db::core::custom_fields::update(
        c,
        scope,
        budget.id,
        budget.version,
        &kith_domain::core::custom_fields::CustomFieldPatch {
            options: Some(BUDGETS[..3].iter().map(|b| b.to_string()).collect()),
            ..Default::default()
        },
    )?;
    Ok(())
}

/// A sales person's week: calls and notes on their leads, tasks (two overdue, two due today, one next
/// week), meetings today and tomorrow, and a promised callback, so "My day" and the lead pages show
/// what the work looks like.
fn seed_activities(c: &mut DbConnection, rep: &kith_db::Scope) -> kith_db::Result<()> {
    use chrono::{Duration, Utc};
    use kith_domain::core::activities::*;

    let user = rep.user_id().ok_or_else(|| kith_db::Error::Internal("a rep without a user".into()))?;
    let theirs = kith_domain::leads::LeadListQuery {
        owner_id: Some(user),
        open: Some(true),
        limit: Some(6),
        ..Default::default()
    };
    let mut mine: Vec<(String, String)> =
        kith_db::leads::list(c, rep, &theirs)?.items.into_iter().map(|l| (l.id.to_string(), l.first_name)).collect();
    if mine.is_empty() {
        return Ok(());
    }
    while mine.len() < 6 {
        mine.push(mine[0].clone());
    }
    let now = Utc::now();
    let on = |i: usize, kind: ActivityKind| NewActivity {
        record_kind: "lead".into(),
        record_id: mine[i].0.clone(),
        kind,
        ..Default::default()
    };
    let first = |i: usize| mine[i].1.clone();
    let call = |i: usize, outcome: CallOutcome, minutes: i64, subject: &str| NewActivity {
        direction: Some(Direction::Outbound),
        outcome: Some(outcome),
        duration_seconds: Some(minutes * 60),
        subject: subject.into(),
        body: String::new(),
        ..on(i, ActivityKind::Call)
    };
    let task = |i: usize, subject: String, due: chrono::DateTime<Utc>, priority: Priority| NewActivity {
        subject,
        due_at: Some(due),
        priority: Some(priority),
        ..on(i, ActivityKind::Task)
    };
    let meeting = |i: usize, subject: String, start: chrono::DateTime<Utc>, minutes: i64, place: &str| NewActivity {
        subject,
        starts_at: Some(start),
        ends_at: Some(start + Duration::minutes(minutes)),
        time_zone: Some("America/New_York".into()),
        location: Some(place.into()),
        attendee_users: vec![user],
        ..on(i, ActivityKind::Meeting)
    };
    // Whole quarter hours, so the times read like a calendar's.
    let hour = |h: i64| {
        let t = now + Duration::hours(h);
        t - Duration::seconds(
            i64::from(chrono::Timelike::minute(&t) % 15) * 60 + i64::from(chrono::Timelike::second(&t)),
        )
    };
    let items = vec![
        call(0, CallOutcome::NoAnswer, 1, ""),
        call(0, CallOutcome::Connected, 12, "Discovery call"),
        NewActivity {
            body: format!(
                "{} runs purchasing for three stores; wants the spring catalogue and volume pricing.",
                first(0)
            ),
            ..on(0, ActivityKind::Note)
        },
        call(1, CallOutcome::LeftVoicemail, 1, ""),
        NewActivity {
            body: "Budget is approved for Q2. Decision by the end of the month; send references.".into(),
            ..on(1, ActivityKind::Note)
        },
        call(2, CallOutcome::Connected, 25, "Pricing walkthrough"),
        NewActivity {
            subject: "Re: Spring catalogue".into(),
            body: "Thanks — could you send the volume price list as a PDF?".into(),
            direction: Some(Direction::Inbound),
            ..on(2, ActivityKind::Email)
        },
        task(0, format!("Send the spring catalogue to {}", first(0)), hour(-50), Priority::High),
        task(1, format!("Email references to {}", first(1)), hour(-26), Priority::Normal),
        task(2, format!("Send the volume price list to {}", first(2)), hour(2), Priority::High),
        task(3, format!("Follow up with {} on the trial", first(3)), hour(5), Priority::Normal),
        task(4, format!("Prepare the proposal for {}", first(4)), hour(24 * 6), Priority::Low),
        meeting(1, format!("Demo for {}", first(1)), hour(1), 45, "Zoom"),
        meeting(5, format!("Lunch with {}", first(5)), hour(3), 60, "Café Lindqvist"),
        meeting(2, format!("Contract review with {}", first(2)), hour(26), 30, "Phone"),
    ];
    for item in items {
        kith_db::core::activities::create(c, rep, &item)?;
    }
    // A callback promised on the call list, due within the hour.
    if let Some(list) = kith_db::leads::call_lists::list(c, rep)?.first().map(|l| l.id) {
        if let Some(contact) = kith_db::leads::call_lists::next(c, rep, list)? {
            kith_db::leads::call_lists::log_call(
                c,
                rep,
                contact.id,
                &kith_domain::leads::call_lists::NewCall {
                    disposition: kith_domain::leads::call_lists::Disposition::Callback,
                    note: Some("Asked to be called back after the morning rush.".into()),
                    callback_at: Some(hour(1)),
                },
            )?;
        }
    }
    Ok(())
}

/// The files the first demo leads come with: a proposal (PDF), call notes and a price list.
fn demo_files(i: usize, company: &str) -> Vec<(&'static str, Vec<u8>)> {
    match i {
        0 => vec![
            ("Proposal - fleet rental 2027.pdf", pdf(&format!("Proposal for {company}: 40 tents, 2027 season"))),
            (
                "call-notes.txt",
                format!(
                    "Call with {company}\n- Needs 40 tents for the 2027 season\n- Budget approved in March\n\
                     - Send the proposal and the price list\n"
                )
                .into_bytes(),
            ),
        ],
        1 => vec![(
            "price-list-2027.csv",
            b"item,unit price (EUR),minimum order\nTrail tent 2P,189,10\nBase camp 6P,640,4\nSleeping bag -5C,79,20\n"
                .to_vec(),
        )],
        _ => vec![],
    }
}

/// Store `bytes` and record them on the lead, as an upload would (minus the HTTP part).
fn attach(
    c: &mut DbConnection,
    scope: &kith_db::Scope,
    files: &dyn AttachmentStore,
    lead: kith_domain::LeadId,
    name: &str,
    bytes: &[u8],
) -> kith_db::Result<()> {
    use kith_domain::core::attachments::{classify, TextCheck};
    use sha2::{Digest, Sha256};
    let io = |e: std::io::Error| kith_db::Error::Internal(format!("demo attachment {name}: {e}"));
    let mut text = TextCheck::default();
    text.feed(bytes);
    let kind = classify(name, bytes, bytes.len() as u64, text.finish())
        .map_err(|e| kith_db::Error::Internal(format!("demo attachment {name}: {e}")))?;
    let spooled = files.spool_dir().join(uuid::Uuid::now_v7().to_string());
    std::fs::write(&spooled, bytes).map_err(io)?;
    let key = kith_db::core::attachments::store::new_key(scope.org_id());
    files.put(&key, &spooled).map_err(io)?;
    let new = kith_db::core::attachments::NewAttachment {
        record_kind: kith_db::leads::ENTITY,
        record_id: lead.to_string(),
        file_name: name.into(),
        content_type: kind.content_type(name).into(),
        size: bytes.len() as i64,
        sha256: format!("{:x}", Sha256::digest(bytes)),
        storage_key: key.clone(),
    };
    kith_db::core::attachments::create(c, scope, &new).map(|_| ()).inspect_err(|_| {
        let _ = files.delete(&key);
    })
}

/// A one-page PDF showing `line` (a real document any viewer opens).
fn pdf(line: &str) -> Vec<u8> {
    let text: String = line.chars().filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\')).collect();
    let content = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// The pipeline a sales team has after a few weeks: leads converted into contacts, accounts and
/// potentials spread over the phases (two won — their accounts are customers —, one lost for a
/// reason), in euros and dollars, owned by the reps who worked the leads.
fn seed_pipeline(c: &mut DbConnection, scope: &kith_db::Scope) -> kith_db::Result<()> {
    use kith_domain::leads::{LeadListQuery, LeadStatus};
    use kith_domain::pipeline::conversion::*;
    let pipeline = kith_db::pipeline::list_pipelines(c, scope)?
        .into_iter()
        .find(|p| p.is_default)
        .ok_or_else(|| kith_db::Error::Internal("no default pipeline".into()))?;
    let reasons = kith_db::pipeline::list_lost_reasons(c, scope)?;
    let leads = kith_db::leads::list(
        c,
        scope,
        &LeadListQuery { limit: Some(200), sort: Some("created_at".into()), ..Default::default() },
    )?
    .items;
    // (phase index in the board, amount in minor units, currency, days until the expected close)
    const DEALS: &[(usize, i64, &str, i64)] = &[
        (4, 5_250_000, "USD", 10),
        (3, 1_540_000, "EUR", 21),
        (2, 3_600_000, "USD", 40),
        (1, 2_800_000, "EUR", 75),
        (0, 1_200_000, "USD", 60),
        (2, 980_000, "EUR", 30),
        (1, 450_000, "USD", 45),
        (3, 720_000, "USD", 18),
    ];
    let candidates: Vec<&kith_domain::leads::LeadView> = leads
        .iter()
        .filter(|l| {
            l.owner_id.is_some()
                && matches!(
                    l.status,
                    LeadStatus::New | LeadStatus::Contacted | LeadStatus::Working | LeadStatus::Qualified
                )
        })
        .collect();
    let mut owners: Vec<kith_domain::UserId> = candidates.iter().filter_map(|l| l.owner_id).collect();
    owners.sort();
    owners.dedup();
    // Each rep keeps their first open lead to work (the lead list is not all converted).
    let mut kept = std::collections::HashSet::new();
    let candidates: Vec<&kith_domain::leads::LeadView> =
        candidates.into_iter().filter(|l| !kept.insert(l.owner_id)).collect();
    let today = chrono::Utc::now().date_naive();
    // Customers won before the leads module was used: accounts with a contact and a deal each.
    const CUSTOMERS: &[(&str, &str, &str, &str, &str)] = &[
        ("Nordlicht Outfitters", "nordlicht.example", "Jonas", "Berg", "DE"),
        ("Cascade Mountain School", "cascade-school.example", "Ava", "Thompson", "US"),
        ("Rio Verde Expeditions", "rioverde.example", "Lucas", "Almeida", "BR"),
        ("Glacier Events", "glacierevents.example", "Emma", "Clarke", "GB"),
    ];
    let mut extra = Vec::new();
    for (i, (company, domain, first, last, country)) in CUSTOMERS.iter().enumerate() {
        let owner = owners.get(i % owners.len().max(1)).copied();
        let account = kith_db::customers::create_account(
            c,
            scope,
            &kith_domain::customers::NewAccount {
                name: (*company).into(),
                website: Some((*domain).into()),
                industry: Some("Outdoor".into()),
                country: Some((*country).into()),
                owner_id: owner,
                ..Default::default()
            },
        )?;
        let contact = kith_db::customers::create_contact(
            c,
            scope,
            &kith_domain::customers::NewContact {
                first_name: (*first).into(),
                last_name: (*last).into(),
                title: "Operations lead".into(),
                email: Some(format!("{}.{}@{domain}", ascii_local(first), ascii_local(last))),
                country: Some((*country).into()),
                account_id: Some(account.id),
                owner_id: owner,
                ..Default::default()
            },
        )?;
        let potential = kith_db::pipeline::create(
            c,
            scope,
            &kith_domain::pipeline::NewPotential {
                name: format!("{company} season contract"),
                account_id: Some(account.id),
                contact_id: Some(contact.id),
                amount_minor: [2_400_000, 860_000, 1_300_000, 3_150_000][i],
                currency: if *country == "US" || *country == "BR" { "USD".into() } else { "EUR".into() },
                expected_close_on: Some(today + chrono::Duration::days(14 * (i as i64 + 1))),
                owner_id: owner,
                ..Default::default()
            },
        )?;
        extra.push((potential, [5usize, 5, 6, 3][i]));
    }
    for (potential, phase) in extra {
        walk(c, scope, &pipeline, &reasons, potential, phase)?;
    }
    for (lead, (phase, amount, currency, close_in)) in candidates.into_iter().zip(DEALS) {
        let conversion = LeadConversion {
            account: AccountChoice::New { name: None },
            contact: ContactChoice::New,
            potential: Some(ConversionPotential {
                name: None,
                pipeline_id: Some(pipeline.id),
                phase_id: None,
                amount_minor: *amount,
                currency: (*currency).into(),
                expected_close_on: Some(today + chrono::Duration::days(*close_in)),
                owner_id: None,
            }),
        };
        let made = kith_db::pipeline::conversion::convert(c, scope, lead.id, &conversion)?;
        if let Some(potential) = made.potential {
            walk(c, scope, &pipeline, &reasons, potential, *phase)?;
        }
    }
    Ok(())
}

/// Moves a demo potential through the open phases up to the one at `phase` (of the board), as the
/// deal went: the phase history and the timeline tell the story.
fn walk(
    c: &mut DbConnection,
    scope: &kith_db::Scope,
    pipeline: &kith_domain::pipeline::PipelineView,
    reasons: &[kith_domain::pipeline::LostReasonView],
    potential: kith_domain::pipeline::PotentialView,
    phase: usize,
) -> kith_db::Result<()> {
    use kith_domain::pipeline::{PhaseKind, PotentialPatch};
    let Some(target) = pipeline.phases.get(phase) else { return Ok(()) };
    let mut current = potential;
    let steps =
        pipeline.phases.iter().take(phase + 1).skip(1).filter(|p| p.kind == PhaseKind::Open || p.id == target.id);
    for step in steps {
        if step.id == current.phase_id {
            continue;
        }
        let lost = step.kind == PhaseKind::Lost;
        current = kith_db::pipeline::update(
            c,
            scope,
            current.id,
            current.version,
            &PotentialPatch {
                phase_id: Some(step.id),
                lost_reason_id: if lost {
                    reasons.iter().find(|r| r.name == "Chose a competitor").map(|r| r.id)
                } else {
                    None
                },
                lost_note: lost.then(|| "Went with the incumbent's multi-year offer".to_owned()),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// (SKU, name, description, unit, service?, EUR cents, USD cents, reduced tax?, active)
type DemoProduct = (&'static str, &'static str, &'static str, &'static str, bool, i64, i64, bool, bool);

const PRODUCTS: &[DemoProduct] = &[
    (
        "KITH-PRO",
        "Kith Professional licence",
        "Per user and month, billed yearly.",
        "user/month",
        false,
        3_900,
        4_200,
        false,
        true,
    ),
    (
        "KITH-ENT",
        "Kith Enterprise licence",
        "SSO, audit export and sandbox; per user and month.",
        "user/month",
        false,
        7_900,
        8_500,
        false,
        true,
    ),
    (
        "KITH-STOR",
        "Extra storage 100 GB",
        "Attachments beyond the plan's allowance.",
        "month",
        false,
        990,
        1_090,
        false,
        true,
    ),
    (
        "SRV-ONB",
        "Onboarding workshop",
        "A day on site: pipeline design, import, first automations.",
        "day",
        true,
        120_000,
        130_000,
        false,
        true,
    ),
    (
        "SRV-MIG",
        "Data migration",
        "Moving records and history from the previous CRM.",
        "hour",
        true,
        14_500,
        16_000,
        false,
        true,
    ),
    (
        "SRV-TRN",
        "Admin training (remote)",
        "Half a day for up to eight administrators.",
        "session",
        true,
        45_000,
        49_000,
        false,
        true,
    ),
    ("SRV-SUP", "Premium support", "Four-hour response, a named contact.", "month", true, 29_900, 32_900, false, true),
    (
        "SRV-API",
        "Custom integration",
        "Connectors to ERP, telephony or shop systems.",
        "hour",
        true,
        16_500,
        18_000,
        false,
        true,
    ),
    (
        "HW-SCAN",
        "Business card scanner",
        "Scans cards straight into leads.",
        "unit",
        false,
        18_990,
        20_900,
        false,
        true,
    ),
    (
        "HW-HEAD",
        "Call-centre headset",
        "Noise-cancelling, USB-C, for the call lists.",
        "unit",
        false,
        12_900,
        13_900,
        false,
        true,
    ),
    (
        "BK-PLAY",
        "The B2B Sales Playbook (print)",
        "Printed book; reduced VAT.",
        "copy",
        false,
        3_490,
        3_990,
        true,
        true,
    ),
    (
        "EV-SUMMIT",
        "Kith Summit 2027 ticket",
        "Two days of talks and workshops in Berlin.",
        "ticket",
        true,
        59_000,
        65_000,
        false,
        true,
    ),
    (
        "KITH-CLASSIC",
        "Kith Classic licence (retired)",
        "No longer sold; kept for existing quotes.",
        "user/month",
        false,
        2_900,
        3_200,
        false,
        false,
    ),
];

/// The demo catalogue: German VAT (standard 19%, reduced 7% for books), a dozen products and
/// services priced in EUR and USD, one retired product, and a partner price book.
fn seed_catalog(c: &mut DbConnection, scope: &kith_db::Scope) -> kith_db::Result<()> {
    use kith_domain::catalog::*;
    let tax = |name: &str, rate: i64, description: &str| TaxCategoryInput {
        name: name.into(),
        description: description.into(),
        rate,
        inclusive: false,
    };
    let standard = kith_db::catalog::tax_categories::create(
        c,
        scope,
        &tax("Standard VAT", 19_000, "Germany, most goods and services"),
    )?;
    let reduced =
        kith_db::catalog::tax_categories::create(c, scope, &tax("Reduced VAT", 7_000, "Germany, books and food"))?;
    let mut licences = Vec::new();
    for (sku, name, description, unit, service, eur, usd, is_reduced, active) in PRODUCTS {
        let product = kith_db::catalog::products::create(
            c,
            scope,
            &ProductInput {
                sku: (*sku).into(),
                name: (*name).into(),
                description: (*description).into(),
                unit: (*unit).into(),
                kind: if *service { ProductKind::Service } else { ProductKind::Product },
                prices: vec![
                    Price { currency: "EUR".into(), unit_price: *eur },
                    Price { currency: "USD".into(), unit_price: *usd },
                ],
                tax_category_id: Some(if *is_reduced { reduced.id } else { standard.id }),
                active: *active,
            },
        )?;
        if sku.starts_with("KITH-") && *active {
            licences.push((product.id, *eur, *usd));
        }
    }
    // Partners resell licences at 20% off.
    let entries = licences
        .iter()
        .flat_map(|(id, eur, usd)| {
            [("EUR", eur), ("USD", usd)].map(|(currency, price)| PriceBookEntry {
                product_id: *id,
                currency: currency.into(),
                unit_price: price * 8 / 10,
            })
        })
        .collect();
    kith_db::catalog::price_books::create(
        c,
        scope,
        &PriceBookInput {
            name: "Partner prices 2027".into(),
            description: "Resellers: licences at 20% off the list price.".into(),
            is_default: false,
            entries,
        },
    )?;
    Ok(())
}
