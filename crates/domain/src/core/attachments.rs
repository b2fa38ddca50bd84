//! Attachments: files kept with a record (a lead today; any record kind of the kernel later).
//!
//! The rules a file must pass are pure and live here: which kinds of file are accepted (by the
//! name's extension *and* the bytes' signature — a `.pdf` must start like a PDF), the type it is
//! served as (chosen here, never taken from the uploader), how a name given by the uploader is shown
//! (its last path segment, without control characters: it never names a place on disk), and the
//! `Content-Disposition` a download carries. HTML and SVG are refused outright: served from the
//! application's origin they could run scripts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AttachmentId;

/// The default upload limit (the server's `KITH_ATTACHMENT_MAX_BYTES`).
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// The longest file name kept (characters, after sanitizing).
pub const MAX_NAME_CHARS: usize = 255;

/// A stored file, as lists and the metadata read show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: AttachmentId,
    /// The kind of record it belongs to (`lead`).
    pub record_kind: String,
    /// The id of that record.
    pub record_id: String,
    /// The name as uploaded, shown sanitized (last path segment, no control characters).
    pub file_name: String,
    /// The media type it is served as, chosen from the file's kind (never from the uploader).
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Who uploaded it (a user or an API key id); absent for system uploads.
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The query of an upload: the file's name (its extension decides, with the bytes, what kind of
/// file it is).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AttachmentUpload {
    /// The file's name as the uploader knows it, e.g. `proposal.pdf` (1–1024 characters). Only its
    /// last path segment is kept (at most 255 characters), without control characters.
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 1024, example = "notes.txt"))]
    pub name: String,
}

/// The kinds of file Kith keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Text,
    Csv,
    Email,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    /// Word, Excel and PowerPoint 97–2003 (OLE compound files).
    LegacyOffice,
    Zip,
}

/// Why a file is not accepted (answered as 415).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileRefused {
    #[error("The file is empty.")]
    Empty,
    #[error("The file name has no extension; name the file with its type, e.g. report.pdf. Accepted: {accepted}.", accepted = ACCEPTED)]
    NoExtension,
    #[error(
        "HTML and SVG files are not accepted: a browser could run scripts in them. Send a PDF or an image instead."
    )]
    Active,
    #[error("Files of type .{0} are not accepted. Accepted: {accepted}.", accepted = ACCEPTED)]
    NotAllowed(String),
    #[error("The file's content is not a .{0} file (its bytes do not match its name).")]
    Mismatch(String),
}

/// The extensions accepted, for messages.
pub const ACCEPTED: &str =
    "pdf, png, jpg/jpeg, gif, webp, txt, csv, eml, docx, xlsx, pptx, odt, ods, doc, xls, ppt, zip";

impl FileKind {
    /// The kind a name's extension stands for; `Err` for refused or unknown extensions.
    pub fn from_name(name: &str) -> Result<FileKind, FileRefused> {
        let ext = extension(name).ok_or(FileRefused::NoExtension)?;
        Ok(match ext.as_str() {
            "pdf" => FileKind::Pdf,
            "png" => FileKind::Png,
            "jpg" | "jpeg" => FileKind::Jpeg,
            "gif" => FileKind::Gif,
            "webp" => FileKind::Webp,
            "txt" => FileKind::Text,
            "csv" => FileKind::Csv,
            "eml" => FileKind::Email,
            "docx" => FileKind::Docx,
            "xlsx" => FileKind::Xlsx,
            "pptx" => FileKind::Pptx,
            "odt" => FileKind::Odt,
            "ods" => FileKind::Ods,
            "doc" | "xls" | "ppt" => FileKind::LegacyOffice,
            "zip" => FileKind::Zip,
            "html" | "htm" | "xhtml" | "shtml" | "svg" | "svgz" | "xml" | "xsl" | "xslt" | "mht" | "mhtml" => {
                return Err(FileRefused::Active)
            }
            other => return Err(FileRefused::NotAllowed(other.to_owned())),
        })
    }

