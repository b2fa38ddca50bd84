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

    /// One piece of a message: prose with markup characters, web links (with quotes, brackets and
    /// ampersands in them), and hostile addresses that must never become links.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[ a-zA-Z0-9<>&\"'.,;:!?()\\[\\]\n\r\t=/-]{0,12}",
            4 => ("https?://", "[a-zA-Z0-9./?=&%#<>\"'():;,!_~+\\[\\]-]{1,24}").prop_map(|(s, r)| format!("{s}{r}")),
            1 => Just("https://acme.test/offer?a=1&b=\"2\"".to_owned()),
            1 => Just("https://kith.test/unsubscribe?t=1".to_owned()),
            1 => Just("javascript:alert(1)".to_owned()),
            1 => Just("data:text/html,<script>alert(1)</script>".to_owned()),
            1 => Just("\"><script>alert(1)</script>".to_owned()),
            1 => Just("' onmouseover='alert(1)".to_owned()),
            1 => Just("JAVASCRIPT://%0aalert(1)".to_owned()),
            2 => Just(" ".to_owned()),
            1 => Just("\n".to_owned()),
        ]
    }

    fn message() -> impl Strategy<Value = String> {
        proptest::collection::vec(piece(), 0..12).prop_map(|v| v.concat())
    }

    /// Undo `escape` (an independent reading of the five entities).
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let (ch, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&#39;", '\'')]
                .iter()
                .find(|(e, _)| rest.starts_with(e))
                .map(|(e, c)| (*c, e.len()))
                .unwrap_or_else(|| panic!("a bare & in the output: {rest:?}"));
            out.push(ch);
            rest = &rest[len..];
        }
        out.push_str(rest);
        out
    }

    /// The message body read back: (the text a reader sees, the links as (href, shown text)), or why
    /// it is not well formed. Only `<br>` and `<a href="…">…</a>` may appear as markup.
    fn read_body(html: &str) -> Result<(String, Vec<(String, String)>), String> {
        let body = html
            .split("line-height:1.5\">")
            .nth(1)
            .and_then(|s| s.rsplit_once("</div>"))
            .map(|(b, _)| b)
            .ok_or("no body")?;
        let (mut text, mut links, mut rest) = (String::new(), Vec::new(), body);
        while let Some(i) = rest.find('<') {
            text.push_str(&unescape(&rest[..i]));
            rest = &rest[i..];
            if let Some(r) = rest.strip_prefix("<br>\n") {
                text.push('\n');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("<a href=\"") {
                let (href, r) = r.split_once("\">").ok_or("unterminated href")?;
                let (shown, r) = r.split_once("</a>").ok_or("unterminated link")?;
                if href.contains(['"', '<', '>']) || shown.contains(['<', '>']) {
                    return Err(format!("markup inside a link: {href:?} {shown:?}"));
                }
                text.push_str(&unescape(shown));
                links.push((unescape(href), unescape(shown)));
                rest = r;
            } else {
                return Err(format!("markup from text: {rest:?}"));
            }
        }
        if rest.contains('>') {
            return Err(format!("a bare > in {rest:?}"));
        }
        text.push_str(&unescape(rest));
        Ok((text, links))
    }

    #[test]
    fn the_generator_makes_links_and_hostile_addresses_routinely() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let samples: Vec<String> = (0..500)
            .map(|_| {
                message().new_tree(&mut runner).map(|t| proptest::strategy::ValueTree::current(&t)).unwrap_or_default()
            })
            .collect();
        let with_links = samples.iter().filter(|t| !find_links(t).is_empty()).count();
        let hostile = samples.iter().filter(|t| t.contains("javascript:") || t.contains("data:")).count();
        // A link ends at a quote or a bracket; `&` and `'` stay inside and must be escaped in the attribute.
        let quoted = samples.iter().filter(|t| find_links(t).iter().any(|&(_, e)| t[e..].starts_with('"'))).count();
        let escaped =
            samples.iter().filter(|t| find_links(t).iter().any(|&(s, e)| t[s..e].contains(['&', '\'']))).count();
        assert!(with_links > 350, "{with_links} of 500 have links");
        assert!(hostile > 100, "{hostile} of 500 have javascript: or data:");
        assert!(quoted > 25, "{quoted} of 500 have a quote right after a link");
        assert!(escaped > 100, "{escaped} of 500 have & or ' inside a link");
    }

    proptest! {
        /// Any text at all (any Unicode) cannot open a tag or an attribute, and reads back as written.
        #[test]
        fn no_text_becomes_markup(text in ".{0,200}") {
            let html = html_from_text(&text, None);
            let (seen, _) = read_body(&html).map_err(|e| TestCaseError::fail(format!("{e}\n{html}")))?;
            prop_assert_eq!(seen, text.replace("\r\n", "\n"));
        }

        /// Untracked: the reader sees exactly the text, every link is an http(s) address from the text
        /// shown as itself, and nothing else is markup.
        #[test]
        fn the_text_is_shown_as_written_and_only_web_addresses_become_links(text in message()) {
            let html = html_from_text(&text, None);
            let (seen, links) = read_body(&html).map_err(|e| TestCaseError::fail(format!("{e}\n{html}")))?;
            prop_assert_eq!(seen, text.replace("\r\n", "\n"));
            prop_assert!(!html.contains("<img"));
            let found: Vec<&str> = find_links(&text).into_iter().map(|(s, e)| &text[s..e]).collect();
            prop_assert_eq!(links.len(), found.len());
            for ((href, shown), url) in links.iter().zip(found) {
                prop_assert_eq!(href, shown);
                prop_assert_eq!(href.as_str(), url);
                prop_assert!(href.starts_with("http://") || href.starts_with("https://"), "{}", href);
                prop_assert!(!href.chars().any(char::is_whitespace), "{:?}", href);
            }
        }

        /// Tracked: links the tracker chooses go through its redirect, direct ones stay, the rest stay
        /// text; the pixel comes once, at the end; and the reader still sees exactly the text.
        #[test]
        fn tracked_links_go_through_the_redirect_and_text_stays_text(text in message()) {
            let link = |url: &str| {
                if url.contains("unsubscribe") {
                    LinkAs::Direct
                } else if url.len().is_multiple_of(2) {
                    LinkAs::Tracked(format!("https://kith.test/c?u={url}"))
                } else {
                    LinkAs::Text
                }
            };
            let tracking = Tracking { open_pixel_url: "https://kith.test/o.gif?m=\"1\"", link: &link };
            let html = html_from_text(&text, Some(&tracking));
            prop_assert_eq!(html.matches("<img ").count(), 1);
            prop_assert!(html.ends_with(
                "<img src=\"https://kith.test/o.gif?m=&quot;1&quot;\" width=\"1\" height=\"1\" alt=\"\" \
                 style=\"display:block;border:0\"></body></html>\n"
            ));
            let (seen, links) = read_body(&html).map_err(|e| TestCaseError::fail(format!("{e}\n{html}")))?;
            prop_assert_eq!(seen, text.replace("\r\n", "\n"));
            let expected: Vec<(String, String)> = find_links(&text)
                .into_iter()
                .map(|(s, e)| &text[s..e])
                .filter_map(|url| match link(url) {
                    LinkAs::Tracked(to) => Some((to, url.to_owned())),
                    LinkAs::Direct => Some((url.to_owned(), url.to_owned())),
                    LinkAs::Text => None,
                })
                .collect();
            prop_assert_eq!(links, expected);
        }
    }
}
