//! Potentials on the board: phase moves with versions, lost reasons, won accounts, reopening, the
//! phase history and the board's totals.

use chrono::Duration;
use kith_domain::customers::*;
use kith_domain::pipeline::*;
use kith_tests::TestApp;

use super::phase;

#[tokio::test]
async fn a_potential_moves_through_its_phases_and_the_time_in_them_adds_up_to_its_age() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Board").await;
    let account =
        admin.create_account(&NewAccount { name: "Northwind".into(), ..Default::default() }).await.expect("account");
    let (sales, won) = phase(&admin, PhaseKind::Won).await;
    let (_, lost) = phase(&admin, PhaseKind::Lost).await;
    let first = sales.first_open().cloned().expect("open");
    let p = admin
        .create_potential(&NewPotential {
            name: "Northwind rollout".into(),
            account_id: Some(account.id),
            amount_minor: 1_000_001,
            currency: "EUR".into(),
            ..Default::default()
        })
        .await
        .expect("potential");
    assert_eq!((p.phase_id, p.probability, p.weighted_minor), (first.id, first.probability, 100_000));

    // A day later it moves on; the board's stale copy cannot move it again.
    app.advance(Duration::days(1));
    let proposal = sales.phases.iter().find(|x| x.name == "Proposal").cloned().expect("proposal");
    let moved = admin
        .update_potential(p.id, p.version, &PotentialPatch { phase_id: Some(proposal.id), ..Default::default() })
        .await
        .expect("moved");
    assert_eq!((moved.probability, moved.weighted_minor), (60, 600_001));
    let stale = admin
        .update_potential(p.id, p.version, &PotentialPatch { phase_id: Some(won.id), ..Default::default() })
        .await
        .expect_err("stale");
    assert_eq!(stale.status(), Some(412));

    // Lost needs a reason from the organization's list; an unknown one is refused.
    app.advance(Duration::hours(5));
    let to_lost = PotentialPatch { phase_id: Some(lost.id), ..Default::default() };
    let e = admin.update_potential(p.id, moved.version, &to_lost).await.expect_err("no reason");
    assert_eq!(e.problem().map(|x| x.errors[0].field.clone()), Some("lost_reason_id".into()));
    let reasons = admin.list_lost_reasons().await.expect("reasons");
    let price = reasons.iter().find(|r| r.name == "Price too high").expect("default reason");
    let lost_one = admin
        .update_potential(
            p.id,
            moved.version,
            &PotentialPatch {
                lost_reason_id: Some(price.id),
                lost_note: Some("Went with a cheaper tool".into()),
                ..to_lost
            },
        )
        .await
        .expect("lost");
    assert_eq!(
        (lost_one.phase_kind, lost_one.probability, lost_one.lost_reason_id),
        (PhaseKind::Lost, 0, Some(price.id))
    );
    assert!(lost_one.closed_at.is_some());

    // Reopened, then won: the account becomes a customer with the revenue.
    app.advance(Duration::days(2));
    let reopened = admin
        .update_potential(p.id, lost_one.version, &PotentialPatch { phase_id: Some(proposal.id), ..Default::default() })
        .await
        .expect("reopened");
    assert_eq!((reopened.closed_at, reopened.lost_reason_id, reopened.lost_note.clone()), (None, None, None));
    app.advance(Duration::hours(3));
    let won_one = admin
        .update_potential(p.id, reopened.version, &PotentialPatch { phase_id: Some(won.id), ..Default::default() })
        .await
        .expect("won");
    assert_eq!(won_one.probability, 100);
    let account = admin.get_account(account.id).await.expect("account");
    assert_eq!(account.lifecycle, Lifecycle::Customer);
    assert_eq!(account.revenue, vec![Revenue { currency: "EUR".into(), amount_minor: 1_000_001 }]);

    // The append-only history: five stays, each ending where the next begins, summing to the age.
    app.advance(Duration::hours(7));
    let history = admin.potential_phases(p.id).await.expect("history");
    let names: Vec<&str> = history.iter().map(|s| s.phase_name.as_str()).collect();
    assert_eq!(names, vec![first.name.as_str(), "Proposal", "Closed Lost", "Proposal", "Closed Won"]);
    for pair in history.windows(2) {
        assert_eq!(pair[0].exited_at, Some(pair[1].entered_at));
    }
    let now = app.clock().now();
    let total: i64 = time_in_phases(&history, now).values().sum();
    assert_eq!(total, (now - won_one.created_at).num_seconds());
    let events = admin.potential_events(p.id, &Default::default()).await.expect("events").items;
    let moves: Vec<(Option<String>, Option<String>)> =
        events.iter().filter(|e| e.kind == "phase_changed").map(|e| (e.from.clone(), e.to.clone())).collect();
    assert_eq!(moves.len(), 4, "{events:?}");
    assert_eq!(moves[1], (Some("Proposal".into()), Some("Closed Lost".into())));
}

