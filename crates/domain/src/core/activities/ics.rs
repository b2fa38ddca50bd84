//! iCalendar (RFC 5545) for meetings, events and tasks: one activity as a `.ics` download, and a
//! user's private feed. Times are written in UTC (`…Z`), so no `VTIMEZONE` is needed and every
//! calendar shows them in its viewer's zone; text is escaped (§3.3.11) and lines are folded at 75
//! octets without splitting a UTF-8 character (§3.1), with CRLF line ends.

use chrono::{DateTime, Utc};

use super::{ActivityKind, ActivityView, Priority};

/// One user attending (their name and address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub email: String,
}

/// An activity with what the calendar needs besides it.
pub struct Entry<'a> {
    pub activity: &'a ActivityView,
    pub attendees: Vec<Attendee>,
    /// A line pointing back to the record in Kith (the web page's address), if known.
    pub link: Option<String>,
}

/// Escape a TEXT value: backslash, semicolon, comma and line breaks.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (`CN=…`): quoted, without the characters a quoted value cannot hold.
fn param_value(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control() && *c != '"').collect();
    format!("\"{clean}\"")
}

/// Fold one content line at 75 octets (continuation lines start with a space), never inside a
/// UTF-8 character, and end it with CRLF.
pub fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// `20300115T100000Z`
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn uid(a: &ActivityView) -> String {
    format!("{}@kith", a.id)
}

fn push(lines: &mut Vec<String>, name: &str, value: impl AsRef<str>) {
    lines.push(format!("{name}:{}", value.as_ref()));
}

fn component(e: &Entry<'_>, now: DateTime<Utc>, lines: &mut Vec<String>) -> bool {
    let a = e.activity;
    let mut description = a.body.clone();
    if let Some(link) = &e.link {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(link);
    }
    if a.kind.is_scheduled() {
        let (Some(start), Some(end)) = (a.starts_at, a.ends_at) else { return false };
        lines.push("BEGIN:VEVENT".into());
        push(lines, "UID", uid(a));
        push(lines, "DTSTAMP", utc(now));
        push(lines, "DTSTART", utc(start));
        push(lines, "DTEND", utc(end));
        push(lines, "SUMMARY", escape_text(&a.subject));
        if !description.is_empty() {
            push(lines, "DESCRIPTION", escape_text(&description));
        }
        if let Some(place) = a.location.as_deref().filter(|l| !l.trim().is_empty()) {
            push(lines, "LOCATION", escape_text(place));
        }
        for who in &e.attendees {
            lines.push(format!(
                "ATTENDEE;CN={}:mailto:{}",
                param_value(&who.name),
                who.email.replace(['\r', '\n'], "")
            ));
        }
        push(lines, "SEQUENCE", (a.version - 1).max(0).to_string());
        push(lines, "LAST-MODIFIED", utc(a.updated_at));
        push(lines, "STATUS", "CONFIRMED");
        lines.push("END:VEVENT".into());
        return true;
    }
    if a.kind == ActivityKind::Task {
        let Some(due) = a.due_at else { return false };
        lines.push("BEGIN:VTODO".into());
        push(lines, "UID", uid(a));
        push(lines, "DTSTAMP", utc(now));
        push(lines, "DUE", utc(due));
        push(lines, "SUMMARY", escape_text(&a.subject));
        if !description.is_empty() {
            push(lines, "DESCRIPTION", escape_text(&description));
        }
        let priority = match a.priority.unwrap_or_default() {
            Priority::High => 1,
            Priority::Normal => 5,
            Priority::Low => 9,
        };
        push(lines, "PRIORITY", priority.to_string());
        match a.done_at {
            Some(done) => {
                push(lines, "STATUS", "COMPLETED");
                push(lines, "COMPLETED", utc(done));
            }
            None => push(lines, "STATUS", "NEEDS-ACTION"),
        }
        push(lines, "SEQUENCE", (a.version - 1).max(0).to_string());
        push(lines, "LAST-MODIFIED", utc(a.updated_at));
        lines.push("END:VTODO".into());
        return true;
    }
    false
}

