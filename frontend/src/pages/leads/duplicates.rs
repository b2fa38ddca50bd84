//! `/m/leads/duplicates`: pairs of leads that look like the same person. Merging one into the other
//! keeps, field by field, the value chosen; a merge can be undone for 30 days.

use kith_domain::core::modules::Module;
use kith_domain::leads::merge::{
    DuplicatePair, DuplicateQuery, DuplicateReason, DuplicateReport, LeadMerge, LeadMergeResult, LeadMergeUndone,
    LeadMergeView, MergeFieldChoices, MergeSide,
};
use kith_domain::leads::LeadView;
use kith_domain::{LeadId, LeadMergeId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{lead_href, reach, readable, LeadsGate};
use crate::api::use_client;
use crate::auth::use_session;
use crate::browser;
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::format;
use crate::people::{use_people, People};

/// A lead told apart from a look-alike: its name with its email (or phone, or company) and the day it
/// was created — two leads in a pair often share the name.
fn which(lead: &LeadView) -> String {
    let contact = lead.email.clone().or_else(|| lead.phone.clone()).unwrap_or_else(|| lead.company_name.clone());
    let created = format!("created {}", format::date(lead.created_at));
    let about = [contact, created].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
    format!("{} ({about})", lead.display_name())
}

fn reason_label(reason: DuplicateReason) -> &'static str {
    match reason {
        DuplicateReason::SameEmail => "Same email address",
        DuplicateReason::SamePhone => "Same phone number",
        DuplicateReason::SameNameAndCompany => "Same name at the same company",
        DuplicateReason::SimilarName => "Similar name at the same company",
    }
}

// ---- undo from the timeline ----
//
// The timeline's `merged` entry names both leads but not the merge, so this browser remembers the
// merges it made, by merged lead, until they are undone or too old to undo.

fn merge_key(merged: &str) -> String {
    format!("kith.merge.{merged}")
}

fn remember(merge: &LeadMergeView) {
    let value = format!("{} {}", merge.id, merge.undo_until.timestamp());
    browser::store(&merge_key(&merge.merged_id.to_string()), &value);
}

pub fn forget_merge(merged: &str) {
    browser::forget(&merge_key(merged));
}

/// The merge this browser made of the lead `merged`, while it can still be undone.
pub fn remembered_merge(merged: &str) -> Option<LeadMergeId> {
    let value = browser::stored(&merge_key(merged))?;
    let (id, until) = value.split_once(' ')?;
    let until: i64 = until.parse().ok()?;
    (format::now().timestamp() < until).then(|| id.parse().ok()).flatten()
}

// ---- the page ----

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    view! {
        <LeadsGate>
            <Duplicates />
        </LeadsGate>
    }
}

/// What the last merge did, for its result card.
#[derive(Clone, Debug, PartialEq)]
struct Outcome {
    merged: LeadMergeResult,
    merged_name: String,
    undone: Option<LeadMergeUndone>,
}

