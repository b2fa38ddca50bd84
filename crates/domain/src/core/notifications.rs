//! In-app notifications: what a user should look at (a lead assigned to them, a lead to revisit).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::ids::NotificationId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationView {
    pub id: NotificationId,
    /// `lead_assigned`, `lead_qualified`, `lead_revisit`, …
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The record it is about, e.g. (`lead`, id), for a link.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Filters for the caller's notifications.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// `true`: only unread ones.
    pub unread: Option<bool>,
}

/// How the organization's email presents itself. It goes out through the organization's own SMTP
/// server when one is set ([`MailServerView`]), otherwise through the installation's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// Shown as the sender's name (default: the organization's name).
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub from_name: String,
    /// Sender address; must be allowed by the installation's mail server (default: the
    /// installation's address).
    #[serde(default)]
    #[validate(email)]
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub from_address: Option<String>,
    /// Where replies go, e.g. the sales team's shared inbox.
    #[serde(default)]
    #[validate(email)]
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub reply_to: Option<String>,
    /// Measure opens and clicks of emails to leads (an HTML part with a tracking pixel and links through
    /// a redirect); they count as behaviour for lead scoring. Default on; turn off where consent requires.
    #[serde(default = "yes")]
    pub track_engagement: bool,
}

fn yes() -> bool {
    true
}

/// How the connection to an SMTP server is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption (a relay on a trusted network only; the password would travel in clear).
    Plain,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::Plain => "plain",
        }
    }
    pub fn parse(s: &str) -> Option<SmtpSecurity> {
        [SmtpSecurity::Starttls, SmtpSecurity::Tls, SmtpSecurity::Plain].into_iter().find(|v| v.as_str() == s)
    }
}

/// The organization's own SMTP server, as an administrator sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailServerInput {
    /// Host name or IP address, e.g. `smtp.example.com`.
    #[validate(length(min = 1, max = 253), custom(function = "crate::core::notifications::check_host"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 253))]
    pub host: String,
    #[validate(range(min = 1, max = 65535))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65535))]
    pub port: i32,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub username: Option<String>,
    /// Omitted: keep the stored password. Empty: remove it. Never returned.
    #[serde(default)]
    #[validate(length(max = 500))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub password: Option<String>,
}

/// A host name (letters, digits, hyphens and dots) or an IP address; nothing that could carry a port,
/// a path or a second host.
pub fn check_host(host: &str) -> Result<(), validator::ValidationError> {
    let ok = host.parse::<std::net::IpAddr>().is_ok()
        || (!host.starts_with(['.', '-'])
            && !host.ends_with('-')
            && !host.contains("..")
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("host").with_message("Give a host name like smtp.example.com.".into()))
    }
}

/// The organization's SMTP server as the API shows it: everything but the password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailServerView {
    pub host: String,
    pub port: i32,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password_set: bool,
    pub updated_at: DateTime<Utc>,
}

/// Which SMTP server the organization's email goes out through: its own, or (`server: null`) the
/// installation's — a plain answer, not an error, since most organizations never set one up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailServerSetting {
    /// The organization's own server; `null` when it sends through the installation's.
    pub server: Option<MailServerView>,
}

/// Send one message now, to check the organization's email set-up end to end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, validator::Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TestEmailRequest {
    #[validate(email)]
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub to: String,
}

/// The route a test message took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEmailResult {
    /// `organization` (its own SMTP server) or `installation`.
    pub via: String,
    /// The server's host, for `organization`.
    pub host: Option<String>,
}

crate::unversioned!(MailServerView, MailServerSetting, MailSettings, TestEmailResult);

crate::checked_by_attributes!(MailServerInput, MailSettings, TestEmailRequest);

#[cfg(test)]
mod host_tests {
    use super::*;

    #[test]
    fn a_mail_server_host_is_one_plain_name_or_address() {
        for good in ["smtp.example.com", "mail-1.example.co.uk", "10.0.0.5", "::1", "localhost"] {
            assert!(check_host(good).is_ok(), "{good}");
        }
        for bad in ["smtp.example.com:25", "a b", "x/y", "-x.com", "a..b", "evil.com\r\nRCPT", "user@host"] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
    }
}
