//! Revisits: nurtured leads come back to their owner on the date they were set aside until.

use super::*;

/// Nurture and not-ready leads whose revisit date has come go back to working, and their owners are
/// told. Safe on several nodes at once: each lead moves in a conditional update that one node wins.
pub fn due_revisits(conn: &mut DbConnection, today: NaiveDate) -> Result<usize> {
    let due: Vec<(String, String)> = leads::table
        .filter(leads::status.eq_any([LeadStatus::Nurture.as_str(), LeadStatus::NotReady.as_str()]))
        .filter(leads::revisit_on.le(today))
        .filter(leads::deleted_at.is_null())
        .select((leads::id, leads::org_id))
        .limit(500)
        .load(conn)?;
    let mut moved = 0;
    for (id, org) in due {
        let scope = Scope::system(parse_id(&org)?, crate::core::scope::SystemTask::Leads);
        let lead_id: LeadId = parse_id(&id)?;
        let did = transaction(conn, |c| {
            let before = find(c, scope.org_id(), lead_id, false)?;
            let n = diesel::update(
                leads::table
                    .filter(leads::id.eq(&id))
                    .filter(leads::status.eq(before.status.as_str()))
                    .filter(leads::revisit_on.le(today)),
            )
            .set((
                leads::status.eq(LeadStatus::Working.as_str()),
                leads::revisit_on.eq(None::<NaiveDate>),
                leads::updated_at.eq(now()),
                leads::version.eq(leads::version + 1),
            ))
            .execute(c)?;
            if n == 0 {
                return Ok(false);
            }
            event(
                c,
                &scope,
                lead_id,
                LeadEventKind::Revisit,
                Some(before.status.as_str()),
                Some("working"),
                Some("revisit date reached"),
            )?;
            if let Some(owner) = before.owner_id {
                notify(
                    c,
                    &scope,
                    owner,
                    &Notice {
                        kind: "lead_revisit",
                        title: format!("Time to revisit {}", before.display_name()),
                        body: format!("{} was set aside until today and is back in your list.", before.display_name()),
                        entity: Some((ENTITY, id.clone())),
                        email: true,
                        link: Some(super::lead_path(&id)),
                    },
                )?;
            }
            Ok(true)
        })?;
        if did {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Add a past entry to a lead's timeline (history carried over from another record, e.g. calls
/// made while the person was on a call list).
pub(crate) fn add_history(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    kind: LeadEventKind,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<()> {
    event_at(conn, scope, lead_id, kind, None, None, note, at)
}
