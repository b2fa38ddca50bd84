//! A minimal SMTP server for tests: speaks enough of RFC 5321 (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA,
//! RSET, QUIT) for lettre to deliver to it, and keeps what it received. Plain TCP only.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;

#[derive(Clone, Debug, Default)]
pub struct Received {
    /// `user:password` from AUTH, if the client authenticated.
    pub login: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct FakeSmtp {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl FakeSmtp {
    pub fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (r, n) = (received.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                n.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &r);
                });
            }
        });
        FakeSmtp { addr, received, connections }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn decode(b64: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn session(stream: TcpStream, received: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut reply = |s: &str| out.write_all(format!("{s}\r\n").as_bytes());
    reply("220 fake.smtp.test ESMTP")?;
    let mut current = Received::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_uppercase();
        if upper.starts_with("EHLO") {
            reply("250-fake.smtp.test")?;
            reply("250-AUTH PLAIN LOGIN")?;
            reply("250 8BITMIME")?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") || upper.starts_with("RSET") {
            reply("250 OK")?;
        } else if upper.starts_with("AUTH PLAIN") {
            let initial = command[10..].trim();
            let token = if initial.is_empty() {
                reply("334 ")?;
                let mut t = String::new();
                lines.read_line(&mut t)?;
                t
            } else {
                initial.to_owned()
            };
            let parts: Vec<String> = decode(&token).split('\0').map(str::to_owned).collect();
            current.login = Some(format!(
                "{}:{}",
                parts.get(1).cloned().unwrap_or_default(),
                parts.get(2).cloned().unwrap_or_default()
            ));
            reply("235 2.7.0 Authentication successful")?;
        } else if upper.starts_with("AUTH LOGIN") {
            reply("334 VXNlcm5hbWU6")?;
            let mut user = String::new();
            lines.read_line(&mut user)?;
            reply("334 UGFzc3dvcmQ6")?;
            let mut pass = String::new();
            lines.read_line(&mut pass)?;
            current.login = Some(format!("{}:{}", decode(&user), decode(&pass)));
            reply("235 2.7.0 Authentication successful")?;
        } else if upper.starts_with("MAIL FROM:") {
            current.from = command[10..].trim().trim_matches(['<', '>']).split('>').next().unwrap_or("").to_owned();
            reply("250 OK")?;
        } else if upper.starts_with("RCPT TO:") {
            current.to.push(command[8..].trim().trim_matches(['<', '>']).to_owned());
            reply("250 OK")?;
        } else if upper == "DATA" {
            reply("354 End data with <CR><LF>.<CR><LF>")?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l)? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
            }
            let login = current.login.clone();
            received.lock().expect("lock").push(Received { data, ..std::mem::take(&mut current) });
            current.login = login;
            reply("250 OK queued")?;
        } else if upper.starts_with("QUIT") {
            reply("221 Bye")?;
            return Ok(());
        } else {
            reply("502 Command not implemented")?;
        }
    }
}
