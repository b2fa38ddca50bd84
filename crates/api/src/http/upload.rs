//! Streamed uploads: the request body is handed, chunk by chunk as it arrives, to blocking work on
//! another thread (a CSV parser writing to the database, a file being spooled to disk), never held
//! whole in memory, and cut off with 413 past the operation's limit.

use std::io::Read;

use actix_web::web;
use futures_util::StreamExt;
use kith_domain::ErrorCode;
use tokio::sync::mpsc::{Receiver, Sender};

use crate::error::{ApiError, ApiResult};

type Chunk = Result<bytes::Bytes, String>;

/// A channel from [`feed`] to the blocking side, with a reader for the blocking side.
pub fn channel() -> (Sender<Chunk>, BodyReader) {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    (tx, BodyReader { rx, current: bytes::Bytes::new() })
}

/// Reads the request body chunk by chunk as it arrives from the async side (blocking).
pub struct BodyReader {
    rx: Receiver<Chunk>,
    current: bytes::Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Send the body into the channel; past `limit` bytes the reader gets an error and the request a
/// 413 with `too_large`. A reader that stops early (its own error is the answer) ends the feed.
pub async fn feed(mut body: web::Payload, tx: Sender<Chunk>, limit: u64, too_large: String) -> ApiResult<()> {
    let mut total = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e.to_string())).await;
                return Err(ApiError::bad_request("The upload was interrupted."));
            }
        };
        total += chunk.len() as u64;
        if total > limit {
            let _ = tx.send(Err("too large".into())).await;
            return Err(ApiError::code(ErrorCode::PayloadTooLarge, too_large));
        }
        if tx.send(Ok(chunk)).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// The declared `Content-Length`, refused with 413 up front when it is past `limit`.
pub fn check_declared_length(req: &actix_web::HttpRequest, limit: u64, too_large: &str) -> ApiResult<()> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit => Err(ApiError::code(ErrorCode::PayloadTooLarge, too_large)),
        _ => Ok(()),
    }
}