    /// The media type downloads are served as.
    pub fn content_type(self, name: &str) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Csv => "text/csv; charset=utf-8",
            FileKind::Email => "message/rfc822",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileKind::LegacyOffice => match extension(name).as_deref() {
                Some("xls") => "application/vnd.ms-excel",
                Some("ppt") => "application/vnd.ms-powerpoint",
                _ => "application/msword",
            },
            FileKind::Zip => "application/zip",
        }
    }

    /// Text kinds are checked as UTF-8 text (no NUL) over the whole file; the others by signature.
    pub fn is_text(self) -> bool {
        matches!(self, FileKind::Text | FileKind::Csv | FileKind::Email)
    }

    /// Do the file's first bytes carry this kind's signature? (`head`: at least the first
    /// [`SNIFF_BYTES`], or the whole file when shorter.)
    fn matches(self, head: &[u8]) -> bool {
        const ZIP: &[u8] = b"PK\x03\x04";
        const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        match self {
            FileKind::Pdf => head.starts_with(b"%PDF-"),
            FileKind::Png => head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            FileKind::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileKind::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            FileKind::Webp => head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP",
            // An email starts with a header line: `Name: value`.
            FileKind::Email => {
                let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
                let name_len = first.iter().position(|b| *b == b':').unwrap_or(0);
                name_len > 0 && first[..name_len].iter().all(|b| b.is_ascii_graphic())
            }
            FileKind::Text | FileKind::Csv => true,
            FileKind::Docx | FileKind::Xlsx | FileKind::Pptx | FileKind::Zip => head.starts_with(ZIP),
            // OpenDocument: a zip whose first entry is the stored file `mimetype` naming the type.
            FileKind::Odt => opendocument(head, b"application/vnd.oasis.opendocument.text"),
            FileKind::Ods => opendocument(head, b"application/vnd.oasis.opendocument.spreadsheet"),
            FileKind::LegacyOffice => head.starts_with(OLE),
        }
    }
}

fn opendocument(head: &[u8], mimetype: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
        && head.get(30..38) == Some(b"mimetype".as_slice())
        && head.get(38..38 + mimetype.len()) == Some(mimetype)
}

/// How many leading bytes the signature checks read.
pub const SNIFF_BYTES: usize = 512;

/// The lower-case extension of a name (after its last dot), if it has one.
pub fn extension(name: &str) -> Option<String> {
    let base = display_name(name)?;
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// What an uploaded file is: its kind from the name, confirmed by its bytes. `head` is the file's
/// first [`SNIFF_BYTES`] (or all of it), `size` its length, `utf8_text` whether the whole file is
/// UTF-8 text without NUL ([`TextCheck`]).
pub fn classify(name: &str, head: &[u8], size: u64, utf8_text: bool) -> Result<FileKind, FileRefused> {
    let kind = FileKind::from_name(name)?;
    if size == 0 {
        return Err(FileRefused::Empty);
    }
    let ext = extension(name).unwrap_or_default();
    if !kind.matches(head) || (kind.is_text() && !utf8_text) {
        return Err(FileRefused::Mismatch(ext));
    }
    Ok(kind)
}

/// Checks, chunk by chunk as a file streams in, that it is UTF-8 text without NUL characters.
#[derive(Clone, Debug, Default)]
pub struct TextCheck {
    /// The bytes of a character split across chunks.
    carry: Vec<u8>,
    failed: bool,
}

impl TextCheck {
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.failed {
            return;
        }
        if chunk.contains(&0) {
            self.failed = true;
            return;
        }
        let mut joined;
        let bytes = if self.carry.is_empty() {
            chunk
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(chunk);
            &joined[..]
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => self.carry.clear(),
            // An incomplete character at the end: wait for the next chunk.
            Err(e) if e.error_len().is_none() => self.carry = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => self.failed = true,
        }
    }

    /// Was everything fed UTF-8 text without NUL?
    pub fn finish(&self) -> bool {
        !self.failed && self.carry.is_empty()
    }
}

/// The name shown for an uploaded file: its last path segment (either slash), without control or
/// bidirectional-override characters, trimmed; `None` when nothing usable is left (`..`, `/`).
pub fn display_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let clean = clean.trim().trim_end_matches('.').trim();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        return None;
    }
    Some(clean.chars().take(MAX_NAME_CHARS).collect())
}

/// `Content-Disposition` for a download (RFC 6266): always `attachment`, with an ASCII fallback
/// name and the exact name in RFC 8187 encoding.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

