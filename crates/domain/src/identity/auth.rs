//! Sign-up, login and token wire types.

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::identity::{OrganizationView, RoleView, UserView};

/// Create an organization and its first administrator.
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    #[validate(length(max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub organization_name: String,
    #[validate(length(max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
    #[validate(email, length(max = 254))]
    #[cfg_attr(feature = "openapi", schema(max_length = 254, format = Email))]
    pub email: String,
    #[validate(custom(function = "crate::core::validation::password"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// Exchange a refresh token for a new pair. The SPA sends none and relies on the http-only cookie.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// A short-lived access token and a single-use refresh token.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer …`; valid for `expires_in` seconds.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_in: i64,
    /// Opaque; single use: every refresh returns a new one, and replaying a used one ends the session.
    pub refresh_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    #[validate(custom(function = "crate::core::validation::password"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// Join an organization through an invitation.
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
    #[validate(length(max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub name: String,
    #[validate(custom(function = "crate::core::validation::password"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// Who is signed in: the user, their organization and their role's grants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: UserView,
    pub organization: OrganizationView,
    pub role: RoleView,
}

/// Ask for a link to set a new password. The answer is the same whether or not the address has an
/// account.
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[validate(email, length(max = 254))]
    #[cfg_attr(feature = "openapi", schema(max_length = 254, format = Email))]
    pub email: String,
}

/// Set a new password with the token from a reset email.
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the link in the email.
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
    #[validate(custom(function = "crate::core::validation::password"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
}

/// What an invitation is for, shown to whoever holds its link before they accept it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitePreview {
    /// The organization that invites.
    pub organization_name: String,
    /// The address invited: the new account's email.
    pub email: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The token of an invitation link, to see what it is for. Sent in a body, like accepting, so the
/// token stays out of URLs and the logs that keep them.
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvitePreviewRequest {
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub token: String,
}
crate::unversioned!(Me, TokenResponse, InvitePreview);

crate::checked_by_attributes!(
    AcceptInviteRequest,
    ChangePasswordRequest,
    InvitePreviewRequest,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    SignupRequest
);
