//! The pipeline: pipelines and their ordered phases, potentials (deals) moving through them with an
//! append-only phase history, lost reasons, and the conversion of a lead into a potential, a contact
//! and an account. The rules here (what a phase requires, weighted amounts, column totals, time in
//! phases, rotting) run in the SPA and on the server alike.

pub mod conversion;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;
use crate::identity::double_option;

/// What reaching a phase means: still open, won, or lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    Open,
    Won,
    Lost,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 3] = [PhaseKind::Open, PhaseKind::Won, PhaseKind::Lost];
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::Open => "open",
            PhaseKind::Won => "won",
            PhaseKind::Lost => "lost",
        }
    }
    pub fn parse(s: &str) -> Option<PhaseKind> {
        PhaseKind::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Which forecast a phase's potentials count in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
    Closed,
    Omitted,
}

impl ForecastCategory {
    pub const ALL: [ForecastCategory; 5] = [
        ForecastCategory::Pipeline,
        ForecastCategory::BestCase,
        ForecastCategory::Commit,
        ForecastCategory::Closed,
        ForecastCategory::Omitted,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ForecastCategory::Pipeline => "pipeline",
            ForecastCategory::BestCase => "best_case",
            ForecastCategory::Commit => "commit",
            ForecastCategory::Closed => "closed",
            ForecastCategory::Omitted => "omitted",
        }
    }
    pub fn parse(s: &str) -> Option<ForecastCategory> {
        ForecastCategory::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseView {
    pub id: PhaseId,
    pub name: String,
    /// Percent, 0–100: a potential's probability unless it sets its own.
    pub probability: i32,
    pub kind: PhaseKind,
    pub forecast: ForecastCategory,
    /// A potential in this phase rots after this many days without a qualifying activity.
    pub rot_days: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineView {
    pub id: PipelineId,
    pub name: String,
    /// New potentials go here unless they name another pipeline.
    pub is_default: bool,
    /// In board order.
    pub phases: Vec<PhaseView>,
    pub version: i64,
}

impl PipelineView {
    pub fn phase(&self, id: PhaseId) -> Option<&PhaseView> {
        self.phases.iter().find(|p| p.id == id)
    }
    /// The first open phase: where a potential starts unless told otherwise.
    pub fn first_open(&self) -> Option<&PhaseView> {
        self.phases.iter().find(|p| p.kind == PhaseKind::Open)
    }
}

/// One phase of a pipeline being created or changed. `id` keeps an existing phase (its potentials
/// stay in it); without one a new phase is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhaseInput {
    #[serde(default)]
    pub id: Option<PhaseId>,
    #[validate(length(min = 1, max = 60), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 60, pattern = r"\S"))]
    pub name: String,
    #[validate(range(min = 0, max = 100))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub probability: i32,
    pub kind: PhaseKind,
    pub forecast: ForecastCategory,
    #[serde(default)]
    #[validate(range(min = 1, max = 365))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub rot_days: Option<i32>,
}

/// A pipeline to create, or its new name and phases (in board order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    #[validate(length(min = 1, max = 60), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 60, pattern = r"\S"))]
    pub name: String,
    #[validate(length(min = 3, max = 20), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 3, max_items = 20))]
    pub phases: Vec<PhaseInput>,
    /// Make it the organization's default pipeline.
    #[serde(default)]
    pub is_default: bool,
}