crate::unversioned!(AttachmentView);

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn a_file_is_accepted_only_when_its_name_and_its_bytes_agree() {
        assert_eq!(classify("offer.pdf", PDF, 30, false), Ok(FileKind::Pdf));
        assert_eq!(classify("Offer.PDF", PDF, 30, false), Ok(FileKind::Pdf));
        assert_eq!(classify("logo.png", PNG, 12, false), Ok(FileKind::Png));
        assert_eq!(classify("offer.pdf", b"<html><script>", 14, true), Err(FileRefused::Mismatch("pdf".into())));
        assert_eq!(classify("logo.png", PDF, 30, false), Err(FileRefused::Mismatch("png".into())));
        assert_eq!(classify("notes.txt", b"hello", 5, true), Ok(FileKind::Text));
        assert_eq!(classify("notes.txt", b"\xFF\xFE", 2, false), Err(FileRefused::Mismatch("txt".into())));
        assert_eq!(classify("notes.txt", b"", 0, true), Err(FileRefused::Empty));
        assert_eq!(classify("mail.eml", b"From: a@b.test\r\n\r\nhi", 20, true), Ok(FileKind::Email));
        assert_eq!(classify("mail.eml", b"hello there", 11, true), Err(FileRefused::Mismatch("eml".into())));
        assert_eq!(
            classify("old.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], 8, false),
            Ok(FileKind::LegacyOffice)
        );
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(classify("a.odt", &odt, 100, false), Ok(FileKind::Odt));
        assert_eq!(classify("a.ods", &odt, 100, false), Err(FileRefused::Mismatch("ods".into())));
    }

    #[test]
    fn html_and_svg_are_refused_whatever_they_contain() {
        for name in ["page.html", "page.HTM", "x.svg", "x.svgz", "x.xhtml", "feed.xml"] {
            assert_eq!(classify(name, b"hello", 5, true), Err(FileRefused::Active), "{name}");
        }
        assert_eq!(classify("run.exe", b"MZ", 2, false), Err(FileRefused::NotAllowed("exe".into())));
        assert_eq!(classify("README", b"hi", 2, true), Err(FileRefused::NoExtension));
        assert_eq!(classify(".pdf", PDF, 30, false), Err(FileRefused::NoExtension));
    }

    #[test]
    fn names_are_shown_as_their_last_segment_without_control_characters() {
        assert_eq!(display_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(display_name("..\\..\\x.pdf").as_deref(), Some("x.pdf"));
        assert_eq!(display_name("C:\\Users\\me\\Offer 2026.pdf").as_deref(), Some("Offer 2026.pdf"));
        assert_eq!(display_name("re\u{202E}fdp.exe").as_deref(), Some("refdp.exe"));
        assert_eq!(display_name("a\r\nb\0.txt").as_deref(), Some("ab.txt"));
        assert_eq!(display_name(".."), None);
        assert_eq!(display_name("dir/"), None);
        assert_eq!(display_name("  "), None);
        assert_eq!(display_name(&"x".repeat(600)).map(|n| n.chars().count()), Some(MAX_NAME_CHARS));
    }

    #[test]
    fn text_is_checked_across_chunk_boundaries() {
        let text = "Grüße, 日本 🎉".as_bytes();
        for split in 0..text.len() {
            let mut check = TextCheck::default();
            check.feed(&text[..split]);
            check.feed(&text[split..]);
            assert!(check.finish(), "split at {split}");
        }
        let mut cut = TextCheck::default();
        cut.feed(&text[..text.len() - 1]);
        assert!(!cut.finish(), "a character cut off at the end");
        let mut nul = TextCheck::default();
        nul.feed(b"a\0b");
        assert!(!nul.finish());
        let mut latin1 = TextCheck::default();
        latin1.feed(b"caf\xE9 ok");
        assert!(!latin1.finish());
    }

    #[test]
    fn downloads_are_attachments_with_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("Angebot \"Q3\" ü.pdf"),
            "attachment; filename=\"Angebot _Q3_ _.pdf\"; filename*=UTF-8''Angebot%20%22Q3%22%20%C3%BC.pdf"
        );
    }
}