#[component]
fn Duplicates() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let people = use_people();
    people.ensure();

    let report = RwSignal::new(None::<DuplicateReport>);
    let failed = RwSignal::new(false);
    let comparing = RwSignal::new(None::<DuplicatePair>);
    let outcome = RwSignal::new(None::<Outcome>);

    let load = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.lead_duplicates(&DuplicateQuery { limit: Some(50) }).await {
                    Ok(found) => {
                        failed.try_set(false);
                        report.try_set(Some(found));
                    }
                    Err(error) => {
                        failed.try_set(true);
                        toaster.error(&error);
                    }
                }
            });
        }
    });
    load.run(());

    let undo = Callback::new(move |id: LeadMergeId| {
        let client = client.clone();
        spawn_local(async move {
            match client.undo_lead_merge(id).await {
                Ok(undone) => {
                    forget_merge(&undone.merge.merged_id.to_string());
                    toaster.success(format!(
                        "Merge undone: {} and {} are separate again",
                        undone.kept.display_name(),
                        undone.restored.display_name()
                    ));
                    outcome.update(|o| {
                        if let Some(o) = o.as_mut() {
                            o.undone = Some(undone);
                        }
                    });
                    load.run(());
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let writable = move || session.can_write(Module::Leads);
    let pairs = move || {
        let Some(found) = report.get() else {
            return if failed.get() {
                view! {
                    <div class="card">
                        <EmptyState title="The duplicates could not be loaded" text="Reload the page to try again." />
                    </div>
                }
                .into_any()
            } else {
                view! { <Loading /> }.into_any()
            };
        };
        if found.pairs.is_empty() {
            let text = match found.leads_scanned {
                0 => "There are no leads to compare yet.".to_owned(),
                n => format!(
                    "{} compared by email, phone and name; none look like the same person.",
                    format::count(n, "lead was", "leads were")
                ),
            };
            return view! {
                <div class="card">
                    <EmptyState icon="✓" title="No likely duplicates" text=text />
                </div>
            }
            .into_any();
        }
        let note = if found.truncated {
            format!(
                "The {} most likely among {}; merge some and look again for more.",
                format::count(found.pairs.len() as i64, "pair", "pairs"),
                format::count(found.leads_scanned, "lead", "leads")
            )
        } else {
            format!(
                "{} among {}, most certain first.",
                format::count(found.pairs.len() as i64, "pair", "pairs"),
                format::count(found.leads_scanned, "lead", "leads")
            )
        };
        let editable = writable();
        view! {
            <p class="muted small">{note}</p>
            {found
                .pairs
                .into_iter()
                .map(|pair| view! { <PairCard pair editable people comparing outcome /> })
                .collect_view()}
        }
        .into_any()
    };

    view! {
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads">
                    "← Leads"
                </a>
                <h1>"Duplicates"</h1>
                <p class="page-subtitle">"Leads that look like the same person. Merge them to keep one lead with the whole history."</p>
            </div>
        </div>
        <div class="stack">
            {move || outcome.get().map(|o| view! { <OutcomeCard outcome=o undo on_dismiss=move |_| outcome.set(None) /> })}
            {move || {
                comparing
                    .get()
                    .map(|pair| {
                        view! {
                            <MergeCompare
                                pair
                                on_cancel=move |_| comparing.set(None)
                                on_merged=move |done: Outcome| {
                                    comparing.set(None);
                                    outcome.set(Some(done));
                                    load.run(());
                                }
                            />
                        }
                    })
            }}
            <section class="stack" id="duplicate-pairs">
                {pairs}
            </section>
        </div>
    }
}

/// One lead of a pair, as facts for comparing.
fn lead_facts(lead: &LeadView, people: People) -> impl IntoView {
    let owner = match lead.owner_id {
        Some(owner) => view! { <dd>{move || people.name(owner)}</dd> }.into_any(),
        None => view! { <dd class="muted">"Unassigned"</dd> }.into_any(),
    };
    let text = |value: &str| {
        if value.trim().is_empty() {
            view! { <dd class="muted">"—"</dd> }.into_any()
        } else {
            view! { <dd>{value.to_owned()}</dd> }.into_any()
        }
    };
    view! {
        <div class="pair-lead" data-testid="pair-lead">
            <a class="pair-name" href=lead_href(lead.id)>
                {lead.display_name()}
            </a>
            <dl class="facts">
                <dt>"Email"</dt>
                {text(lead.email.as_deref().unwrap_or_default())}
                <dt>"Phone"</dt>
                {text(lead.phone.as_deref().unwrap_or_default())}
                <dt>"Company"</dt>
                {text(&lead.company_name)}
                <dt>"Owner"</dt>
                {owner}
                <dt>"Created"</dt>
                <dd>{format::date(lead.created_at)}</dd>
            </dl>
        </div>
    }
}

#[component]
fn PairCard(
    pair: DuplicatePair,
    editable: bool,
    people: People,
    comparing: RwSignal<Option<DuplicatePair>>,
    outcome: RwSignal<Option<Outcome>>,
) -> impl IntoView {
    let open = pair.clone();
    let confidence = format!("{}% sure", pair.confidence);
    view! {
        <article class="card pair" data-testid="duplicate-pair">
            <div class="card-header">
                <div class="row">
                    <strong>{reason_label(pair.reason)}</strong>
                    <span class="badge badge-accent">{confidence}</span>
                </div>
                {editable
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm"
                                data-testid="pair-merge"
                                on:click=move |_| {
                                    outcome.set(None);
                                    comparing.set(Some(open.clone()));
                                    scroll_to_top();
                                }
                            >
                                "Merge…"
                            </button>
                        }
                    })}
            </div>
            <div class="pair-body">{lead_facts(&pair.a, people)} {lead_facts(&pair.b, people)}</div>
        </article>
    }
}

fn scroll_to_top() {
    if let Some(window) = web_sys::window() {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Which of the two leads a value or the survivor comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
}

/// The fields a merge chooses between, with how each reads on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MergeField {
    FirstName,
    LastName,
    Title,
    Email,
    Phone,
    Company,
    Website,
    Size,
    Industry,
    Country,
    Owner,
}

impl MergeField {
    const ALL: [MergeField; 11] = [
        MergeField::FirstName,
        MergeField::LastName,
        MergeField::Title,
        MergeField::Email,
        MergeField::Phone,
        MergeField::Company,
        MergeField::Website,
        MergeField::Size,
        MergeField::Industry,
        MergeField::Country,
        MergeField::Owner,
    ];

    fn key(self) -> &'static str {
        match self {
            MergeField::FirstName => "first_name",
            MergeField::LastName => "last_name",
            MergeField::Title => "title",
            MergeField::Email => "email",
            MergeField::Phone => "phone",
            MergeField::Company => "company_name",
            MergeField::Website => "company_website",
            MergeField::Size => "company_size",
            MergeField::Industry => "industry",
            MergeField::Country => "country",
            MergeField::Owner => "owner_id",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MergeField::FirstName => "First name",
            MergeField::LastName => "Last name",
            MergeField::Title => "Job title",
            MergeField::Email => "Email",
            MergeField::Phone => "Phone",
            MergeField::Company => "Company",
            MergeField::Website => "Website",
            MergeField::Size => "Employees",
            MergeField::Industry => "Industry",
            MergeField::Country => "Country",
            MergeField::Owner => "Owner",
        }
    }

    /// The lead's value as text; empty for none. Owners are compared by id.
    fn value(self, lead: &LeadView) -> String {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        match self {
            MergeField::FirstName => lead.first_name.clone(),
            MergeField::LastName => lead.last_name.clone(),
            MergeField::Title => lead.title.clone(),
            MergeField::Email => text(&lead.email),
            MergeField::Phone => text(&lead.phone),
            MergeField::Company => lead.company_name.clone(),
            MergeField::Website => text(&lead.company_domain),
            MergeField::Size => lead.company_size.map(|n| n.to_string()).unwrap_or_default(),
            MergeField::Industry => text(&lead.industry),
            MergeField::Country => text(&lead.country),
            MergeField::Owner => lead.owner_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    fn set(self, choices: &mut MergeFieldChoices, side: MergeSide) {
        let slot = match self {
            MergeField::FirstName => &mut choices.first_name,
            MergeField::LastName => &mut choices.last_name,
            MergeField::Title => &mut choices.title,
            MergeField::Email => &mut choices.email,
            MergeField::Phone => &mut choices.phone,
            MergeField::Company => &mut choices.company_name,
            MergeField::Website => &mut choices.company_website,
            MergeField::Size => &mut choices.company_size,
            MergeField::Industry => &mut choices.industry,
            MergeField::Country => &mut choices.country,
            MergeField::Owner => &mut choices.owner_id,
        };
        *slot = side;
    }
}

/// Side by side, a choice per field, and the merge.
#[component]
fn MergeCompare(
    pair: DuplicatePair,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_merged: Callback<Outcome>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    let busy = RwSignal::new(false);
    // The older lead survives unless chosen otherwise; it keeps its id, links and history.
    let keep = RwSignal::new(Side::A);
    let leads = StoredValue::new((pair.a.clone(), pair.b.clone()));
    // Per field: whose value survives. Start with the kept lead's, unless only the other has one.
    let choices: Vec<(MergeField, RwSignal<Side>)> = MergeField::ALL
        .into_iter()
        .map(|field| {
            let (a, b) = (field.value(&pair.a), field.value(&pair.b));
            let side = if a.trim().is_empty() && !b.trim().is_empty() { Side::B } else { Side::A };
            (field, RwSignal::new(side))
        })
        .collect();
    let choices = StoredValue::new(choices);

    let merge = move |_| {
        if busy.get_untracked() {
            return;
        }
        let (a, b) = leads.get_value();
        let kept_side = keep.get_untracked();
        let (kept, merged) = match kept_side {
            Side::A => (a, b),
            Side::B => (b, a),
        };
        let mut fields = MergeFieldChoices::default();
        for (field, side) in choices.get_value() {
            let side = if side.get_untracked() == kept_side { MergeSide::Keep } else { MergeSide::Merge };
            field.set(&mut fields, side);
        }
        let request = LeadMerge { keep_id: kept.id, merge_id: merged.id, fields };
        let merged_name = which(&merged);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.merge_leads(&request).await;
            busy.try_set(false);
            match result {
                Ok(done) => {
                    remember(&done.merge);
                    toaster.success(format!("{merged_name} merged into {}", which(&done.lead)));
                    on_merged.try_run(Outcome { merged: done, merged_name, undone: None });
                }
                Err(error) => toaster.error(&error),
            }
        });
    };

    let shown = move |field: MergeField, lead: &LeadView| -> String {
        let value = field.value(lead);
        match field {
            MergeField::Owner => match lead.owner_id {
                Some(owner) => people.name(owner),
                None => "Unassigned".to_owned(),
            },
            _ if value.trim().is_empty() => "—".to_owned(),
            _ => value,
        }
    };

    let rows = choices
        .get_value()
        .into_iter()
        .map(|(field, side)| {
            let (a, b) = leads.get_value();
            let same = field.value(&a) == field.value(&b);
            let name = format!("merge-{}", field.key());
            let cell = move |which: Side, lead: LeadView| {
                let name = name.clone();
                let text = move || shown(field, &lead);
                if same {
                    view! { <td class="muted">{text}</td> }.into_any()
                } else {
                    view! {
                        <td>
                            <label class="checkbox merge-choice">
                                <input
                                    type="radio"
                                    name=name
                                    data-side=if which == Side::A { "a" } else { "b" }
                                    prop:checked=move || side.get() == which
                                    on:change=move |_| side.set(which)
                                />
                                <span>{text}</span>
                            </label>
                        </td>
                    }
                    .into_any()
                }
            };
            view! {
                <tr data-testid="merge-field" data-field=field.key()>
                    <th scope="row">{field.label()}</th>
                    {cell(Side::A, a)}
                    {cell(Side::B, b)}
                </tr>
            }
        })
        .collect_view();

    let (a, b) = leads.get_value();
    let keep_option = move |which: Side, lead: &LeadView, id: &'static str| {
        let name = lead.display_name();
        let created = format::date(lead.created_at);
        view! {
            <th>
                <label class="checkbox">
                    <input
                        id=id
                        type="radio"
                        name="merge-keep"
                        prop:checked=move || keep.get() == which
                        on:change=move |_| keep.set(which)
                    />
                    <span>
                        "Keep " <strong>{name}</strong> <span class="muted small">{format!(" (created {created})")}</span>
                    </span>
                </label>
            </th>
        }
    };
    let explanation = move || {
        let (a, b) = leads.get_value();
        let (kept, merged) = match keep.get() {
            Side::A => (a, b),
            Side::B => (b, a),
        };
        format!(
            "{} is merged into {}: its tags and timeline move over and it goes to the recycle bin. You can undo this for 30 days.",
            which(&merged),
            which(&kept)
        )
    };

    view! {
        <section class="card" id="merge-compare">
            <div class="card-header">
                <div>
                    <h2>"Merge two leads"</h2>
                    <p class="card-text">"Choose the lead to keep and, for each field, the value it keeps."</p>
                </div>
            </div>
            <div class="table-wrap">
                <table class="table merge-table">
                    <thead>
                        <tr>
                            <th>"Field"</th>
                            {keep_option(Side::A, &a, "merge-keep-a")}
                            {keep_option(Side::B, &b, "merge-keep-b")}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="card-body stack-sm">
                <p class="muted" id="merge-explanation">{explanation}</p>
                <div class="form-actions">
                    <button id="merge-confirm" type="button" class="btn btn-primary" disabled=move || busy.get() on:click=merge>
                        {move || if busy.get() { "Merging…" } else { "Merge" }}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                </div>
            </div>
        </section>
    }
}

