//! Settings of the whole installation, kept in the database so that every API node shares them.

use diesel::prelude::*;

use crate::schema::instance_settings;
use crate::{DbConnection, Result};

const JWT_SECRET: &str = "jwt_signing_secret";

/// The key that signs access tokens. Made once, on first start, and shared by every node through the
/// database; `KITH_JWT_SECRET` overrides it.
pub fn jwt_secret(conn: &mut DbConnection) -> Result<String> {
    crate::core::util::transaction(conn, |c| {
        let existing: Option<String> =
            instance_settings::table.find(JWT_SECRET).select(instance_settings::value).first(c).optional()?;
        if let Some(secret) = existing {
            return Ok(secret);
        }
        let secret = format!("{}{}", crate::core::tokens::generate_secret(), crate::core::tokens::generate_secret());
        diesel::insert_into(instance_settings::table)
            .values((instance_settings::key.eq(JWT_SECRET), instance_settings::value.eq(&secret)))
            .execute(c)?;
        Ok(secret)
    })
    .or_else(|e| match e {
        // Another node made it first: read theirs.
        crate::Error::Conflict(_) => {
            instance_settings::table.find(JWT_SECRET).select(instance_settings::value).first(conn).map_err(Into::into)
        }
        other => Err(other),
    })
}
