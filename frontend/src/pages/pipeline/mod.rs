//! The pipeline: the board of potentials per phase (drag a card, or choose "Move to", to change its
//! phase; a lost phase asks for the reason first), a potential's page, and the dialog that converts
//! a lead. Column totals and weighted amounts come from the domain crate, as on the server.

pub mod convert;

use chrono::{DateTime, Utc};
use kith_domain::core::modules::Module;
use kith_domain::pipeline::*;
use kith_domain::{PhaseId, PotentialId};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{is_stale, use_client};
use crate::auth::use_session;
use crate::components::table::EmptyState;
use crate::components::toast::use_toaster;
use crate::data::{load, Load, Loaded};
use crate::format;
use crate::people::use_people;
use crate::registry::{RecordKind, SettingsPage};
use kith_domain::core::page::Page;
use kith_domain::core::timeline::RecordEvent;

pub const SETTINGS: &[SettingsPage] = &[];

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "potential", label: "Potential", href: Some(|id| format!("/m/pipeline/{id}")) },
    RecordKind { entity: "pipeline", label: "Pipeline", href: Some(|_| "/m/pipeline".to_owned()) },
    RecordKind { entity: "lost_reason", label: "Lost reason", href: None },
];

/// An amount for people: `€12,500.00`, `$980.00` (two decimals; the catalogue's currencies refine it).
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = format::number((abs / 100) as i64);
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        _ => "",
    };
    if symbol.is_empty() {
        format!("{sign}{whole}.{:02} {currency}", abs % 100)
    } else {
        format!("{sign}{symbol}{whole}.{:02}", abs % 100)
    }
}

/// Amounts per currency, one after the other.
fn amounts(by_currency: &std::collections::BTreeMap<String, i64>) -> String {
    if by_currency.is_empty() {
        return "—".to_owned();
    }
    by_currency.iter().map(|(c, m)| money(*m, c)).collect::<Vec<_>>().join(" · ")
}

/// A page of the pipeline opened by someone whose role does not include it (by its address: the
/// navigation does not offer it): said plainly, and nothing is requested.
fn not_in_role() -> impl IntoView {
    view! {
        <div class="page">
            <EmptyState title="The pipeline is not part of your role" text="Ask an administrator if you need it." />
        </div>
    }
}

/// A move the board is about to make; a lost phase waits here for its reason.
#[derive(Clone, Debug, PartialEq)]
struct PendingLoss {
    card: PotentialView,
    phase: PhaseView,
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let session = use_session();
    if !session.can_read(Module::Pipeline) {
        return not_in_role().into_any();
    }
    let pipelines = load(|client| async move { client.list_pipelines().await });
    view! {
        <div class="page">
            <Loaded data=pipelines what="the pipelines" let:list>
                { {
                    match list.iter().find(|p| p.is_default).or(list.first()).cloned() {
                        Some(pipeline) => view! { <Board pipeline writable=session.can_write(Module::Pipeline) /> }.into_any(),
                        None => view! { <EmptyState title="No pipeline yet" /> }.into_any(),
                    }
                }}
            </Loaded>
        </div>
    }
    .into_any()
}

