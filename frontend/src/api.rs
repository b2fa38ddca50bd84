//! The SPA's one API client, shared through context, and the single way its errors become problems.

use kith_client::{Client, ClientError};
use kith_domain::{ErrorCode, Problem};
use leptos::prelude::*;

/// The page's origin (`https://crm.example.com`): the API is served from the same place as the SPA.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

pub fn provide_client() -> Client {
    let client = Client::new(origin());
    provide_context(client.clone());
    client
}

pub fn use_client() -> Client {
    expect_context::<Client>()
}

/// Every failure as a problem document, so forms and toasts deal with one shape.
pub fn problem_of(error: &ClientError) -> Problem {
    match error {
        ClientError::Problem(problem) => problem.clone(),
        ClientError::Network(message) => Problem {
            title: "Could not reach the server".into(),
            detail: Some(format!("Check your connection and try again ({message}).")),
            ..Problem::new(ErrorCode::Unavailable)
        },
        ClientError::Unexpected { status, message } => Problem {
            title: format!("Unexpected response from the server ({status})"),
            status: *status,
            detail: (!message.is_empty()).then(|| message.clone()),
            ..Problem::new(ErrorCode::Internal)
        },
    }
}

/// Did an update lose an optimistic-concurrency race (`412 Precondition Failed`)?
pub fn is_stale(error: &ClientError) -> bool {
    error.status() == Some(412)
}
