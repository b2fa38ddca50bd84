//! Authentication: passwords (argon2id), access tokens (JWT), and the extractor that turns a bearer
//! credential into the request's [`kith_db::Scope`].

pub mod extract;
pub mod jwt;
pub mod password;

pub use extract::Auth;