#[component]
fn Board(pipeline: PipelineView, writable: bool) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    people.ensure();
    let owner = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let pipeline_id = pipeline.id;
    let board = load(move |client| {
        let q = PotentialListQuery {
            owner_id: owner.get().parse().ok(),
            close_month: Some(month.get()).filter(|m| !m.is_empty()),
            ..Default::default()
        };
        async move { client.pipeline_board(pipeline_id, &q).await }
    });
    let reasons = load(|client| async move { client.list_lost_reasons().await });
    let pending = RwSignal::new(None::<PendingLoss>);
    let dragging = RwSignal::new(None::<PotentialId>);
    let now: DateTime<Utc> = format::now();

    let send_move = {
        let client = client.clone();
        move |card: PotentialView, phase: PhaseView, reason: Option<kith_domain::LostReasonId>, note: Option<String>| {
            let client = client.clone();
            // The same rule the server runs: a lost phase needs a reason.
            if !phase_problems(&phase, reason).is_empty() {
                pending.set(Some(PendingLoss { card, phase }));
                return;
            }
            leptos::task::spawn_local(async move {
                let patch = PotentialPatch {
                    phase_id: Some(phase.id),
                    lost_reason_id: reason,
                    lost_note: note,
                    ..Default::default()
                };
                match client.update_potential(card.id, card.version, &patch).await {
                    Ok(moved) => {
                        toaster.success(format!("{} moved to {}", moved.name, phase.name));
                        board.reload();
                    }
                    Err(e) if is_stale(&e) => {
                        toaster.stale("This potential");
                        board.reload();
                    }
                    Err(e) => toaster.error(&e),
                }
            });
        }
    };
    let send_move = StoredValue::new_local(send_move);
    let move_to = move |card_id: PotentialId, phase_id: PhaseId| {
        let found = board.with(|b| {
            let card = b.columns.iter().flat_map(|c| c.cards.iter()).find(|c| c.id == card_id).cloned();
            let phase = b.columns.iter().map(|c| c.phase.clone()).find(|p| p.id == phase_id);
            card.zip(phase)
        });
        if let Some(Some((card, phase))) = found {
            if card.phase_id != phase.id {
                send_move.with_value(|f| f(card, phase, None, None));
            }
        }
    };

    let owners = move || people.users.get();
    view! {
        <div class="page-header">
            <div>
                <h1>{pipeline.name.clone()}</h1>
                <p class="page-subtitle">"Drag a card to another phase, or use its Move to list."</p>
            </div>
        </div>
        <div class="toolbar board-filters">
            <label class="inline-field">
                "Owner"
                <select id="board-owner" on:change=move |ev| owner.set(event_target_value(&ev))>
                    <option value="">"Everyone"</option>
                    {move || owners().into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="inline-field">
                "Expected close"
                <input id="board-month" type="month" on:change=move |ev| month.set(event_target_value(&ev)) />
            </label>
        </div>
        <Loaded data=board what="the board" let:b>
            { {
                view! {
                    <div class="board" id="pipeline-board">
                        {b.columns
                            .into_iter()
                            .map(|column| {
                                let phase = column.phase.clone();
                                let phase_id = phase.id;
                                let phases = b.pipeline.phases.clone();
                                view! {
                                    <section
                                        class="board-column"
                                        data-phase=phase.name.clone()
                                        on:dragover=move |ev| ev.prevent_default()
                                        on:drop=move |ev| {
                                            ev.prevent_default();
                                            if let Some(card) = dragging.get_untracked() {
                                                dragging.set(None);
                                                move_to(card, phase_id);
                                            }
                                        }
                                    >
                                        <header class="board-column-header">
                                            <h2>{phase.name.clone()}</h2>
                                            <span class="muted">{format!("{}%", phase.probability)}</span>
                                            <div class="board-totals" data-testid="column-totals">
                                                <span>{format::count(column.totals.count, "potential", "potentials")}</span>
                                                <span>{amounts(&column.totals.amount)}</span>
                                                <span class="muted">"Weighted " {amounts(&column.totals.weighted)}</span>
                                            </div>
                                        </header>
                                        <div class="board-cards">
                                            {column
                                                .cards
                                                .into_iter()
                                                .map(|card| {
                                                    let rotting = is_rotting(&phase, card.last_activity_at, now);
                                                    view! { <Card card rotting phases=phases.clone() writable dragging move_to /> }
                                                })
                                                .collect_view()}
                                            {column.more.then(|| view! { <p class="muted">"More potentials in this phase than the board shows."</p> })}
                                        </div>
                                    </section>
                                }
                            })
                            .collect_view()}
                    </div>
                }
            }}
        </Loaded>
        {move || {
            pending
                .get()
                .map(|loss| {
                    view! {
                        <LostDialog
                            loss
                            reasons=reasons.ok().unwrap_or_default()
                            on_cancel=move |_| pending.set(None)
                            on_confirm=move |(card, phase, reason, note): (PotentialView, PhaseView, kith_domain::LostReasonId, Option<String>)| {
                                pending.set(None);
                                send_move.with_value(|f| f(card, phase, Some(reason), note));
                            }
                        />
                    }
                })
        }}
    }
}