impl crate::core::validation::Check for PipelineInput {
    fn rules(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        for kind in PhaseKind::ALL {
            if !self.phases.iter().any(|p| p.kind == kind) {
                out.push(FieldError::new(
                    "phases",
                    "kinds",
                    "A pipeline needs at least one open phase, one won phase and one lost phase.",
                ));
                break;
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in self.phases.iter().enumerate() {
            if !seen.insert(p.name.trim().to_lowercase()) {
                out.push(FieldError::new(format!("phases[{i}].name"), "taken", "Two phases have this name."));
            }
            match p.kind {
                PhaseKind::Won if p.probability != 100 => out.push(FieldError::new(
                    format!("phases[{i}].probability"),
                    "won",
                    "A won phase's probability is 100.",
                )),
                PhaseKind::Lost if p.probability != 0 => out.push(FieldError::new(
                    format!("phases[{i}].probability"),
                    "lost",
                    "A lost phase's probability is 0.",
                )),
                _ => {}
            }
            if p.kind != PhaseKind::Open && p.rot_days.is_some() {
                out.push(FieldError::new(format!("phases[{i}].rot_days"), "closed", "Only open phases rot."));
            }
        }
        let ids: Vec<PhaseId> = self.phases.iter().filter_map(|p| p.id).collect();
        if ids.iter().collect::<std::collections::BTreeSet<_>>().len() != ids.len() {
            out.push(FieldError::new("phases", "repeated", "A phase is listed twice."));
        }
        out
    }
}

/// The phases every organization starts with (its "Sales" pipeline).
pub fn default_phases() -> Vec<PhaseInput> {
    use ForecastCategory::*;
    use PhaseKind::*;
    let p = |name: &str, probability, kind, forecast, rot_days| PhaseInput {
        id: None,
        name: name.into(),
        probability,
        kind,
        forecast,
        rot_days,
    };
    vec![
        p("Prospecting", 10, Open, Pipeline, Some(14)),
        p("Qualification", 20, Open, Pipeline, Some(14)),
        p("Needs analysis", 40, Open, BestCase, Some(21)),
        p("Proposal", 60, Open, BestCase, Some(14)),
        p("Negotiation", 80, Open, Commit, Some(10)),
        p("Closed Won", 100, Won, Closed, None),
        p("Closed Lost", 0, Lost, Omitted, None),
    ]
}

/// The reasons a potential may be lost for (an organization's list).
pub fn default_lost_reasons() -> [&'static str; 6] {
    ["Price too high", "Chose a competitor", "No budget", "No decision", "Timing", "Missing feature"]
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LostReasonView {
    pub id: LostReasonId,
    pub name: String,
    /// Inactive reasons stay on the potentials that used them but are no longer offered.
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LostReasonInput {
    #[validate(length(min = 1, max = 80), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Money as the pipeline keeps it: integer minor units and an ISO 4217 code.
pub fn valid_currency(c: &str) -> Result<(), validator::ValidationError> {
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("currency");
        e.message = Some("Use an ISO 4217 currency code such as EUR or USD.".into());
        Err(e)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PotentialView {
    pub id: PotentialId,
    pub name: String,
    pub account_id: Option<AccountId>,
    /// The primary contact.
    pub contact_id: Option<ContactId>,
    pub pipeline_id: PipelineId,
    pub phase_id: PhaseId,
    /// The phase's kind, so lists can tell open from won and lost without the pipeline.
    pub phase_kind: PhaseKind,
    /// Estimated (open) or won amount, in minor units of `currency`.
    pub amount_minor: i64,
    pub currency: String,
    /// Percent, 0–100: the phase's unless overridden.
    pub probability: i32,
    /// The potential sets its own probability instead of its phase's.
    pub probability_overridden: bool,
    /// `amount_minor × probability / 100`, rounded half away from zero.
    pub weighted_minor: i64,
    pub expected_close_on: Option<NaiveDate>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    /// The lead it was converted from.
    pub lead_id: Option<LeadId>,
    pub lost_reason_id: Option<LostReasonId>,
    pub lost_note: Option<String>,
    /// When it reached a won or lost phase (cleared when reopened).
    pub closed_at: Option<DateTime<Utc>>,
    pub phase_entered_at: DateTime<Utc>,
    /// The last qualifying activity (see [`is_rotting`]); the phase entry when none since.
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl PotentialView {
    pub fn ownership(&self) -> crate::core::permissions::RecordOwnership {
        crate::core::permissions::RecordOwnership { owner_id: self.owner_id, team_id: self.team_id }
    }
}

/// A potential to create.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPotential {
    #[validate(length(min = 1, max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    #[serde(default)]
    pub account_id: Option<AccountId>,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    /// Default: the organization's default pipeline.
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    /// Default: the pipeline's first open phase.
    #[serde(default)]
    pub phase_id: Option<PhaseId>,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000_000_000i64))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_000i64))]
    pub amount_minor: i64,
    #[validate(custom(function = "valid_currency"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 3, pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    /// Default: the phase's probability.
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub probability: Option<i32>,
    #[serde(default)]
    pub expected_close_on: Option<NaiveDate>,
    /// Default: the caller.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

crate::checked_by_attributes!(NewPotential, LostReasonInput);

/// Change a potential; moving it to another phase is a change of `phase_id` (with the version the
/// board showed as `If-Match`). A lost phase needs `lost_reason_id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PotentialPatch {
    #[validate(length(min = 1, max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub account_id: Option<Option<AccountId>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub contact_id: Option<Option<ContactId>>,
    /// Moves the potential to another phase (of its pipeline, or of `pipeline_id`).
    pub phase_id: Option<PhaseId>,
    /// Moves the potential to another pipeline (with `phase_id`, else that pipeline's first open phase).
    pub pipeline_id: Option<PipelineId>,
    #[validate(range(min = 0, max = 1_000_000_000_000_000i64))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_000i64))]
    pub amount_minor: Option<i64>,
    #[validate(custom(function = "valid_currency"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 3, pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// A percent of its own; `null` goes back to the phase's.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 100))]
    pub probability: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expected_close_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<Option<UserId>>,
    /// Required when moving to a lost phase.
    pub lost_reason_id: Option<LostReasonId>,
    #[validate(length(max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub lost_note: Option<String>,
}

impl crate::core::validation::Check for PotentialPatch {
    fn rules(&self) -> Vec<FieldError> {
        match self.probability {
            Some(Some(p)) if !(0..=100).contains(&p) => {
                vec![FieldError::new("probability", "range", "Use a percent from 0 to 100.")]
            }
            _ => Vec::new(),
        }
    }
}

/// What moving to `to` requires beyond the input's own checks: a lost phase needs a reason.
pub fn phase_problems(to: &PhaseView, lost_reason: Option<LostReasonId>) -> Vec<FieldError> {
    if to.kind == PhaseKind::Lost && lost_reason.is_none() {
        vec![FieldError::new("lost_reason_id", "required", "Choose why this potential was lost.")]
    } else {
        Vec::new()
    }
}

/// `amount × percent / 100`, rounded half away from zero, exactly (no floats). `None` on overflow.
pub fn weighted(amount_minor: i64, percent: i32) -> Option<i64> {
    let product = i128::from(amount_minor) * i128::from(percent);
    let (q, r) = (product / 100, product % 100);
    let rounded = if r.abs() * 2 >= 100 { q + product.signum() } else { q };
    i64::try_from(rounded).ok()
}

/// A board column's totals: counts, and amounts and weighted amounts per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnTotals {
    pub count: i64,
    /// Minor units by ISO 4217 code.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub amount: BTreeMap<String, i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub weighted: BTreeMap<String, i64>,
}

