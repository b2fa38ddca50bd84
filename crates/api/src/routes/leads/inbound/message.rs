//! Reading a raw RFC 5322 message (as mail providers' inbound webhooks post it) into what a lead is
//! made from. Machine-sent and bulk mail is recognised and ignored. Everything read is plain text:
//! encoded words and transfer encodings are decoded, HTML-only bodies are reduced to their text
//! (scripts, styles and tags dropped), and control characters are removed, so nothing stored here
//! can act as markup or add a header when it is later shown or mailed.

use mail_parser::MessageParser;
use sha2::{Digest, Sha256};

use kith_db::leads::inbound::InboundEmail;
use kith_domain::leads::inbound::IgnoredReason;
use kith_domain::FieldError;

/// What a message is to Kith.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    /// Sent by a machine or to a list: store nothing.
    Ignored(IgnoredReason),
    /// An inquiry from a person.
    Inquiry(InboundEmail),
}

/// Why a message is machine-sent or bulk, from its headers (RFC 3834 and the common vendor ones).
fn ignored_reason<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>) -> Option<IgnoredReason> {
    let mut reasons = Vec::new();
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        // Folded values span lines; only the first token matters for these headers.
        let token = value.split([';', '\r', '\n']).next().unwrap_or("").trim().to_ascii_lowercase();
        match name.as_str() {
            "auto-submitted" if token != "no" => reasons.push(IgnoredReason::AutoSubmitted),
            "precedence" if matches!(token.as_str(), "bulk" | "junk" | "list" | "auto_reply" | "auto-reply") => {
                reasons.push(IgnoredReason::Precedence)
            }
            "x-autoreply" | "x-autorespond" => reasons.push(IgnoredReason::Autoreply),
            "list-id" | "list-unsubscribe" => reasons.push(IgnoredReason::MailingList),
            _ => {}
        }
    }
    // Report the most specific reason whatever the header order.
    reasons.sort_by_key(|r| match r {
        IgnoredReason::AutoSubmitted => 0,
        IgnoredReason::Autoreply => 1,
        IgnoredReason::Precedence => 2,
        IgnoredReason::MailingList => 3,
    });
    reasons.first().copied()
}

