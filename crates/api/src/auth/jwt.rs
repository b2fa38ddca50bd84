//! Access tokens: HS256 JWTs, at most 15 minutes, bound to a session so logout ends them at once.
//! Validation is explicit: one algorithm, required exp/iat/nbf/iss/aud/sub, 30 s leeway.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kith_db::identity::sessions::IssuedSession;
use kith_domain::{OrgId, SessionId, UserId};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "kith";
pub const AUDIENCE: &str = "kith-api";
const TOKEN_TYPE: &str = "access";
/// Clock skew tolerated between nodes when checking `exp` and `nbf`.
const LEEWAY_SECONDS: i64 = 30;

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
        // Expiry and not-before are checked against the server's clock in `verify` (the library
        // would read the system time, which tests cannot move).
        validation.validate_exp = false;
        validation.validate_nbf = false;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds: ttl_seconds.clamp(30, 900),
        }
    }

    pub fn issue(&self, session: &IssuedSession, now: chrono::DateTime<chrono::Utc>) -> Result<String, String> {
        let now = now.timestamp();
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
    pub fn verify(&self, token: &str, now: chrono::DateTime<chrono::Utc>) -> Option<TokenSubject> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let c = data.claims;
        let now = now.timestamp();
        if c.typ != TOKEN_TYPE || now >= c.exp + LEEWAY_SECONDS || now + LEEWAY_SECONDS < c.nbf {
            return None;
        }
        Some(TokenSubject {
            user_id: c.sub.parse().ok()?,
            org_id: c.org.parse().ok()?,
            session_id: c.sid.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn a_token_lives_its_ttl_on_the_given_clock_and_not_before_it_was_issued() -> Result<(), String> {
        let keys = JwtKeys::new(&[7u8; 32], 60);
        let session = IssuedSession {
            session_id: kith_domain::SessionId(uuid::Uuid::now_v7()),
            user_id: kith_domain::UserId(uuid::Uuid::now_v7()),
            org_id: kith_domain::OrgId(uuid::Uuid::now_v7()),
            refresh_token: String::new(),
        };
        let at = Utc::now() + Duration::days(3);
        let token = keys.issue(&session, at)?;
        assert!(keys.verify(&token, at).is_some());
        assert!(keys.verify(&token, at + Duration::seconds(60 + LEEWAY_SECONDS - 1)).is_some());
        assert!(keys.verify(&token, at + Duration::seconds(60 + LEEWAY_SECONDS)).is_none(), "expired");
        assert!(keys.verify(&token, at - Duration::seconds(LEEWAY_SECONDS + 1)).is_none(), "not yet valid");
        assert!(keys.verify(&token, Utc::now()).is_none(), "three days early");
        Ok(())
    }
}
