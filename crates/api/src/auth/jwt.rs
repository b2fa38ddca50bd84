//! Access tokens: HS256 JWTs, at most 15 minutes, bound to a session so logout ends them at once.
//! Validation is explicit: one algorithm, required exp/iat/nbf/iss/aud/sub, 30 s leeway.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kith_db::sessions::IssuedSession;
use kith_domain::{OrgId, SessionId, UserId};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "kith";
pub const AUDIENCE: &str = "kith-api";
const TOKEN_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    pub sid: String,
    pub typ: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: i64,
}

/// What a valid token says.
pub struct TokenSubject {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub session_id: SessionId,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds: ttl_seconds.clamp(30, 900),
        }
    }

    pub fn issue(&self, session: &IssuedSession) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: session.user_id.to_string(),
            org: session.org_id.to_string(),
            sid: session.session_id.to_string(),
            typ: TOKEN_TYPE.into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_seconds,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Verify signature and claims; any failure is simply "not authenticated".
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let c = data.claims;
        if c.typ != TOKEN_TYPE {
            return None;
        }
        Some(TokenSubject {
            user_id: c.sub.parse().ok()?,
            org_id: c.org.parse().ok()?,
            session_id: c.sid.parse().ok()?,
        })
    }
}