impl ColumnTotals {
    pub fn add(&mut self, amount_minor: i64, weighted_minor: i64, currency: &str) {
        self.count += 1;
        *self.amount.entry(currency.to_owned()).or_default() += amount_minor;
        *self.weighted.entry(currency.to_owned()).or_default() += weighted_minor;
    }
}

/// Column totals per phase and per owner: the numbers the board shows, computed by the same code in
/// the browser (after a drag) and on the server.
pub fn totals<'a>(
    potentials: impl IntoIterator<Item = &'a PotentialView>,
) -> (BTreeMap<PhaseId, ColumnTotals>, BTreeMap<Option<UserId>, ColumnTotals>) {
    let mut by_phase: BTreeMap<PhaseId, ColumnTotals> = BTreeMap::new();
    let mut by_owner: BTreeMap<Option<UserId>, ColumnTotals> = BTreeMap::new();
    for p in potentials {
        by_phase.entry(p.phase_id).or_default().add(p.amount_minor, p.weighted_minor, &p.currency);
        by_owner.entry(p.owner_id).or_default().add(p.amount_minor, p.weighted_minor, &p.currency);
    }
    (by_phase, by_owner)
}

/// A stay in one phase: entered, and left (`None` while it is still there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseStay {
    pub phase_id: PhaseId,
    pub phase_name: String,
    pub entered_at: DateTime<Utc>,
    pub exited_at: Option<DateTime<Utc>>,
    pub actor_id: Option<String>,
}

/// Seconds spent in each phase up to `now`, from an append-only history (oldest first). The sum is
/// the potential's age when the history starts at its creation and has no gaps (each stay ends when
/// the next begins), which the storage guarantees.
pub fn time_in_phases(history: &[PhaseStay], now: DateTime<Utc>) -> BTreeMap<PhaseId, i64> {
    let mut out: BTreeMap<PhaseId, i64> = BTreeMap::new();
    for stay in history {
        let end = stay.exited_at.unwrap_or(now).max(stay.entered_at);
        *out.entry(stay.phase_id).or_default() += (end - stay.entered_at).num_seconds();
    }
    out
}

/// What counts as activity against rotting: a logged call, meeting, task done, note or email on the
/// potential, and its moves between phases. A potential in an open phase with `rot_days` rots when
/// the last of those is more than that many days ago. Won and lost potentials never rot.
pub fn is_rotting(phase: &PhaseView, last_activity_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match (phase.kind, phase.rot_days) {
        (PhaseKind::Open, Some(days)) => now - last_activity_at > chrono::Duration::days(i64::from(days)),
        _ => false,
    }
}

