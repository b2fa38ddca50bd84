//! Demo data: an organization with teams and a user for each built-in role, created through the same
//! storage functions the API uses (sign-up, teams, invitations), so the demo is what users would make.

use kith_db::{DbConnection, Pool};
use kith_domain::auth::{AcceptInviteRequest, SignupRequest};
use kith_domain::identity::{NewInvite, NewTeam};
use kith_domain::page::PageQuery;

pub const DEMO_EMAIL: &str = "admin@demo.kith.test";
pub const DEMO_PASSWORD: &str = "kith-demo-2026";
const DEMO_ORG: &str = "Northwind Outfitters (demo)";

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

/// Load the demo organization once; a second run changes nothing.
pub fn seed_demo(pool: &Pool) -> Result<Outcome, String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    seed(&mut conn).map_err(|e| e.to_string())
}

fn seed(c: &mut DbConnection) -> kith_db::Result<Outcome> {
    let hash = |pw: &str| crate::auth::password::hash(pw).map_err(kith_db::Error::Internal);
    let signup = SignupRequest {
        organization_name: DEMO_ORG.into(),
        name: "Ada Lindqvist".into(),
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
    };
    let admin = match kith_db::organizations::signup(c, &signup, &hash(DEMO_PASSWORD)?, None) {
        Ok(issued) => issued,
        Err(kith_db::Error::Validation(e)) if e.iter().any(|f| f.code == "taken") => return Ok(Outcome::AlreadyThere),
        Err(e) => return Err(e),
    };
    let scope = kith_db::sessions::authenticate(c, admin.session_id, admin.user_id, admin.org_id)?;
    let mut team_ids = Vec::new();
    for (name, description) in TEAMS {
        let team =
            kith_db::teams::create(c, &scope, &NewTeam { name: (*name).into(), description: (*description).into() })?;
        team_ids.push(team.id);
    }
    let roles = kith_db::roles::list(c, &scope, &PageQuery::default())?.items;
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
        let created = kith_db::invites::create(c, &scope, &invite, DEMO_ORG)?;
        let accept = AcceptInviteRequest { token: created.token, name: (*name).into(), password: DEMO_PASSWORD.into() };
        kith_db::invites::accept(c, &accept, &hash(DEMO_PASSWORD)?, None)?;
    }
    Ok(Outcome::Created)
}
