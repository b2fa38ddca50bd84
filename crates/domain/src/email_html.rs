//! The HTML twin of a plain-text email. Kith's emails are written as plain text (sequence steps,
//! notifications); when an organization measures engagement, the message also carries an HTML part in
//! which links go through a click redirect and a one-pixel image reports the open. The text part stays
//! exactly as written, so readers without HTML (and spam filters) see the same words.

/// How one web address in the text appears in the HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkAs {
    /// A link through this redirect (tracked).
    Tracked(String),
    /// A plain link (e.g. the unsubscribe link: leaving must never count as engagement).
    Direct,
    /// Not a link at all: text that only looks like an address (e.g. from a lead's name, which must
    /// not turn Kith's email or redirect into a phishing vehicle).
    Text,
}

/// How links and opens are tracked in one message.
pub struct Tracking<'a> {
    /// Loaded by the mail client when the HTML is shown.
    pub open_pixel_url: &'a str,
    pub link: &'a dyn Fn(&str) -> LinkAs,
}

/// Escape text for an HTML element or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// The web links in a text, as (start, end) byte ranges. A link starts with http:// or https:// and
/// ends at white space or a character that cannot end a URL in prose (a closing bracket or sentence
/// punctuation right before white space).
pub fn find_links(text: &str) -> Vec<(usize, usize)> {
    let mut links = Vec::new();
    let mut from = 0;
    while let Some(found) = next_scheme(&text[from..]) {
        let start = from + found;
        let rest = &text[start..];
        let mut end =
            start + rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"')).unwrap_or(rest.len());
        while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '\'']) {
            end -= 1;
        }
        let scheme_len = if rest.starts_with("https://") { 8 } else { 7 };
        if end > start + scheme_len {
            links.push((start, end));
        }
        from = end.max(start + scheme_len);
    }
    links
}

fn next_scheme(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The HTML part for a plain-text body: text escaped, line breaks kept, links clickable (through the
/// click redirect when tracking), and the open pixel at the end when tracking.
pub fn html_from_text(text: &str, tracking: Option<&Tracking<'_>>) -> String {
    let mut body = String::with_capacity(text.len() * 5 / 4 + 200);
    let mut at = 0;
    for (start, end) in find_links(text) {
        body.push_str(&escape(&text[at..start]));
        let url = &text[start..end];
        match tracking.map(|t| (t.link)(url)).unwrap_or(LinkAs::Direct) {
            LinkAs::Tracked(href) => body.push_str(&format!("<a href=\"{}\">{}</a>", escape(&href), escape(url))),
            LinkAs::Direct => body.push_str(&format!("<a href=\"{}\">{}</a>", escape(url), escape(url))),
            LinkAs::Text => body.push_str(&escape(url)),
        }
        at = end;
    }
    body.push_str(&escape(&text[at..]));
    let body = body.replace("\r\n", "\n").replace('\n', "<br>\n");
    let pixel = tracking
        .map(|t| {
            format!(
                "<img src=\"{}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">",
                escape(t.open_pixel_url)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
         <body><div style=\"font-family:sans-serif;font-size:14px;line-height:1.5\">{body}</div>{pixel}</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn links_in_prose_end_before_the_punctuation_around_them() {
        let text = "See https://acme.test/offer?a=1&b=2. Or (http://x.test/p), then https:// alone.";
        let found: Vec<&str> = find_links(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(found, vec!["https://acme.test/offer?a=1&b=2", "http://x.test/p"]);
    }

    #[test]
    fn tracked_html_sends_links_through_the_redirect_but_not_the_unsubscribe_link() {
        let link = |url: &str| match url {
            u if u.contains("/unsubscribe") => LinkAs::Direct,
            u if u.starts_with("https://acme.test/") => LinkAs::Tracked(format!("https://kith.test/c?u={u}")),
            _ => LinkAs::Text,
        };
        let tracking = Tracking { open_pixel_url: "https://kith.test/o.gif", link: &link };
        let html = html_from_text(
            "Hi <Ann> & co (https://evil.test/login),\nour offer: https://acme.test/x\n--\nhttps://kith.test/unsubscribe?t=1",
            Some(&tracking),
        );
        assert!(html.contains("(https://evil.test/login)") && !html.contains("href=\"https://evil"), "{html}");
        assert!(html.contains("Hi &lt;Ann&gt; &amp; co ("));
        assert!(html.contains("<a href=\"https://kith.test/c?u=https://acme.test/x\">https://acme.test/x</a>"));
        assert!(html.contains("<a href=\"https://kith.test/unsubscribe?t=1\">"));
        assert!(html.contains("<img src=\"https://kith.test/o.gif\""));
        let plain = html_from_text("https://acme.test/x", None);
        assert!(plain.contains("<a href=\"https://acme.test/x\">") && !plain.contains("<img"));
    }

    proptest! {
        /// Whatever a template or a lead's name contains, it cannot open a tag or an attribute.
        #[test]
        fn no_text_becomes_markup(text in ".{0,200}") {
            let html = html_from_text(&text, None);
            let inner = html
                .split("line-height:1.5\">").nth(1).and_then(|s| s.rsplit_once("</div>")).map(|(b, _)| b).unwrap_or("");
            let without_links: String = {
                let mut s = inner.to_owned();
                while let (Some(a), Some(b)) = (s.find("<a href=\""), s.find("</a>")) {
                    if b < a { break; }
                    s.replace_range(a..b + 4, "");
                }
                s.replace("<br>", "")
            };
            prop_assert!(!without_links.contains('<') && !without_links.contains('>'), "{}", html);
        }
    }
}