/// Characters that reorder or hide text (bidi overrides, zero-width marks): a display name must not
/// pretend to be something else on screen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// One line of plain text: control characters (CR and LF included) become spaces, runs of spaces
/// collapse, invisible formatting characters go.
pub fn single_line(s: &str) -> String {
    let cleaned: String =
        s.chars().filter(|c| !is_invisible(*c)).map(|c| if c.is_control() { ' ' } else { c }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text with its line breaks (normalized to `\n`) and tabs; other control characters go.
pub fn multi_line(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let text: String =
        s.chars().filter(|c| !is_invisible(*c) && (!c.is_control() || matches!(c, '\n' | '\t'))).collect();
    // Trim trailing spaces per line and more than two blank lines in a row (quoted replies, HTML).
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            if blank > 2 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

/// Read a raw message. An unreadable message or one without a sender address is a field error.
pub fn read(raw: &[u8]) -> Result<Reading, FieldError> {
    let unreadable = || FieldError::new("body", "unreadable", "The body is not an RFC 5322 email message.");
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(unreadable());
    }
    let message = MessageParser::default().parse(raw).ok_or_else(unreadable)?;
    if message.headers().is_empty() {
        return Err(unreadable());
    }
    if let Some(reason) = ignored_reason(message.headers_raw()) {
        return Ok(Reading::Ignored(reason));
    }
    let from = message.from().and_then(|a| a.first());
    let from_email = from.and_then(|a| a.address()).map(single_line).filter(|a| !a.is_empty());
    let Some(from_email) = from_email else {
        return Err(FieldError::new("from", "required", "The message has no sender address (From)."));
    };
    let from_name = from.and_then(|a| a.name()).map(single_line).unwrap_or_default();
    // A display name that is just the address again adds nothing.
    let from_name = if from_name.eq_ignore_ascii_case(&from_email) { String::new() } else { from_name };
    let subject = message.subject().map(single_line).unwrap_or_default();
    // `body_text` gives the text/plain part, or the text content of an HTML-only message.
    let text = message.body_text(0).map(|t| multi_line(&t)).unwrap_or_default();
    let message_key = match message.message_id().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => format!("id:{id}"),
        None => format!("sha256:{:x}", Sha256::digest(raw)),
    };
    Ok(Reading::Inquiry(InboundEmail { message_key, from_name, from_email, subject, text }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(raw: &str) -> InboundEmail {
        match read(raw.as_bytes()) {
            Ok(Reading::Inquiry(e)) => e,
            other => panic!("not an inquiry: {other:?}"),
        }
    }

    #[test]
    fn a_plain_inquiry_is_read() {
        let e = inquiry(
            "From: \"Ann Example\" <ann@acme.test>\r\nTo: sales@kith.test\r\nSubject: Pricing?\r\n\
             Message-ID: <abc@acme.test>\r\n\r\nHello,\r\nwhat does it cost?\r\n",
        );
        assert_eq!(e.from_name, "Ann Example");
        assert_eq!(e.from_email, "ann@acme.test");
        assert_eq!(e.subject, "Pricing?");
        assert_eq!(e.text, "Hello,\nwhat does it cost?");
        assert_eq!(e.message_key, "id:abc@acme.test");
    }

    #[test]
    fn encoded_words_are_decoded_and_line_breaks_in_names_removed() {
        // "Evil\r\nBcc: x@y" encoded in the display name, and a subject with a tab and CRLF.
        let e = inquiry(
            "From: =?utf-8?B?RXZpbA0KQmNjOiB4QHk=?= <e@x.test>\r\nSubject: =?utf-8?Q?Hi=0D=0AX-Injected:_1?=\r\n\r\nbody\r\n",
        );
        assert_eq!(e.from_name, "Evil Bcc: x@y");
        assert_eq!(e.subject, "Hi X-Injected: 1");
        assert!(!e.from_name.contains(['\r', '\n']) && !e.subject.contains(['\r', '\n']));
    }

    #[test]
    fn an_html_only_message_keeps_only_its_text() {
        let e = inquiry(
            "From: a@x.test\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
             <html><head><style>p{}</style><script>alert(1)</script></head>\
             <body><p>Hello <b>there</b> &lt;tag&gt;</p><img src=x onerror=alert(1)></body></html>\r\n",
        );
        assert!(e.text.contains("Hello there"), "{:?}", e.text);
        assert!(!e.text.contains("alert") && !e.text.contains("<b>") && !e.text.contains("<img"), "{:?}", e.text);
    }

    #[test]
    fn machine_and_bulk_mail_is_recognised() {
        let cases = [
            ("Auto-Submitted: auto-replied", Some(IgnoredReason::AutoSubmitted)),
            ("Auto-Submitted: no", None),
            ("Precedence: bulk", Some(IgnoredReason::Precedence)),
            ("Precedence: first-class", None),
            ("X-Autoreply: yes", Some(IgnoredReason::Autoreply)),
            ("X-Autorespond: Out of office", Some(IgnoredReason::Autoreply)),
            ("List-Id: <news.acme.test>", Some(IgnoredReason::MailingList)),
            ("List-Unsubscribe: <mailto:u@acme.test>", Some(IgnoredReason::MailingList)),
        ];
        for (header, expected) in cases {
            let raw = format!("From: a@x.test\r\n{header}\r\nSubject: s\r\n\r\nb\r\n");
            let got = match read(raw.as_bytes()) {
                Ok(Reading::Ignored(r)) => Some(r),
                Ok(Reading::Inquiry(_)) => None,
                Err(e) => panic!("{header}: {e:?}"),
            };
            assert_eq!(got, expected, "{header}");
        }
    }

    #[test]
    fn junk_is_refused_not_guessed() {
        assert!(read(b"").is_err());
        assert!(read(b"   \r\n").is_err());
        assert_eq!(read(b"Subject: nobody\r\n\r\nx").map_err(|e| e.field), Err("from".to_string()));
        assert!(read(&[0xff, 0xfe, 0x00, 0x01]).is_err());
    }

    #[test]
    fn a_message_without_message_id_is_keyed_by_its_bytes() {
        let raw = "From: a@x.test\r\nSubject: s\r\n\r\nb\r\n";
        let (a, b) = (inquiry(raw), inquiry(raw));
        assert!(a.message_key.starts_with("sha256:"));
        assert_eq!(a.message_key, b.message_key);
    }
}
