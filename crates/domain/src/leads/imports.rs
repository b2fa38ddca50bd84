//! CSV imports of leads: upload, map columns, dry run, then a background import with progress and a
//! per-row result file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::custom_fields::{is_valid_key, CustomFieldView};
use crate::core::ids::*;
use crate::leads::webforms::{FormField, FormTarget};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Rows are stored; map the columns next.
    Uploaded,
    Mapped,
    Queued,
    Running,
    Completed,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Uploaded => "uploaded",
            ImportStatus::Mapped => "mapped",
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<ImportStatus> {
        use ImportStatus::*;
        [Uploaded, Mapped, Queued, Running, Completed, Failed].into_iter().find(|x| x.as_str() == s)
    }
}

/// What to do with a row whose person is already a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Leave the existing lead as it is.
    Skip,
    /// Write the row's non-empty values onto the existing lead.
    Update,
    /// Create another lead anyway.
    Create,
}

impl DuplicatePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicatePolicy::Skip => "skip",
            DuplicatePolicy::Update => "update",
            DuplicatePolicy::Create => "create",
        }
    }
    pub fn parse(s: &str) -> Option<DuplicatePolicy> {
        [DuplicatePolicy::Skip, DuplicatePolicy::Update, DuplicatePolicy::Create].into_iter().find(|x| x.as_str() == s)
    }
}

/// What a column fills: a lead field named like a web form's target (`email`, `company` …), or a
/// custom field as `custom.<key>`. On the wire it is that name, a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportTarget {
    Field(FormTarget),
    Custom(String),
}

/// The prefix of a custom field's target.
pub const CUSTOM_PREFIX: &str = "custom.";

impl ImportTarget {
    /// `email`, `custom.budget` … or None for a name that is neither.
    pub fn parse(s: &str) -> Option<ImportTarget> {
        if let Some(key) = s.strip_prefix(CUSTOM_PREFIX) {
            return is_valid_key(key).then(|| ImportTarget::Custom(key.to_owned()));
        }
        use serde::de::IntoDeserializer;
        let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = s.into_deserializer();
        // A column names its custom field as `custom.<key>`, never the bare `custom` of web forms.
        FormTarget::deserialize(de).ok().filter(|t| *t != FormTarget::Custom).map(ImportTarget::Field)
    }

    /// The lead field, when the target is one.
    pub fn field(&self) -> Option<FormTarget> {
        match self {
            ImportTarget::Field(f) => Some(*f),
            ImportTarget::Custom(_) => None,
        }
    }

    /// The custom field's key, when the target is one.
    pub fn custom_key(&self) -> Option<&str> {
        match self {
            ImportTarget::Field(_) => None,
            ImportTarget::Custom(k) => Some(k),
        }
    }
}

impl From<FormTarget> for ImportTarget {
    fn from(f: FormTarget) -> Self {
        ImportTarget::Field(f)
    }
}

impl std::fmt::Display for ImportTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportTarget::Field(t) => match serde_json::to_value(t) {
                Ok(serde_json::Value::String(s)) => f.write_str(&s),
                _ => Err(std::fmt::Error),
            },
            ImportTarget::Custom(k) => write!(f, "{CUSTOM_PREFIX}{k}"),
        }
    }
}

impl Serialize for ImportTarget {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ImportTarget::Field(t) => t.serialize(serializer),
            ImportTarget::Custom(_) => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for ImportTarget {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ImportTarget::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown target {s:?}: expected a lead field (email, company …) or custom.<key>"
            ))
        })
    }
}

/// One CSV column and the lead field it fills (none: ignored). `message` keeps the cell as a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub column: String,
    /// A lead field (`first_name`, `last_name`, `full_name`, `email`, `phone`, `company`, `website`,
    /// `title`, `country`, `industry`, `company_size`, `message`) or a custom field as
    /// `custom.<key>`; null ignores the column.
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = Option<String>,
            example = "custom.budget",
            pattern = r"^(first_name|last_name|full_name|email|phone|company|website|title|country|industry|company_size|message|custom\.[a-z][a-z0-9_]{0,49})$"
        )
    )]
    pub target: Option<ImportTarget>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportMapping {
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub columns: Vec<ColumnMapping>,
    pub duplicate_policy: DuplicatePolicy,
    /// Tags every imported lead gets.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Owner of every imported lead; without one, the assignment rules decide.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

impl ImportMapping {
    /// The mapping as form fields, so an import row is read exactly like a form submission.
    pub fn fields(&self) -> Vec<FormField> {
        self.columns
            .iter()
            .filter_map(|c| {
                c.target.as_ref().and_then(ImportTarget::field).map(|t| FormField {
                    name: c.column.clone(),
                    label: c.column.clone(),
                    target: t,
                    required: false,
                    custom_key: None,
                })
            })
            .collect()
    }

    /// The columns that fill custom fields: (column, key).
    pub fn custom_columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.columns.iter().filter_map(|c| Some((c.column.as_str(), c.target.as_ref()?.custom_key()?)))
    }

    /// Problems with the mapping against the file's headers and the organization's custom fields.
    pub fn problems(&self, headers: &[String], defs: &[CustomFieldView]) -> Vec<crate::FieldError> {
        let mut out = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            if !headers.contains(&c.column) {
                out.push(crate::FieldError::new(
                    format!("columns[{i}].column"),
                    "unknown",
                    "The file has no such column.",
                ));
            }
            if let Some(key) = c.target.as_ref().and_then(ImportTarget::custom_key) {
                if !defs.iter().any(|d| d.key == key) {
                    out.push(crate::FieldError::new(
                        format!("columns[{i}].target"),
                        "unknown",
                        "No such custom field.",
                    ));
                }
            }
        }
        if !self.columns.iter().any(|c| {
            matches!(
                c.target.as_ref().and_then(ImportTarget::field),
                Some(
                    FormTarget::Email
                        | FormTarget::Phone
                        | FormTarget::FullName
                        | FormTarget::FirstName
                        | FormTarget::LastName
                        | FormTarget::Company
                )
            )
        }) {
            out.push(crate::FieldError::new(
                "columns",
                "identity",
                "Map at least a name, email, phone or company column.",
            ));
        }
        out
    }
}