/// Filters for the potential list and the board.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PotentialListQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub pipeline_id: Option<PipelineId>,
    pub phase_id: Option<PhaseId>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub account_id: Option<AccountId>,
    pub contact_id: Option<ContactId>,
    /// Only potentials in open (`open`), won or lost phases.
    pub kind: Option<PhaseKind>,
    /// Expected to close in this month: `YYYY-MM`.
    #[cfg_attr(feature = "openapi", param(pattern = r"^\d{4}-\d{2}$"))]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{4}-\d{2}$"))]
    pub close_month: Option<String>,
    /// Searches the name (case-insensitive).
    pub q: Option<String>,
}

/// One column of a pipeline board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardColumn {
    pub phase: PhaseView,
    /// Totals of every potential of the column the filters select (not only the cards sent).
    pub totals: ColumnTotals,
    /// The column's cards, most recently moved first (at most `BOARD_CARDS`).
    pub cards: Vec<PotentialView>,
    /// Cards past `BOARD_CARDS` (read them with the list's `phase_id` filter).
    pub more: bool,
}

/// A pipeline's board: its columns with cards and totals under the filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub pipeline: PipelineView,
    pub columns: Vec<BoardColumn>,
}

/// Cards per column a board sends at most.
pub const BOARD_CARDS: usize = 500;

crate::versioned!(PotentialView, PipelineView);
crate::unversioned!(Board, LostReasonView);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weighted_amounts_round_half_away_from_zero() {
        assert_eq!(weighted(1000, 25), Some(250));
        assert_eq!(weighted(1, 50), Some(1), "0.5 rounds up");
        assert_eq!(weighted(1, 49), Some(0));
        assert_eq!(weighted(-1, 50), Some(-1), "−0.5 rounds away from zero");
        assert_eq!(weighted(333, 33), Some(110), "109.89");
        assert_eq!(weighted(i64::MAX, 100), Some(i64::MAX));
        assert_eq!(weighted(i64::MAX, 101), None);
    }

    #[test]
    fn default_pipeline_passes_its_own_rules() {
        use crate::core::validation::Check;
        let input = PipelineInput { name: "Sales".into(), phases: default_phases(), is_default: true };
        assert_eq!(input.problems(), vec![]);
        let mut bad = input.clone();
        bad.phases.retain(|p| p.kind != PhaseKind::Lost);
        bad.phases[0].name = bad.phases[1].name.to_uppercase();
        bad.phases[5].probability = 50; // the won phase
        let fields: Vec<String> = bad.problems().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"phases".to_owned()), "{fields:?}");
        assert!(fields.contains(&"phases[1].name".to_owned()), "{fields:?}");
        assert!(fields.contains(&"phases[5].probability".to_owned()), "{fields:?}");
    }

    #[test]
    fn a_lost_phase_needs_a_reason() {
        let lost = PhaseView {
            id: PhaseId(uuid::Uuid::nil()),
            name: "Closed Lost".into(),
            probability: 0,
            kind: PhaseKind::Lost,
            forecast: ForecastCategory::Omitted,
            rot_days: None,
        };
        assert_eq!(phase_problems(&lost, None)[0].field, "lost_reason_id");
        assert!(phase_problems(&lost, Some(LostReasonId(uuid::Uuid::nil()))).is_empty());
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + secs, 0).unwrap_or_default()
    }

    proptest! {
        /// However a potential moved, the time it spent in its phases adds up to its age.
        #[test]
        fn time_in_phases_sums_to_the_age(steps in proptest::collection::vec((0usize..5, 0i64..10_000_000), 0..30), tail in 0i64..1_000_000) {
            let phases: Vec<PhaseId> = (0..5u128).map(|i| PhaseId(uuid::Uuid::from_u128(i + 1))).collect();
            let mut history = Vec::new();
            let mut t = 0;
            let mut current = phases[0];
            for (next, dwell) in steps {
                history.push(PhaseStay { phase_id: current, phase_name: String::new(), entered_at: at(t), exited_at: Some(at(t + dwell)), actor_id: None });
                t += dwell;
                current = phases[next];
            }
            history.push(PhaseStay { phase_id: current, phase_name: String::new(), entered_at: at(t), exited_at: None, actor_id: None });
            let now = at(t + tail);
            let total: i64 = time_in_phases(&history, now).values().sum();
            prop_assert_eq!(total, (now - at(0)).num_seconds());
        }

        /// Weighted amounts are exact: never off by more than half a minor unit from the true value.
        #[test]
        fn weighted_is_within_half_a_unit(amount in -1_000_000_000_000i64..1_000_000_000_000, percent in 0i32..=100) {
            let w = weighted(amount, percent).unwrap_or_default();
            let exact = i128::from(amount) * i128::from(percent);
            prop_assert!((i128::from(w) * 100 - exact).abs() <= 50);
        }
    }
}