#[component]
fn Card(
    card: PotentialView,
    rotting: bool,
    phases: Vec<PhaseView>,
    writable: bool,
    dragging: RwSignal<Option<PotentialId>>,
    move_to: impl Fn(PotentialId, PhaseId) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let people = use_people();
    people.ensure();
    let id = card.id;
    let href = format!("/m/pipeline/{id}");
    let owner = card.owner_id;
    let current = card.phase_id;
    let close = card.expected_close_on.map(|d| d.format("%b %-d, %Y").to_string());
    let label = format!("Move {} to", card.name);
    view! {
        <article
            class=if rotting { "board-card rotting" } else { "board-card" }
            draggable=if writable { "true" } else { "false" }
            data-testid="board-card"
            data-name=card.name.clone()
            on:dragstart=move |_| dragging.set(Some(id))
        >
            <a class="board-card-title" href=href>{card.name.clone()}</a>
            <div class="board-card-amount">
                {money(card.amount_minor, &card.currency)}
                <span class="muted">{format!(" · {}% → {}", card.probability, money(card.weighted_minor, &card.currency))}</span>
            </div>
            <div class="board-card-meta muted">
                {move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".to_owned())}
                {close.map(|d| format!(" · closes {d}"))}
            </div>
            {rotting.then(|| view! { <span class="badge badge-amber" title="No activity for longer than this phase allows">"Rotting"</span> })}
            {writable
                .then(|| {
                    view! {
                        <select
                            class="board-move"
                            aria-label=label
                            on:change=move |ev| {
                                if let Ok(phase) = event_target_value(&ev).parse() {
                                    move_to(id, phase);
                                }
                            }
                        >
                            <option value="" selected=true>"Move to…"</option>
                            {phases
                                .iter()
                                .filter(|p| p.id != current)
                                .map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    }
                })}
        </article>
    }
}

/// Asks why a potential was lost before it moves to a lost phase (a drop never skips it).
#[component]
fn LostDialog(
    loss: PendingLoss,
    reasons: Vec<LostReasonView>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_confirm: Callback<(PotentialView, PhaseView, kith_domain::LostReasonId, Option<String>)>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let PendingLoss { card, phase } = loss;
    let title = format!("Why was {} lost?", card.name);
    let confirm = move |_| match reason.get().parse() {
        Ok(r) => {
            let note = Some(note.get().trim().to_owned()).filter(|n| !n.is_empty());
            on_confirm.run((card.clone(), phase.clone(), r, note));
        }
        Err(_) => error.set(Some("Choose why this potential was lost.".into())),
    };
    view! {
        <div class="modal-backdrop" on:click=move |_| on_cancel.run(())>
            <div class="modal" role="dialog" aria-modal="true" id="lost-dialog" on:click=|ev| ev.stop_propagation()>
                <h2>{title}</h2>
                <div class="field">
                    <label for="lost-reason">"Lost reason"</label>
                    <select id="lost-reason" aria-invalid=move || error.get().is_some().then_some("true") on:change=move |ev| {
                        reason.set(event_target_value(&ev));
                        error.set(None);
                    }>
                        <option value="">"Choose a reason"</option>
                        {reasons
                            .into_iter()
                            .filter(|r| r.active)
                            .map(|r| view! { <option value=r.id.to_string()>{r.name}</option> })
                            .collect_view()}
                    </select>
                    {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <div class="field">
                    <label for="lost-note">"Note (optional)"</label>
                    <textarea id="lost-note" rows="3" on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <div class="modal-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button type="button" class="btn btn-danger" id="lost-confirm" on:click=confirm>"Mark lost"</button>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn PotentialPage() -> impl IntoView {
    if !use_session().can_read(Module::Pipeline) {
        return not_in_role().into_any();
    }
    let people = use_people();
    people.ensure();
    let potential = load_record(|client, id| async move { client.get_potential(id).await });
    let pipelines = load(|client| async move { client.list_pipelines().await });
    let history = load_record(|client, id| async move { client.potential_phases(id).await });
    let events = load_record(|client, id| async move { client.potential_events(id, &ALL_EVENTS).await });
    view! {
        <div class="page">
            <Loaded data=potential what="the potential" let:p>
                { {
                    let phase_name = pipelines
                        .with(|list| list.iter().find_map(|pl| pl.phase(p.phase_id).map(|ph| ph.name.clone())))
                        .flatten()
                        .unwrap_or_default();
                    let owner = p.owner_id;
                    view! {
                        <div class="page-header">
                            <div>
                                <a class="back-link" href="/m/pipeline">"← Pipeline"</a>
                                <h1 id="potential-name">{p.name.clone()}</h1>
                                <div class="lead-facts">
                                    <span class="badge" id="potential-phase">{phase_name}</span>
                                    <span class="muted">"Owner"</span>
                                    <span>{move || owner.map(|o| people.name(o)).unwrap_or_else(|| "Unassigned".into())}</span>
                                </div>
                            </div>
                        </div>
                        <div class="detail-grid">
                            <div class="stack">
                                <section class="card">
                                    <div class="card-header"><h2>"Deal"</h2></div>
                                    <dl class="card-body facts">
                                        <dt>"Amount"</dt><dd id="potential-amount">{money(p.amount_minor, &p.currency)}</dd>
                                        <dt>"Probability"</dt><dd>{format!("{}%{}", p.probability, if p.probability_overridden { " (set on this potential)" } else { "" })}</dd>
                                        <dt>"Weighted"</dt><dd>{money(p.weighted_minor, &p.currency)}</dd>
                                        <dt>"Expected close"</dt><dd>{p.expected_close_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                                        <dt>"Account"</dt><dd>{p.account_id.map(|a| view! { <a href=format!("/m/customers/accounts/{a}")>"Open the account"</a> })}</dd>
                                        <dt>"Contact"</dt><dd>{p.contact_id.map(|c| view! { <a href=format!("/m/customers/contacts/{c}")>"Open the contact"</a> })}</dd>
                                        <dt>"From lead"</dt><dd>{p.lead_id.map(|l| view! { <a href=format!("/m/leads/{l}")>"Open the lead"</a> })}</dd>
                                    </dl>
                                </section>
                                <TimelineCard events />
                            </div>
                            <div class="stack">
                                <section class="card">
                                    <div class="card-header"><h2>"Time in phases"</h2></div>
                                    <div class="card-body">
                                        <Loaded data=history what="the phase history" let:stays>
                                            { view! { <PhaseHistory stays /> }}
                                        </Loaded>
                                    </div>
                                </section>
                            </div>
                        </div>
                    }
                }}
            </Loaded>
        </div>
    }
    .into_any()
}

#[component]
fn PhaseHistory(stays: Vec<PhaseStay>) -> impl IntoView {
    let now = format::now();
    let spent = time_in_phases(&stays, now);
    view! {
        <ol class="phase-history" id="phase-history">
            {stays
                .into_iter()
                .map(|s| {
                    let days = (s.exited_at.unwrap_or(now) - s.entered_at).num_hours() as f64 / 24.0;
                    view! {
                        <li>
                            <strong>{s.phase_name.clone()}</strong>
                            <span class="muted">{format!(" — from {} ({:.1} days)", format::datetime(s.entered_at), days)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="muted">{format!("{} phases in all", spent.len())}</p>
    }
}

/// The page's record: its id from the route (`:id`), read with `get`; an id that is not one reads as
/// "not found", like a record that does not exist.
pub fn load_record<I, T, Fut>(get: impl Fn(kith_client::Client, I) -> Fut + 'static) -> Load<T>
where
    I: std::str::FromStr + 'static,
    T: 'static,
    Fut: std::future::Future<Output = kith_client::Result<T>> + 'static,
{
    let params = use_params_map();
    load(move |client| {
        let call = params.with(|p| p.get("id").and_then(|id| id.parse::<I>().ok())).map(|id| get(client, id));
        async move {
            match call {
                Some(call) => call.await,
                None => Err(kith_client::ClientError::Unexpected { status: 404, message: "Not found".into() }),
            }
        }
    })
}

/// Up to 200 events of a timeline at once.
pub const ALL_EVENTS: kith_domain::core::page::PageQuery =
    kith_domain::core::page::PageQuery { limit: Some(200), cursor: None };

/// A record's timeline card.
#[component]
pub fn TimelineCard(events: Load<Page<RecordEvent>>) -> impl IntoView {
    view! {
        <section class="card">
            <div class="card-header">
                <h2>"Timeline"</h2>
            </div>
            <div class="card-body">
                <Loaded data=events what="the timeline" let:page>
                    <RecordEvents events=page.items />
                </Loaded>
            </div>
        </section>
    }
}

/// A record's timeline with its linked records' events (generic kinds).
#[component]
pub fn RecordEvents(events: Vec<RecordEvent>) -> impl IntoView {
    let people = use_people();
    people.ensure();
    if events.is_empty() {
        return view! { <EmptyState title="Nothing happened yet" /> }.into_any();
    }
    view! {
        <ul class="timeline" data-testid="record-events">
            {events
                .into_iter()
                .map(|e| {
                    let what = format::humanize(&e.kind);
                    let on = format::entity_label(&e.record_kind);
                    // Owners are named; other values (phase names, lifecycle stages) read as they are.
                    let owner = e.kind == "owner_changed";
                    let name = move |v: Option<String>| match v {
                        Some(id) if owner => id.parse().map(|id| people.name(id)).unwrap_or(id),
                        Some(v) => format::humanize(&v),
                        None if owner => "Unassigned".to_owned(),
                        None => String::new(),
                    };
                    let change = match (e.from.clone(), e.to.clone()) {
                        (None, None) => String::new(),
                        (None, to) => name(to),
                        (from, to) => format!("{} → {}", name(from), name(to)),
                    };
                    view! {
                        <li class="timeline-item">
                            <div class="timeline-title">{format!("{on}: {what}")}</div>
                            <div class="muted">{format::datetime(e.occurred_at)} " " {change} " " {e.note.clone().unwrap_or_default()}</div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