#[component]
fn OutcomeCard(outcome: Outcome, undo: Callback<LeadMergeId>, #[prop(into)] on_dismiss: Callback<()>) -> impl IntoView {
    let merge_id = outcome.merged.merge.id;
    let kept: LeadId = outcome.merged.lead.id;
    let kept_name = which(&outcome.merged.lead);
    let session = use_session();
    let body = match outcome.undone {
        None => {
            let until = format::date(outcome.merged.merge.undo_until);
            // The owner the merge kept may take the lead out of the caller's records: no link to a
            // page that would say "not found".
            let kept_view = if readable(session, outcome.merged.lead.ownership()) {
                view! {
                    <a id="merge-kept-link" href=lead_href(kept)>
                        {kept_name}
                    </a>
                    "."
                }
                .into_any()
            } else {
                view! {
                    <strong>{kept_name}</strong>
                    {format!(", which is no longer in your list: {}.", reach(session))}
                }
                .into_any()
            };
            view! {
                <p id="merge-result-text">
                    <strong>{outcome.merged_name.clone()}</strong>
                    " was merged into "
                    {kept_view}
                </p>
                <div class="row">
                    <button id="merge-undo" type="button" class="btn btn-secondary btn-sm" on:click=move |_| undo.run(merge_id)>
                        "Undo merge"
                    </button>
                    <span class="muted small">{format!("Possible until {until}, also from the lead's timeline.")}</span>
                </div>
            }
            .into_any()
        }
        Some(undone) => view! {
            <p id="merge-result-text">
                "The merge was undone: "
                <a href=lead_href(undone.kept.id)>{undone.kept.display_name()}</a>
                " and "
                <a href=lead_href(undone.restored.id)>{undone.restored.display_name()}</a>
                " are separate leads again."
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="bulk-outcome" role="status" id="merge-result">
            <div class="row">
                <div class="stack-sm">{body}</div>
                <span class="spacer"></span>
                <button type="button" class="btn btn-ghost btn-sm" aria-label="Dismiss" on:click=move |_| on_dismiss.run(())>
                    "×"
                </button>
            </div>
        </div>
    }
}