/// Guess a mapping from column headers ("E-mail", "Company name" …) and the organization's custom
/// fields: a header `custom.<key>` (as the lead export writes it) maps to that field; otherwise the
/// lead fields come first, then a custom field whose key or label equals the header (any case).
pub fn suggest_mapping(headers: &[String], defs: &[CustomFieldView]) -> Vec<ColumnMapping> {
    headers
        .iter()
        .map(|h| {
            let lower = h.trim().to_lowercase();
            let custom_by =
                |wanted: &str| defs.iter().find(|d| d.key == wanted || d.label.trim().to_lowercase() == wanted);
            let exported = lower.strip_prefix(CUSTOM_PREFIX).and_then(|k| defs.iter().find(|d| d.key == k));
            let target = exported
                .map(|d| ImportTarget::Custom(d.key.clone()))
                .or_else(|| lead_field_of(h).map(ImportTarget::Field))
                .or_else(|| custom_by(&lower).map(|d| ImportTarget::Custom(d.key.clone())));
            ColumnMapping { column: h.clone(), target }
        })
        .collect()
}

/// The lead field a header usually means.
fn lead_field_of(header: &str) -> Option<FormTarget> {
    let k: String = header.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    match k.as_str() {
        "firstname" | "first" | "givenname" | "vorname" => Some(FormTarget::FirstName),
        "lastname" | "last" | "surname" | "familyname" | "nachname" => Some(FormTarget::LastName),
        "name" | "fullname" | "contact" | "contactname" => Some(FormTarget::FullName),
        "email" | "emailaddress" | "mail" => Some(FormTarget::Email),
        "phone" | "phonenumber" | "telephone" | "tel" | "mobile" => Some(FormTarget::Phone),
        "company" | "companyname" | "organization" | "organisation" | "account" | "firma" => Some(FormTarget::Company),
        "website" | "web" | "url" | "domain" => Some(FormTarget::Website),
        "title" | "jobtitle" | "position" | "role" => Some(FormTarget::Title),
        "country" | "countrycode" | "land" => Some(FormTarget::Country),
        "industry" | "sector" => Some(FormTarget::Industry),
        "employees" | "companysize" | "size" | "headcount" => Some(FormTarget::CompanySize),
        "note" | "notes" | "comment" | "message" => Some(FormTarget::Message),
        _ => None,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProgress {
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// A row's problem found by the dry run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// 1-based data row (the header is row 0).
    pub row: i64,
    pub errors: Vec<crate::FieldError>,
}

/// A row that matches a lead already in Kith (or an earlier row of the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowDuplicate {
    pub row: i64,
    /// The existing lead, when the match is in Kith.
    pub lead_id: Option<LeadId>,
    /// For a match inside the file: the earlier row.
    pub earlier_row: Option<i64>,
}

/// Where the dry run of an import stands: it runs in the background, a batch of rows at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    #[default]
    Queued,
    Running,
    Done,
    Failed,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Queued => "queued",
            CheckStatus::Running => "running",
            CheckStatus::Done => "done",
            CheckStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<CheckStatus> {
        use CheckStatus::*;
        [Queued, Running, Done, Failed].into_iter().find(|x| x.as_str() == s)
    }
}

/// The dry run's progress, on the import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCheck {
    pub status: CheckStatus,
    /// Rows checked so far, of `total_rows`.
    pub checked_rows: i64,
}

/// What a dry run found (so far, until `status` is `done`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunReport {
    pub status: CheckStatus,
    pub rows: i64,
    pub valid: i64,
    pub invalid: i64,
    pub duplicates_existing: i64,
    pub duplicates_in_file: i64,
    /// The first 100 invalid rows.
    pub errors: Vec<RowProblem>,
    /// The first 100 duplicate rows.
    pub duplicates: Vec<RowDuplicate>,
}

