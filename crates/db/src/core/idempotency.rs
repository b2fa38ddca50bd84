//! `Idempotency-Key` on POST: the first request with a key runs and its response is stored with its
//! effect; a replay with the same body gets the stored response, and the same key with another body
//! is refused.

use chrono::Duration;
use diesel::prelude::*;
use diesel::Connection;

use crate::core::util::{now, transaction};
use crate::schema::idempotency_keys;
use crate::{DbConnection, Error, Result, Scope};

/// How long a key is remembered.
pub const KEY_HOURS: i64 = 24;

/// What one request with a key came to.
pub enum Once {
    /// The work ran now (and its response is stored under the key, in the same transaction).
    Ran(Response),
    /// The key was used before with the same request: the stored response.
    Replay(Response),
    /// The key was used before with a different request.
    Mismatch,
}

/// A response as the API sends it: status, JSON body and, for a versioned record, its version (the ETag).
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: serde_json::Value,
    pub version: Option<i64>,
}

/// Run `work` once per (principal, key): the key, the work's effect and its response commit in one
/// transaction. A request that fails leaves no key behind (the corrected request may reuse it); a
/// crash leaves neither effect nor key; a second request with the key while the first runs waits for
/// the first to commit (the key's row is locked) and then replays its response.
pub fn once(
    conn: &mut DbConnection,
    scope: &Scope,
    key: &str,
    request_hash: &str,
    work: impl Fn(&mut DbConnection) -> Result<Response>,
) -> Result<Once> {
    let org = scope.org_id().to_string();
    let principal = scope.principal_key();
    transaction(conn, |c| {
        let at = now();
        // In a savepoint: on PostgreSQL a failed insert would otherwise abort the transaction.
        let inserted = c.transaction(|c| {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::org_id.eq(&org),
                    idempotency_keys::principal_id.eq(&principal),
                    idempotency_keys::key.eq(key),
                    idempotency_keys::request_hash.eq(request_hash),
                    idempotency_keys::created_at.eq(at),
                ))
                .execute(c)
        });
        let claimed = match inserted.map_err(Error::from) {
            Ok(n) => n,
            Err(Error::Conflict(_)) => 0,
            Err(e) => return Err(e),
        };
        if claimed == 0 {
            let (stored_hash, status, body, version): (String, Option<i32>, Option<String>, Option<i64>) =
                idempotency_keys::table
                    .find((&org, &principal, key))
                    .select((
                        idempotency_keys::request_hash,
                        idempotency_keys::status_code,
                        idempotency_keys::response_body,
                        idempotency_keys::response_version,
                    ))
                    .first(c)?;
            return match (stored_hash == request_hash, status, body) {
                (false, _, _) => Ok(Once::Mismatch),
                (true, Some(status), Some(body)) => Ok(Once::Replay(Response {
                    status: status as u16,
                    body: serde_json::from_str(&body).map_err(|e| Error::Internal(e.to_string()))?,
                    version,
                })),
                // Keys are only ever committed with their response.
                (true, _, _) => Err(Error::Internal(format!("idempotency key {key:?} stored without a response"))),
            };
        }
        let response = work(c)?;
        diesel::update(idempotency_keys::table.find((&org, &principal, key)))
            .set((
                idempotency_keys::status_code.eq(Some(i32::from(response.status))),
                idempotency_keys::response_body.eq(Some(response.body.to_string())),
                idempotency_keys::response_version.eq(response.version),
            ))
            .execute(c)?;
        Ok(Once::Ran(response))
    })
}

pub fn prune(conn: &mut DbConnection) -> Result<usize> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(now() - Duration::hours(KEY_HOURS))),
    )
    .execute(conn)?)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.maintenance("idempotency keys", prune);
}
