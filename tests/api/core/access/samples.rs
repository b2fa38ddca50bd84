//! A valid request body per request schema, so generated calls get past validation and reach the
//! access checks. `$Kind` stands for an id of that kind from the caller's fixture (`$LeadId#2`: the
//! second one), `$UNIQUE` for a fresh suffix. A schema without a sample fails
//! `every_request_body_has_a_sample`: a new operation's body is added here the day it exists.

use serde_json::Value;

use super::spec::Ids;

pub const SAMPLES: &[(&str, &str)] = &[
    (
        "NewActivity",
        r#"{"record_kind":"lead","record_id":"$LeadId","kind":"meeting","subject":"Probe meeting","starts_at":"2030-01-15T10:00:00Z","ends_at":"2030-01-15T11:00:00Z","time_zone":"Europe/Berlin","attendee_users":["$UserId"]}"#,
    ),
    ("ActivityPatch", r#"{"subject":"Probe $UNIQUE","done":false}"#),
    ("NewApiKey", r#"{"name":"Probe key $UNIQUE","role_id":"$RoleId"}"#),
    (
        "AssignmentRuleInput",
        r#"{"name":"Probe rule","conditions":[],"target":{"kind":"user","user_id":"$UserId"},"active":false}"#,
    ),
    ("NewCall", r#"{"disposition":"no_answer"}"#),
    ("NewCallList", r#"{"name":"Probe list"}"#),
    ("CustomFieldInput", r#"{"key":"probe_$UNIQUE","label":"Probe $UNIQUE","kind":"text"}"#),
    ("CustomFieldPatch", r#"{"label":"Probe $UNIQUE"}"#),
    (
        "ImportMapping",
        r#"{"columns":[{"column":"first_name","target":"first_name"},{"column":"email","target":"email"}],"duplicate_policy":"skip","tags":[],"owner_id":"$UserId"}"#,
    ),
    ("NewInvite", r#"{"email":"probe.$UNIQUE@probe.test","role_id":"$RoleId","team_id":"$TeamId"}"#),
    ("LeadSettings", r#"{"duplicate_rule":"email_or_phone"}"#),
    ("LeadViewInput", r#"{"name":"Probe view $UNIQUE","filters":{"owner_id":"$UserId"},"shared":false}"#),
    ("NewLead", r#"{"first_name":"Probe","email":"probe.$UNIQUE@probe.test","owner_id":"$UserId"}"#),
    ("BulkLeadUpdate", r#"{"ids":["$LeadId"],"add_tags":["probe"]}"#),
    ("LeadMerge", r#"{"keep_id":"$LeadId","merge_id":"$LeadId#2"}"#),
    ("LeadPatch", r#"{"title":"Probe","owner_id":"$UserId"}"#),
    ("NewLeadActivity", r#"{"behaviour":"page_visit","note":"/pricing"}"#),
    ("NewEnrollment", r#"{"sequence_id":"$SequenceId"}"#),
    ("MailSettings", r#"{"from_name":"Probe"}"#),
    ("MailServerInput", r#"{"host":"smtp.probe.test","port":587,"security":"starttls"}"#),
    ("TestEmailRequest", r#"{"to":"probe@probe.test"}"#),
    ("ChangePasswordRequest", r#"{"current_password":"not the password","new_password":"another long password 2"}"#),
    (
        "NewRole",
        r#"{"name":"Probe role $UNIQUE","permissions":{"leads":{"level":"read","scope":"own"},"pipeline":{"level":"none","scope":"own"},"customers":{"level":"none","scope":"own"},"projects":{"level":"none","scope":"own"},"billing":{"level":"none","scope":"own"},"support":{"level":"none","scope":"own"},"marketing":{"level":"none","scope":"own"},"reports":{"level":"none","scope":"own"},"settings":{"level":"none","scope":"own"}}}"#,
    ),
    ("RolePatch", r#"{"name":"Probe role $UNIQUE"}"#),
    (
        "ScoringRuleInput",
        r#"{"name":"Probe","trigger":{"kind":"attribute","conditions":[{"field":"title","op":"contains","values":["ceo"]}]},"points":1,"active":false}"#,
    ),
    (
        "SequenceInput",
        r#"{"name":"Probe","steps":[{"day_offset":0,"subject":"Hi","body":"Hello"}],"enroll_sources":[],"enroll_form_ids":["$WebFormId"],"active":false}"#,
    ),
    (
        "ProductInput",
        r#"{"sku":"PROBE-$UNIQUE","name":"Probe product","prices":[{"currency":"EUR","unit_price":1000}],"tax_category_id":"$TaxCategoryId"}"#,
    ),
    ("TaxCategoryInput", r#"{"name":"Probe tax $UNIQUE","rate":19000}"#),
    (
        "PriceBookInput",
        r#"{"name":"Probe book $UNIQUE","entries":[{"product_id":"$ProductId","currency":"EUR","unit_price":900}]}"#,
    ),
    ("NewTeam", r#"{"name":"Probe team $UNIQUE","description":""}"#),
    ("TeamPatch", r#"{"name":"Probe team $UNIQUE"}"#),
    ("UserPatch", r#"{"name":"Probe Person","team_id":"$TeamId"}"#),
    (
        "WebFormInput",
        r#"{"name":"Probe form","fields":[{"name":"email","label":"Email","target":"email","required":true}],"thank_you_message":"Thanks","allowed_origins":[],"tags":[],"active":false}"#,
    ),
    ("NewAccount", r#"{"name":"Probe account $UNIQUE","website":"probe.test","country":"de"}"#),
    ("AccountPatch", r#"{"industry":"Probing"}"#),
    ("NewContact", r#"{"first_name":"Probe","email":"probe.$UNIQUE@probe.test","account_id":"$AccountId"}"#),
    ("ContactPatch", r#"{"title":"Prober"}"#),
    ("NewPotential", r#"{"name":"Probe deal","amount_minor":100000,"currency":"EUR","account_id":"$AccountId"}"#),
    ("PotentialPatch", r#"{"amount_minor":250000}"#),
    (
        "LeadConversion",
        r#"{"account":{"mode":"new"},"contact":{"mode":"new"},"potential":{"amount_minor":50000,"currency":"EUR"}}"#,
    ),
    (
        "PipelineInput",
        r#"{"name":"Probe $UNIQUE","phases":[{"name":"Open","probability":20,"kind":"open","forecast":"pipeline"},{"name":"Won","probability":100,"kind":"won","forecast":"closed"},{"name":"Lost","probability":0,"kind":"lost","forecast":"omitted"}]}"#,
    ),
    ("LostReasonInput", r#"{"name":"Probe reason $UNIQUE"}"#),
    // Sent by the logout operation, which the access tests never call (it ends the caller's session).
    ("RefreshRequest", r#"{"refresh_token":"probe"}"#),
];

/// The sample for a schema name, with the placeholders filled from `ids`.
pub fn sample(schema: &str, ids: &Ids) -> Option<Value> {
    let text = SAMPLES.iter().find(|(name, _)| *name == schema)?.1;
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let mut text = text.replace("$UNIQUE", &unique[unique.len() - 10..]);
    // Longest kind names first, so `$LeadId#2` is replaced before `$LeadId`.
    for (kind, values) in ids.iter().rev() {
        for (i, v) in values.iter().enumerate().rev() {
            text = text.replace(&format!("${kind}#{}", i + 1), v);
        }
        if let Some(first) = values.first() {
            text = text.replace(&format!("${kind}"), first);
        }
    }
    assert!(!text.contains('$'), "sample {schema}: no id for a placeholder in {text}");
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("sample {schema}: {e}")))
}
