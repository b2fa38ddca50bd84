//! Sending the email outbox: over SMTP in production, into a folder in development (so a newcomer
//! can open what Kith sent), or not at all. An organization with its own SMTP server sends through it;
//! the others through the installation's transport. Each message is leased before sending, so several
//! nodes never send the same message while alive; its Message-ID is derived from the outbox id, so a
//! message re-sent after a crash between "sent" and "marked sent" is recognisably the same one.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use kith_db::core::mail_servers::StoredMailServer;
use kith_db::core::outbox::{self, OutgoingEmail};
use kith_db::Pool;
use kith_domain::core::notifications::SmtpSecurity;

use crate::secrets::Sealer;

pub enum Transport {
    File(PathBuf),
    Smtp(Box<SmtpTransport>),
    Off,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    org_servers: Option<OrgServers>,
}

/// What sending through organizations' own servers needs: the key to their passwords, and whether
/// private addresses are allowed (KITH_SMTP_ALLOW_PRIVATE).
struct OrgServers {
    sealer: Arc<Sealer>,
    allow_private: bool,
}

/// RFC 2369 / RFC 8058: one-click unsubscribe that mail providers show next to the sender.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim_matches(['<', '>']).to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
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
        Ok(Mailer { transport, from, org_servers: None })
    }

    /// The installation's mailer, also able to send through organizations' own servers.
    pub fn for_state(state: &crate::state::AppState) -> Result<Mailer, String> {
        Ok(Mailer::from_config(&state.config.mail_transport, &state.config.mail_from)?
            .with_org_servers(state.sealer.clone(), state.config.smtp_allow_private))
    }

    pub fn with_org_servers(mut self, sealer: Arc<Sealer>, allow_private: bool) -> Mailer {
        self.org_servers = Some(OrgServers { sealer, allow_private });
        self
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
        if let Some(url) = email.list_unsubscribe.as_deref().filter(|u| !u.chars().any(char::is_control)) {
            builder = builder.header(ListUnsubscribe(url.to_owned())).header(ListUnsubscribePost);
        }
        let builder =
            builder.from(from).to(to).subject(subject).message_id(Some(format!("<{}@kith.outbox>", email.id)));
        match &email.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.body_text.clone(), html.clone())),
            None => builder.header(ContentType::TEXT_PLAIN).body(email.body_text.clone()),
        }
        .map_err(|e| e.to_string())
    }

    fn send(&self, email: &OutgoingEmail) -> Result<(), String> {
        let message = self.build(email)?;
        if let Some(server) = &email.server {
            let smtp = self.org_transport(&email.org_id, server)?;
            return smtp.send(&message).map(|_| ()).map_err(|e| format!("{}: {e}", server.host));
        }
        match &self.transport {
            Transport::Off => Err("sending is off".into()),
            Transport::File(dir) => FileTransport::new(dir).send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(smtp) => smtp.send(&message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    /// A connection to an organization's own server. The host is resolved here and every address checked
    /// against the outbound policy; lettre then connects to the checked address (so a DNS answer cannot
    /// change between the check and the connection), while TLS still verifies the certificate for the
    /// host name.
    fn org_transport(&self, org_id: &str, server: &StoredMailServer) -> Result<SmtpTransport, String> {
        let servers = self.org_servers.as_ref().ok_or("this process cannot send through organizations' servers")?;
        let address = checked_address(&server.host, server.port, servers.allow_private)?;
        // A password never crosses a public network in clear: unencrypted logins only to an internal relay.
        if server.security == SmtpSecurity::Plain && server.username.is_some() && !servers.allow_private {
            return Err(format!(
                "{}: refusing to send a password without encryption; choose STARTTLS or TLS",
                server.host
            ));
        }
        let tls = |host: &str| TlsParameters::new(host.to_owned()).map_err(|e| format!("TLS set-up: {e}"));
        let mut builder = SmtpTransport::builder_dangerous(address.ip().to_string())
            .port(server.port)
            .timeout(Some(Duration::from_secs(20)))
            .tls(match server.security {
                SmtpSecurity::Starttls => Tls::Required(tls(&server.host)?),
                SmtpSecurity::Tls => Tls::Wrapper(tls(&server.host)?),
                SmtpSecurity::Plain => Tls::None,
            });
        if let Some(user) = &server.username {
            let password = match &server.password_sealed {
                Some(sealed) => servers.sealer.open(org_id, sealed)?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(builder.build())
    }

    /// Send one message now (the settings page's "send a test email"), through the organization's own
    /// server when it has one. Blocking.
    pub fn send_now(&self, email: &OutgoingEmail) -> Result<(), String> {
        if email.server.is_none() && self.is_off() {
            return Err("the installation's email sending is off (KITH_MAIL_TRANSPORT=off)".into());
        }
        self.send(email)
    }

    /// Send one batch of due messages; returns (sent, failed). Blocking: call from a blocking thread.
    pub fn drain_once(&self, pool: &Pool) -> kith_db::Result<(usize, usize)> {
        // With the installation's sending off, messages wait (organizations' own servers included: an
        // installation that sends nothing is a test or a staging copy).
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

/// The address to connect to for `host:port`, refusing every address that is not public unless allowed
/// (RELIABILITY E1: loopback, private, link-local, CGNAT, unique-local, IPv4-mapped and the like).
fn checked_address(host: &str, port: u16, allow_private: bool) -> Result<SocketAddr, String> {
    let addresses: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| format!("{host} cannot be resolved: {e}"))?.collect();
    if addresses.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private {
        if let Some(bad) = addresses.iter().find(|a| !crate::http::outbound::is_public(a.ip())) {
            // The address itself is logged for the operator, not shown: it would map the internal network.
            tracing::warn!(%host, address = %bad.ip(), "organization SMTP server refused: not a public address");
            return Err(format!(
                "{host} is not a public address (an installation's operator can allow internal relays with KITH_SMTP_ALLOW_PRIVATE=true)"
            ));
        }
    }
    Ok(addresses[0])
}
