//! CSV imports of leads: upload, map columns, dry run, then a background import with progress and a
//! per-row result file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::ids::*;
use crate::webforms::{FormField, FormTarget};

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

/// One CSV column and the lead field it fills (none: ignored). `message` keeps the cell as a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub column: String,
    pub target: Option<FormTarget>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportMapping {
    #[validate(length(min = 1, max = 200))]
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
                c.target.map(|t| FormField {
                    name: c.column.clone(),
                    label: c.column.clone(),
                    target: t,
                    required: false,
                })
            })
            .collect()
    }

    pub fn problems(&self, headers: &[String]) -> Vec<crate::FieldError> {
        let mut out = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            if !headers.contains(&c.column) {
                out.push(crate::FieldError::new(
                    format!("columns[{i}].column"),
                    "unknown",
                    "The file has no such column.",
                ));
            }
        }
        if !self.columns.iter().any(|c| {
            matches!(
                c.target,
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

/// Guess a mapping from column headers ("E-mail", "Company name" …).
pub fn suggest_mapping(headers: &[String]) -> Vec<ColumnMapping> {
    headers
        .iter()
        .map(|h| {
            let k: String = h.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            let target = match k.as_str() {
                "firstname" | "first" | "givenname" | "vorname" => Some(FormTarget::FirstName),
                "lastname" | "last" | "surname" | "familyname" | "nachname" => Some(FormTarget::LastName),
                "name" | "fullname" | "contact" | "contactname" => Some(FormTarget::FullName),
                "email" | "emailaddress" | "mail" => Some(FormTarget::Email),
                "phone" | "phonenumber" | "telephone" | "tel" | "mobile" => Some(FormTarget::Phone),
                "company" | "companyname" | "organization" | "organisation" | "account" | "firma" => {
                    Some(FormTarget::Company)
                }
                "website" | "web" | "url" | "domain" => Some(FormTarget::Website),
                "title" | "jobtitle" | "position" | "role" => Some(FormTarget::Title),
                "country" | "countrycode" | "land" => Some(FormTarget::Country),
                "industry" | "sector" => Some(FormTarget::Industry),
                "employees" | "companysize" | "size" | "headcount" => Some(FormTarget::CompanySize),
                "note" | "notes" | "comment" | "message" => Some(FormTarget::Message),
                _ => None,
            };
            ColumnMapping { column: h.clone(), target }
        })
        .collect()
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunReport {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_headers_are_recognised() {
        let headers: Vec<String> =
            ["E-mail", "First Name", "Company name", "Favourite colour"].iter().map(|s| s.to_string()).collect();
        let targets: Vec<Option<FormTarget>> = suggest_mapping(&headers).into_iter().map(|m| m.target).collect();
        assert_eq!(
            targets,
            vec![Some(FormTarget::Email), Some(FormTarget::FirstName), Some(FormTarget::Company), None]
        );
    }
}
