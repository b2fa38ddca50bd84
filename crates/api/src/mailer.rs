//! Sending the email outbox: over SMTP in production, into a folder in development (so a newcomer
//! can open what Kith sent), or not at all. Each message is leased before sending, so several nodes
//! never send the same message while alive; its Message-ID is derived from the outbox id, so a
//! message re-sent after a crash between "sent" and "marked sent" is recognisably the same one.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use kith_db::outbox::{self, OutgoingEmail};
use kith_db::Pool;

pub enum Transport {
    File(PathBuf),
    Smtp(Box<SmtpTransport>),
    Off,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn from_config(transport: &str, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("KITH_MAIL_FROM {from:?} is not a mailbox: {e}"))?;
        let transport = if transport == "off" {
            Transport::Off
        } else if let Some(dir) = transport.strip_prefix("file:") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create mail folder {}: {e}", dir.display()))?;
            Transport::File(dir)
        } else if transport.starts_with("smtp://") || transport.starts_with("smtps://") {
            Transport::Smtp(Box::new(
                SmtpTransport::from_url(transport)
                    .map_err(|e| format!("KITH_MAIL_TRANSPORT is not a usable SMTP URL: {e}"))?
                    .build(),
            ))
        } else {
            return Err("KITH_MAIL_TRANSPORT must be off, file:<folder>, smtp://… or smtps://…".into());
        };
        Ok(Mailer { transport, from })
    }

    pub fn is_off(&self) -> bool {
        matches!(self.transport, Transport::Off)
    }

    /// Build the message. Header values cannot carry line breaks into new headers: the subject is
    /// flattened to one line and the builder encodes what remains (RELIABILITY C6).
    pub fn build(&self, email: &OutgoingEmail) -> Result<Message, String> {
        let to: Mailbox = email.to.parse().map_err(|e| format!("bad recipient {:?}: {e}", email.to))?;
        let subject: String = email.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let mut from = self.from.clone();
        let mut builder = Message::builder();
        if let Some(sender) = &email.sender {
            if let Some(address) = sender.from_address.as_deref().and_then(|a| a.parse().ok()) {
                from.email = address;
            }
            // Control characters in a display name make the message unprintable (and could
            // smuggle headers): drop them whatever was stored.
            let name: String = sender.from_name.chars().filter(|c| !c.is_control()).collect();
            if !name.trim().is_empty() {
                from.name = Some(name.trim().to_owned());
            }
            if let Some(reply_to) = sender.reply_to.as_deref().and_then(|a| a.parse::<Mailbox>().ok()) {
                builder = builder.reply_to(reply_to);
            }
        }
        builder
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@kith.outbox>", email.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body_text.clone())
            .map_err(|e| e.to_string())
    }

    fn send(&self, email: &OutgoingEmail) -> Result<(), String> {
        let message = self.build(email)?;
        match &self.transport {
            Transport::Off => Err("sending is off".into()),
            Transport::File(dir) => FileTransport::new(dir).send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(smtp) => smtp.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    /// Send one batch of due messages; returns (sent, failed). Blocking: call from a blocking thread.
    pub fn drain_once(&self, pool: &Pool) -> kith_db::Result<(usize, usize)> {
        if self.is_off() {
            return Ok((0, 0));
        }
        let mut conn = pool.get()?;
        let batch = outbox::lease_unsent(&mut conn, 20, chrono::Duration::seconds(120))?;
        let (mut sent, mut failed) = (0, 0);
        for email in batch {
            match self.send(&email) {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, &email.id)?;
                    sent += 1;
                }
                Err(error) => {
                    tracing::warn!(outbox_id = %email.id, %error, "email not sent; will retry");
                    outbox::mark_failed(&mut conn, &email.id, email.attempts, &error)?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }
}