impl DryRunReport {
    /// What starting the import will do with these findings under `policy`, row for row as the
    /// import counts them (if nothing changes in Kith meanwhile): valid rows are created, except
    /// duplicates — of a lead already in Kith or of an earlier row of the file — which `skip`
    /// skips and `update` writes onto that lead; invalid rows fail.
    pub fn expected(&self, policy: DuplicatePolicy) -> ImportProgress {
        let duplicates = match policy {
            DuplicatePolicy::Create => 0,
            DuplicatePolicy::Skip | DuplicatePolicy::Update => self.duplicates_existing + self.duplicates_in_file,
        };
        ImportProgress {
            processed: self.rows,
            created: self.valid - duplicates,
            updated: if policy == DuplicatePolicy::Update { duplicates } else { 0 },
            skipped: if policy == DuplicatePolicy::Skip { duplicates } else { 0 },
            failed: self.invalid,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportView {
    pub id: ImportId,
    pub file_name: String,
    pub status: ImportStatus,
    pub headers: Vec<String>,
    pub total_rows: i64,
    pub mapping: Option<ImportMapping>,
    /// A suggested mapping from the headers, until one is set.
    pub suggested: Vec<ColumnMapping>,
    pub progress: ImportProgress,
    /// The dry run, once asked for (`POST /imports/{id}/dry-run`); a new mapping clears it.
    pub check: Option<ImportCheck>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, for people to recognise the import.
    pub file_name: Option<String>,
}

crate::versioned!(ImportView);

crate::unversioned!(DryRunReport);

crate::checked_by_attributes!(ImportMapping);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_outcome_counts_duplicates_as_the_policy_treats_them() {
        // 20 rows: 1 invalid, 2 of people already in Kith, 1 repeating an earlier row.
        let report = DryRunReport {
            rows: 20,
            valid: 19,
            invalid: 1,
            duplicates_existing: 2,
            duplicates_in_file: 1,
            ..Default::default()
        };
        let at = |created, updated, skipped| ImportProgress { processed: 20, created, updated, skipped, failed: 1 };
        assert_eq!(report.expected(DuplicatePolicy::Skip), at(16, 0, 3));
        assert_eq!(report.expected(DuplicatePolicy::Update), at(16, 3, 0));
        assert_eq!(report.expected(DuplicatePolicy::Create), at(19, 0, 0));
    }

    #[test]
    fn common_headers_are_recognised() {
        let headers: Vec<String> =
            ["E-mail", "First Name", "Company name", "Favourite colour"].iter().map(|s| s.to_string()).collect();
        let targets: Vec<Option<ImportTarget>> = suggest_mapping(&headers, &[]).into_iter().map(|m| m.target).collect();
        assert_eq!(
            targets,
            vec![
                Some(FormTarget::Email.into()),
                Some(FormTarget::FirstName.into()),
                Some(FormTarget::Company.into()),
                None
            ]
        );
    }

    fn def(key: &str, label: &str) -> CustomFieldView {
        CustomFieldView {
            id: CustomFieldId(uuid::Uuid::nil()),
            record_kind: "lead".into(),
            key: key.into(),
            label: label.into(),
            help_text: None,
            kind: crate::core::custom_fields::CustomFieldKind::Text,
            options: vec![],
            retired_options: vec![],
            required: false,
            position: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn custom_fields_are_suggested_by_key_label_or_export_header() {
        let defs = [def("budget", "Budget band"), def("region", "Region"), def("title_code", "Title")];
        let headers: Vec<String> =
            ["BUDGET", "budget band", "custom.region", "Title", "custom.gone"].iter().map(|s| s.to_string()).collect();
        let targets: Vec<Option<String>> =
            suggest_mapping(&headers, &defs).into_iter().map(|m| m.target.map(|t| t.to_string())).collect();
        let want = |s: &str| Some(s.to_owned());
        // A lead field wins over a custom field's label; unknown custom keys are not guessed.
        assert_eq!(
            targets,
            vec![want("custom.budget"), want("custom.budget"), want("custom.region"), want("title"), None]
        );
    }

    #[test]
    fn targets_are_names_on_the_wire() {
        let read = |v: serde_json::Value| serde_json::from_value::<ColumnMapping>(v).ok().and_then(|m| m.target);
        assert_eq!(
            read(serde_json::json!({"column": "Budget", "target": "custom.budget"})),
            Some(ImportTarget::Custom("budget".into()))
        );
        assert_eq!(
            read(serde_json::json!({"column": "Name", "target": "full_name"})),
            Some(ImportTarget::Field(FormTarget::FullName))
        );
        let write = |t: ImportTarget| {
            serde_json::to_value(ColumnMapping { column: "x".into(), target: Some(t) })
                .ok()
                .map(|v| v["target"].clone())
        };
        assert_eq!(write(FormTarget::FullName.into()), Some(serde_json::json!("full_name")));
        assert_eq!(write(ImportTarget::Custom("budget".into())), Some(serde_json::json!("custom.budget")));
        for bad in ["custom.Bad Key", "custom.", "favourite_colour"] {
            let r: Result<ColumnMapping, _> = serde_json::from_value(serde_json::json!({"column": "x", "target": bad}));
            assert!(r.is_err(), "{bad}");
        }
    }
}
