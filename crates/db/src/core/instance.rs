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

const PUBLIC_URL: &str = "public_url";

/// Remember the address people reach the installation at (`KITH_PUBLIC_URL`), so work that runs deep
/// in storage or on a worker (notification emails) builds full links from it. Every node starting
/// writes its configured address; nodes of one installation share it.
pub fn set_public_url(conn: &mut DbConnection, url: &str) -> Result<()> {
    let url = url.trim_end_matches('/');
    crate::core::util::transaction(conn, |c| {
        let n = diesel::update(instance_settings::table.find(PUBLIC_URL))
            .set(instance_settings::value.eq(url))
            .execute(c)?;
        if n == 0 {
            diesel::insert_into(instance_settings::table)
                .values((instance_settings::key.eq(PUBLIC_URL), instance_settings::value.eq(url)))
                .execute(c)?;
        }
        Ok(())
    })
}

/// A full address for a path of the web app (`/m/leads/…`), from the remembered public address.
/// `None` before any server of this installation has started (nothing to build a full link from:
/// better no link than one a mail client cannot follow).
pub fn absolute_url(conn: &mut DbConnection, path: &str) -> Result<Option<String>> {
    let base: Option<String> =
        instance_settings::table.find(PUBLIC_URL).select(instance_settings::value).first(conn).optional()?;
    Ok(base.map(|b| format!("{}/{}", b.trim_end_matches('/'), path.trim_start_matches('/'))))
}
