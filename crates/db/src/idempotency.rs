//! `Idempotency-Key` on POST: the first request with a key runs and its response is stored; a replay
//! with the same body gets the stored response, and the same key with another body is refused.

use chrono::Duration;
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::util::now;
use crate::{DbConnection, Error, Result, Scope};

/// How long a key is remembered.
pub const KEY_HOURS: i64 = 24;

pub enum Claim {
    /// First use: run the request, then [`complete`] (or [`release`] on a server error).
    Started,
    /// Seen before with the same request: answer with this stored response.
    Replay { status: u16, body: String },
    /// Seen before with a different request body.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

pub fn claim(conn: &mut DbConnection, scope: &Scope, key: &str, request_hash: &str) -> Result<Claim> {
    let org = scope.org_id.to_string();
    let principal = scope.principal_key();
    // A key can be released (its first request failed) between our insert seeing it and our read:
    // then it is free again, and this request claims it.
    for _ in 0..3 {
        let inserted = conn.transaction(|c| {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::org_id.eq(&org),
                    idempotency_keys::principal_id.eq(&principal),
                    idempotency_keys::key.eq(key),
                    idempotency_keys::request_hash.eq(request_hash),
                    idempotency_keys::created_at.eq(now()),
                ))
                .execute(c)
        });
        match inserted.map_err(Error::from) {
            Ok(_) => return Ok(Claim::Started),
            Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        let stored: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
            .find((&org, &principal, key))
            .select((idempotency_keys::request_hash, idempotency_keys::status_code, idempotency_keys::response_body))
            .first(conn)
            .optional()?;
        let Some((stored_hash, status, body)) = stored else { continue };
        if stored_hash != request_hash {
            return Ok(Claim::Mismatch);
        }
        return match (status, body) {
            (Some(status), Some(body)) => Ok(Claim::Replay { status: status as u16, body }),
            _ => Ok(Claim::InProgress),
        };
    }
    // Claimed and released over and over by others: as good as in progress.
    Ok(Claim::InProgress)
}

pub fn complete(conn: &mut DbConnection, scope: &Scope, key: &str, status: u16, body: &str) -> Result<()> {
    diesel::update(idempotency_keys::table.find((scope.org_id.to_string(), scope.principal_key(), key)))
        .set((
            idempotency_keys::status_code.eq(Some(i32::from(status))),
            idempotency_keys::response_body.eq(Some(body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forget a key whose request failed on our side, so the client can retry it.
pub fn release(conn: &mut DbConnection, scope: &Scope, key: &str) -> Result<()> {
    diesel::delete(idempotency_keys::table.find((scope.org_id.to_string(), scope.principal_key(), key)))
        .execute(conn)?;
    Ok(())
}

pub fn prune(conn: &mut DbConnection) -> Result<usize> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(now() - Duration::hours(KEY_HOURS))),
    )
    .execute(conn)?)
}
