//! What the API answers with declares whether it is a versioned record. A versioned record's answers
//! carry its version as a strong ETag (`"3"`), which a change must send back in `If-Match`; other
//! answers (lists, pages, results of an action) carry none. Every type the API answers with implements
//! [`Versioned`] — the compiler refuses a handler whose answer type does not say which it is.

/// Whether an answer is a versioned record, and its version.
pub trait Versioned {
    /// The record's version, or `None` for an answer that is not one record with a version.
    fn version(&self) -> Option<i64>;
}

/// Records with a `version` field: their answers carry it as the ETag.
#[macro_export]
macro_rules! versioned {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::core::versioned::Versioned for $t {
            fn version(&self) -> Option<i64> {
                Some(self.version)
            }
        })*
    };
}

/// Answers that are not one versioned record.
#[macro_export]
macro_rules! unversioned {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::core::versioned::Versioned for $t {
            fn version(&self) -> Option<i64> {
                None
            }
        })*
    };
}

impl<T> Versioned for Vec<T> {
    fn version(&self) -> Option<i64> {
        None
    }
}

impl<T> Versioned for crate::core::page::Page<T> {
    fn version(&self) -> Option<i64> {
        None
    }
}

impl Versioned for serde_json::Value {
    fn version(&self) -> Option<i64> {
        None
    }
}

impl Versioned for () {
    fn version(&self) -> Option<i64> {
        None
    }
}