#[tokio::test]
async fn the_board_totals_every_potential_per_phase_and_currency_as_the_domain_computes_them() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Totals").await;
    let (sales, _) = phase(&admin, PhaseKind::Won).await;
    let first = sales.first_open().cloned().expect("open");
    let mut made = Vec::new();
    for (i, (amount, currency)) in [(10_050, "EUR"), (333, "EUR"), (99_999, "USD"), (1, "EUR")].into_iter().enumerate()
    {
        made.push(
            admin
                .create_potential(&NewPotential {
                    name: format!("Deal {i}"),
                    amount_minor: amount,
                    currency: currency.into(),
                    probability: (i == 1).then_some(33),
                    ..Default::default()
                })
                .await
                .expect("potential"),
        );
    }
    let board = admin.pipeline_board(sales.id, &Default::default()).await.expect("board");
    assert_eq!(board.columns.len(), sales.phases.len());
    let column = board.columns.iter().find(|c| c.phase.id == first.id).expect("first column");
    assert_eq!(column.cards.len(), 4);
    let (by_phase, _) = totals(&made);
    assert_eq!(column.totals, by_phase[&first.id]);
    assert_eq!(column.totals.amount["EUR"], 10_384);
    // 10% of 10,050 = 1,005; 33% of 333 = 109.89 → 110; 10% of 1 = 0.1 → 0.
    assert_eq!(column.totals.weighted["EUR"], 1_115);
    assert_eq!(column.totals.weighted["USD"], 10_000);
    // A filter narrows the cards and the totals alike.
    let usd_owner = admin
        .pipeline_board(sales.id, &PotentialListQuery { q: Some("Deal 2".into()), ..Default::default() })
        .await
        .expect("board");
    let column = usd_owner.columns.iter().find(|c| c.phase.id == first.id).expect("first column");
    assert_eq!((column.cards.len(), column.totals.count), (1, 1));
}

#[tokio::test]
async fn a_pipeline_keeps_the_phases_its_potentials_are_in() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Phases").await;
    let (sales, _) = phase(&admin, PhaseKind::Won).await;
    let p = admin
        .create_potential(&NewPotential { name: "Kept".into(), currency: "EUR".into(), ..Default::default() })
        .await
        .expect("potential");
    let mut input = PipelineInput {
        name: sales.name.clone(),
        is_default: true,
        phases: sales
            .phases
            .iter()
            .map(|x| PhaseInput {
                id: Some(x.id),
                name: x.name.clone(),
                probability: x.probability,
                kind: x.kind,
                forecast: x.forecast,
                rot_days: x.rot_days,
            })
            .collect(),
    };
    // Leaving out the phase the potential is in is refused.
    input.phases.retain(|x| x.id != Some(p.phase_id));
    let e = admin.update_pipeline(sales.id, sales.version, &input).await.expect_err("in use");
    assert_eq!(e.problem().map(|x| x.errors[0].code.clone()), Some("in_use".into()));
    // Leaving out another is fine, and a new probability reaches the potentials that follow it.
    let mut input = PipelineInput { phases: input.phases.clone(), ..input };
    input.phases.insert(
        0,
        PhaseInput {
            id: Some(p.phase_id),
            name: "First contact".into(),
            probability: 15,
            kind: PhaseKind::Open,
            forecast: ForecastCategory::Pipeline,
            rot_days: Some(7),
        },
    );
    input.phases.retain(|x| x.name != "Needs analysis");
    let after = admin.update_pipeline(sales.id, sales.version, &input).await.expect("updated");
    assert_eq!(after.phases.len(), sales.phases.len() - 1);
    assert_eq!(after.phases[0].name, "First contact");
    assert_eq!(admin.get_potential(p.id).await.expect("potential").probability, 15);
    // Every field error at once: two missing kinds, a duplicate name, a won probability.
    let mut bad = input.clone();
    bad.phases.retain(|x| x.kind == PhaseKind::Open);
    bad.phases[1].name = bad.phases[0].name.clone();
    let e = admin.update_pipeline(sales.id, after.version, &bad).await.expect_err("bad");
    let fields: Vec<String> =
        e.problem().map(|x| x.errors.iter().map(|f| f.field.clone()).collect()).unwrap_or_default();
    assert!(fields.contains(&"phases".to_owned()) && fields.contains(&"phases[1].name".to_owned()), "{fields:?}");
}

/// A potential left alone past its phase's limit rots: it shows on its owner's day until a call is
/// logged on it (what counts as activity: `kith_domain::pipeline::is_rotting`).
#[tokio::test]
async fn a_neglected_potential_rots_on_its_owners_day_until_someone_calls() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Rot").await;
    let p = admin
        .create_potential(&NewPotential { name: "Quiet deal".into(), currency: "EUR".into(), ..Default::default() })
        .await
        .expect("potential");
    let rotting = || async {
        let day = admin.my_day(0).await.expect("my day");
        day.sections.into_iter().find(|s| s.key == "rotting").expect("the pipeline's section").items
    };
    assert!(rotting().await.is_empty(), "a new potential is fresh");
    // Prospecting allows 14 days.
    app.advance(Duration::days(15));
    let items = rotting().await;
    assert_eq!(items.iter().map(|i| i.record_id.clone()).collect::<Vec<_>>(), vec![Some(p.id.to_string())]);
    assert!(items[0].detail.contains("no activity for 15 days"), "{items:?}");
    admin
        .create_activity(&kith_domain::core::activities::NewActivity {
            record_kind: "potential".into(),
            record_id: p.id.to_string(),
            kind: kith_domain::core::activities::ActivityKind::Call,
            direction: Some(kith_domain::core::activities::Direction::Outbound),
            outcome: Some(kith_domain::core::activities::CallOutcome::Connected),
            ..Default::default()
        })
        .await
        .expect("call");
    assert!(rotting().await.is_empty(), "a call is activity");
}