/// Whether an activity has a calendar entry (meetings and events with times, tasks with a due time).
pub fn has_entry(a: &ActivityView) -> bool {
    (a.kind.is_scheduled() && a.starts_at.is_some() && a.ends_at.is_some())
        || (a.kind == ActivityKind::Task && a.due_at.is_some())
}

/// A calendar of these entries (those without a calendar entry are left out); `name` titles a feed.
pub fn calendar(entries: &[Entry<'_>], name: Option<&str>, now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Kith//Kith CRM//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ];
    if let Some(name) = name {
        push(&mut lines, "X-WR-CALNAME", escape_text(name));
        // Subscribed calendars ask again about hourly.
        push(&mut lines, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
        push(&mut lines, "X-PUBLISHED-TTL", "PT1H");
    }
    for e in entries {
        component(e, now, &mut lines);
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::activities::{ActivityKind, ActivityView};
    use crate::ActivityId;
    use chrono::TimeZone;

    fn meeting() -> ActivityView {
        let t = |h| Utc.with_ymd_and_hms(2030, 1, 15, h, 30, 0).unwrap();
        ActivityView {
            id: ActivityId(uuid::Uuid::nil()),
            record_kind: "lead".into(),
            record_id: "r".into(),
            record_name: None,
            kind: ActivityKind::Meeting,
            subject: "Demo; pricing, next steps\\".into(),
            body: "Bring the deck.\r\nAsk about Q3 — und Größe ".repeat(4),
            direction: None,
            outcome: None,
            duration_seconds: None,
            starts_at: Some(t(9)),
            ends_at: Some(t(10)),
            time_zone: Some("Europe/Berlin".into()),
            location: Some("Room 4".into()),
            attendee_users: vec![],
            attendee_records: vec![],
            due_at: None,
            priority: None,
            assignee_id: None,
            done_at: None,
            remind_at: None,
            reminded_at: None,
            created_by: None,
            created_at: t(8),
            updated_at: t(8),
            version: 2,
        }
    }

    #[test]
    fn text_is_escaped_and_lines_are_folded_at_75_octets_on_character_boundaries() {
        let m = meeting();
        let entry = Entry {
            activity: &m,
            attendees: vec![Attendee { name: "Maya \"M\" Ortiz".into(), email: "maya@x.test".into() }],
            link: None,
        };
        let text = calendar(&[entry], Some("Maya's calendar"), Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap());
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "only CRLF line ends");
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Demo\\; pricing\\, next steps\\\\\r\n"), "{unfolded}");
        assert!(unfolded.contains("DESCRIPTION:Bring the deck.\\nAsk about Q3 — und Größe Bring"));
        assert!(unfolded.contains("DTSTART:20300115T093000Z\r\nDTEND:20300115T103000Z\r\n"));
        assert!(unfolded.contains("ATTENDEE;CN=\"Maya M Ortiz\":mailto:maya@x.test\r\n"));
        assert!(unfolded.contains("UID:00000000-0000-0000-0000-000000000000@kith\r\nDTSTAMP:20300101T000000Z"));
        assert!(unfolded.contains("SEQUENCE:1\r\n"));
        // Unfolding gives back every character (no UTF-8 sequence was cut).
        assert!(String::from_utf8(text.clone().into_bytes()).is_ok());
    }

    #[test]
    fn tasks_are_todos_and_other_kinds_have_no_entry() {
        let mut task = meeting();
        task.kind = ActivityKind::Task;
        task.starts_at = None;
        task.ends_at = None;
        task.due_at = Some(Utc.with_ymd_and_hms(2030, 2, 1, 17, 0, 0).unwrap());
        task.priority = Some(Priority::High);
        let mut note = meeting();
        note.kind = ActivityKind::Note;
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let text = calendar(
            &[
                Entry { activity: &task, attendees: vec![], link: None },
                Entry { activity: &note, attendees: vec![], link: None },
            ],
            None,
            now,
        )
        .replace("\r\n ", "");
        assert!(text.contains("BEGIN:VTODO\r\n"));
        assert!(text.contains("DUE:20300201T170000Z\r\n"));
        assert!(text.contains("PRIORITY:1\r\nSTATUS:NEEDS-ACTION\r\n"));
        assert_eq!(text.matches("BEGIN:V").count(), 2, "the calendar and the task only");
        assert!(!has_entry(&note));
    }
}
