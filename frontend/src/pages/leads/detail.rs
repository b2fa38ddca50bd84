//! `/m/leads/:id`: one lead. Its details, status, owner and tags can be changed (with the version
//! read, so a concurrent change is noticed); its score is explained rule by rule, and the emails
//! sent to it are listed with their delivery and engagement.

use chrono::NaiveDate;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::rules::ScoreBreakdown;
use kith_domain::leads::{LeadDetail, LeadPatch, LeadStatus, LeadView};
use kith_domain::{LeadId, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::attachments::AttachmentsCard;
use super::custom_values::{custom_changes, custom_inputs, load_custom_fields};
use super::emails::EmailsCard;
use super::enrollments::SequencesCard;
use super::timeline::{Events, Timeline};
use super::{
    non_blank, owner_label, ownership_with, parse_tags, reach, readable, status_badge, takes_revisit_date,
    HandOverDialog, LeadsGate,
};
use crate::api::{is_stale, problem_of, use_client};
use crate::auth::{use_session, Session};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{
    country_code, country_text, invalid, CountryField, Field, FieldError as FieldErrorView, FormAlert,
};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::data::Found;
use crate::pages::core::activities::ActivitiesCard;
use crate::people::{use_people, user_options};

#[component]
pub fn LeadDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<LeadId>().ok())));
    view! {
        <LeadsGate>
            {move || match id.get() {
                Some(id) => view! { <LeadPage id /> }.into_any(),
                None => not_found().into_any(),
            }}
        </LeadsGate>
    }
}

fn not_found() -> impl IntoView {
    view! {
        <div class="card">
            <EmptyState
                icon="?"
                title="This lead does not exist"
                text="It may have been deleted or merged, or the address is mistyped."
            />
            <p class="empty-text center">
                <a href="/m/leads">"Back to the leads"</a>
            </p>
        </div>
    }
}

/// May the signed-in user change this lead (role level and record scope)? Tracks the session.
fn can_edit(session: Session, lead: &LeadView) -> bool {
    session.allows_record(Module::Leads, Action::Write, lead.ownership())
}

#[component]
fn LeadPage(id: LeadId) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let people = use_people();
    let navigate = StoredValue::new_local(use_navigate());
    people.ensure();

    let detail = RwSignal::new(None::<LeadDetail>);
    let missing = RwSignal::new(false);
    let events = RwSignal::new(Events::Loading);
    let busy = RwSignal::new(false);

    let reload = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.get_lead(id).await {
                    Ok(found) => {
                        detail.try_set(Some(found));
                    }
                    Err(error) if error.status() == Some(404) => {
                        // Nothing more to ask about a lead that is not there.
                        missing.try_set(true);
                        return;
                    }
                    Err(error) => toaster.error(&error),
                }
                match client.lead_events(id).await {
                    Ok(found) => {
                        events.try_set(Events::Loaded(found));
                    }
                    Err(error) if error.status() == Some(404) => {}
                    Err(error) => {
                        events.try_set(Events::Failed);
                        toaster.error(&error);
                    }
                }
            });
        }
    });
    reload.run(());

    // Each card passes its own problem, so errors show in the card that caused them.
    let update = Callback::new({
        let client = client.clone();
        move |(patch, problem): (LeadPatch, RwSignal<Option<Problem>>)| {
            let Some(version) = detail.with_untracked(|d| d.as_ref().map(|d| d.lead.version)) else {
                return;
            };
            let client = client.clone();
            problem.set(None);
            busy.set(true);
            spawn_local(async move {
                let result = client.update_lead(id, version, &patch).await;
                busy.try_set(false);
                match result {
                    // The change took the lead out of the records the caller's role covers (handed
                    // to someone else): say so and go back to the list, asking nothing more about
                    // a lead they can no longer open. Replacing the address keeps Back off it.
                    Ok(lead) if !readable(session, lead.ownership()) => {
                        let name = lead.display_name();
                        let title = match lead.owner_id {
                            Some(owner) => format!("{name} assigned to {}", owner_label(people, Some(owner))),
                            None => format!("{name} is unassigned now"),
                        };
                        toaster
                            .success_with_detail(title, format!("It is no longer in your list: {}.", reach(session)));
                        let options = NavigateOptions { replace: true, ..Default::default() };
                        navigate.try_with_value(|navigate| navigate("/m/leads", options));
                    }
                    Ok(lead) => {
                        toaster.success(format!("{} saved", lead.display_name()));
                        // The new version at once; the score and timeline may have changed with it.
                        detail.update(|d| {
                            if let Some(d) = d.as_mut() {
                                d.lead = lead;
                            }
                        });
                        reload.try_run(());
                    }
                    Err(error) if is_stale(&error) => {
                        toaster.stale("lead");
                        reload.try_run(());
                    }
                    Err(error) => {
                        problem.set(Some(problem_of(&error)));
                        toaster.error(&error);
                    }
                }
            });
        }
    });

    let delete = Callback::new(move |()| {
        let client = client.clone();
        let name = detail.with_untracked(|d| d.as_ref().map(|d| d.lead.display_name())).unwrap_or_default();
        spawn_local(async move {
            match client.delete_lead(id).await {
                Ok(()) => {
                    toaster.success(format!("{name} moved to the recycle bin"));
                    navigate.try_with_value(|navigate| navigate("/m/leads", Default::default()));
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    move || {
        if missing.get() {
            return not_found().into_any();
        }
        let Some(LeadDetail { lead, score }) = detail.get() else {
            return view! { <Loading /> }.into_any();
        };
        let editable = can_edit(session, &lead);
        view! {
            <LeadHeader lead=lead.clone() editable on_delete=delete />
            <div class="detail-grid">
                <div class="stack">
                    <DetailsCard lead=lead.clone() editable busy update />
                    <CustomFieldsCard lead=lead.clone() editable busy update />
                    <ActivitiesCard record_kind="lead" record_id=id.to_string() editable on_change=reload />
                    <section class="card">
                        <div class="card-header">
                            <h2>"Timeline"</h2>
                        </div>
                        <div class="card-body">
                            <Timeline events on_undone=reload />
                        </div>
                    </section>
                    <AttachmentsCard lead_id=id editable on_change=reload />
                    <EmailsCard lead_id=id />
                </div>
                <div class="stack">
                    <StatusCard lead=lead.clone() editable busy update />
                    <OwnerCard lead editable busy update />
                    <SequencesCard lead_id=id editable />
                    <ScoreCard score />
                </div>
            </div>
        }
        .into_any()
    }
}

#[component]
fn LeadHeader(lead: LeadView, editable: bool, #[prop(into)] on_delete: Callback<()>) -> impl IntoView {
    let people = use_people();
    let session = crate::auth::use_session();
    let name = lead.display_name();
    let subtitle = [lead.title.trim(), lead.company_name.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let owner = match lead.owner_id {
        Some(owner) => view! { <span id="lead-owner-name">{move || people.name(owner)}</span> }.into_any(),
        None => view! { <span id="lead-owner-name" class="muted">"Unassigned"</span> }.into_any(),
    };
    let message = format!("{name} goes to the recycle bin; it can be restored for 30 days.");
    view! {
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads">
                    "← Leads"
                </a>
                <h1 id="lead-name">{name}</h1>
                {(!subtitle.is_empty()).then(|| view! { <p class="page-subtitle">{subtitle}</p> })}
                <div class="lead-facts">
                    {status_badge(lead.status)}
                    <span class="muted">"Owner"</span>
                    {owner}
                    <span class="muted">"Score"</span>
                    <strong id="lead-score">{lead.score}</strong>
                </div>
            </div>
            <div class="header-actions">
            {(editable && kith_domain::pipeline::conversion::convertible(&lead).is_ok() && session.can_write(kith_domain::core::modules::Module::Customers))
                .then(|| {
                    let lead = lead.clone();
                    let open = RwSignal::new(false);
                    let toaster = crate::components::toast::use_toaster();
                    let navigate = leptos_router::hooks::use_navigate();
                    view! {
                        <button type="button" class="btn btn-primary btn-sm" id="convert-lead" on:click=move |_| open.set(true)>
                            "Convert"
                        </button>
                        {move || {
                            let navigate = navigate.clone();
                            open.get().then(|| view! {
                                <crate::pages::pipeline::convert::ConvertDialog
                                    lead=lead.clone()
                                    on_cancel=move |_| open.set(false)
                                    on_done=move |result: kith_domain::pipeline::conversion::ConversionResult| {
                                        open.set(false);
                                        let (title, href) = match &result.potential {
                                            Some(p) => (format!("Converted: potential {} opened", p.name), format!("/m/pipeline/{}", p.id)),
                                            None => (format!("Converted to {}", result.contact.display_name()), format!("/m/customers/contacts/{}", result.contact.id)),
                                        };
                                        toaster.success(title);
                                        navigate(&href, Default::default());
                                    }
                                />
                            })
                        }}
                    }
                })}
            {editable
                .then(|| {
                    view! {
                        <ConfirmButton
                            label="Delete"
                            title="Delete this lead?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| on_delete.run(())
                        />
                    }
                })}
            </div>
        </div>
    }
}

/// `Some(new)` when the trimmed input differs from `before`.
fn changed(before: &str, input: &str) -> Option<String> {
    let input = input.trim();
    (input != before.trim()).then(|| input.to_owned())
}

/// For nullable fields: `Some(None)` clears, `Some(Some(new))` sets, `None` leaves as is.
fn changed_optional(before: Option<&str>, input: &str) -> Option<Option<String>> {
    let now = non_blank(input);
    (now.as_deref() != before.map(str::trim).filter(|s| !s.is_empty())).then_some(now)
}

const DETAIL_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "company_name",
    "company_website",
    "company_size",
    "industry",
    "country",
];

#[component]
fn DetailsCard(
    lead: LeadView,
    editable: bool,
    busy: RwSignal<bool>,
    update: Callback<(LeadPatch, RwSignal<Option<Problem>>)>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let first_name = RwSignal::new(lead.first_name.clone());
    let last_name = RwSignal::new(lead.last_name.clone());
    let title = RwSignal::new(lead.title.clone());
    let email = RwSignal::new(lead.email.clone().unwrap_or_default());
    let phone = RwSignal::new(lead.phone.clone().unwrap_or_default());
    let company = RwSignal::new(lead.company_name.clone());
    let website = RwSignal::new(lead.company_domain.clone().unwrap_or_default());
    let size = RwSignal::new(lead.company_size.map(|n| n.to_string()).unwrap_or_default());
    let industry = RwSignal::new(lead.industry.clone().unwrap_or_default());
    let country = RwSignal::new(country_text(lead.country.as_deref()));
    let readonly = !editable;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = Found::new();
        let company_size = match size.get_untracked().trim() {
            "" => None,
            text => found.take(text.parse::<i32>(), "company_size", "number", "Enter the number of employees."),
        };
        let patch = LeadPatch {
            first_name: changed(&lead.first_name, &first_name.get_untracked()),
            last_name: changed(&lead.last_name, &last_name.get_untracked()),
            title: changed(&lead.title, &title.get_untracked()),
            email: changed_optional(lead.email.as_deref(), &email.get_untracked()),
            phone: changed_optional(lead.phone.as_deref(), &phone.get_untracked()),
            company_name: changed(&lead.company_name, &company.get_untracked()),
            company_website: changed_optional(lead.company_domain.as_deref(), &website.get_untracked()),
            company_size: (company_size != lead.company_size).then_some(company_size),
            industry: changed_optional(lead.industry.as_deref(), &industry.get_untracked()),
            country: {
                let code = country_code(&country.get_untracked());
                (code.as_deref() != lead.country.as_deref()).then_some(code)
            },
            ..Default::default()
        };
        if let Some(refused) = found.with_rules_of(&patch) {
            problem.set(Some(refused));
            return;
        }
        update.run((patch, problem));
    };

    view! {
           <section class="card">
               <div class="card-header">
                   <h2>"Details"</h2>
               </div>
               <div class="card-body">
                   <form class="form" on:submit=submit novalidate>
                       <FormAlert problem fields=DETAIL_FIELDS />
                       <div class="form-grid">
                           <Field label="First name" id="lead-first-name" name="first_name" problem>
                               <input
                                   id="lead-first-name"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "first_name")
                                   bind:value=first_name
                               />
                           </Field>
                           <Field label="Last name" id="lead-last-name" name="last_name" problem>
                               <input
                                   id="lead-last-name"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "last_name")
                                   bind:value=last_name
                               />
                           </Field>
                           <Field label="Job title" id="lead-title" name="title" problem>
                               <input
                                   id="lead-title"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "title")
                                   bind:value=title
                               />
                           </Field>
                           <Field label="Email" id="lead-email" name="email" problem>
                               <input
                                   id="lead-email"
                                   type="email"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "email")
                                   bind:value=email
                               />
                           </Field>
                           <Field label="Phone" id="lead-phone" name="phone" problem>
                               <input
                                   id="lead-phone"
                                   type="tel"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "phone")
                                   bind:value=phone
                               />
                           </Field>
                           <Field label="Company" id="lead-company" name="company_name" problem>
                               <input
                                   id="lead-company"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "company_name")
                                   bind:value=company
                               />
                           </Field>
                           <Field label="Website" id="lead-website" name="company_website" problem>
                               <input
                                   id="lead-website"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "company_website")
                                   bind:value=website
                               />
                           </Field>
                           <Field label="Employees" id="lead-size" name="company_size" problem>
                               <input
                                   id="lead-size"
                                   type="number"
                                   min="1"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "company_size")
                                   value=size.get_untracked()
    on:input=move |ev| size.set(event_target_value(&ev))
                               />
                           </Field>
                           <Field label="Industry" id="lead-industry" name="industry" problem>
                               <input
                                   id="lead-industry"
                                   type="text"
                                   readonly=readonly
                                   aria-invalid=invalid(problem, "industry")
                                   bind:value=industry
                               />
                           </Field>
                           <CountryField id="lead-country" name="country" problem value=country readonly=readonly />
                       </div>
                       {editable
                           .then(|| {
                               view! {
                                   <div class="form-actions">
                                       <button
                                           id="lead-save"
                                           type="submit"
                                           class="btn btn-primary"
                                           disabled=move || busy.get()
                                       >
                                           "Save details"
                                       </button>
                                   </div>
                               }
                           })}
                   </form>
               </div>
           </section>
       }
}

/// The organization's custom fields with the lead's values; only changed values are sent, and an
/// emptied one is cleared.
#[component]
fn CustomFieldsCard(
    lead: LeadView,
    editable: bool,
    busy: RwSignal<bool>,
    update: Callback<(LeadPatch, RwSignal<Option<Problem>>)>,
) -> impl IntoView {
    let client = use_client();
    let problem = RwSignal::new(None::<Problem>);
    let before = StoredValue::new(lead.custom.clone());
    let defs = load_custom_fields(client, lead.custom.clone());
    let readonly = !editable;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = Found::new();
        let custom = before.with_value(|b| custom_changes(defs, b, false, &mut found));
        if let Some(refused) = found.problem() {
            problem.set(Some(refused));
            return;
        }
        if custom.is_empty() {
            return;
        }
        update.run((LeadPatch { custom, ..Default::default() }, problem));
    };

    let inputs = move || custom_inputs(defs, problem, readonly);

    move || {
        (!defs.with(Vec::is_empty)).then(|| {
            view! {
                <section class="card">
                    <div class="card-header">
                        <h2>"Custom fields"</h2>
                    </div>
                    <div class="card-body">
                        <form class="form" on:submit=submit novalidate>
                            <FormAlert problem prefixes=&["custom."] />
                            <div class="form-grid">{inputs}</div>
                            {editable
                                .then(|| {
                                    view! {
                                        <div class="form-actions">
                                            <button
                                                id="lead-custom-save"
                                                type="submit"
                                                class="btn btn-primary"
                                                disabled=move || busy.get()
                                            >
                                                "Save custom fields"
                                            </button>
                                        </div>
                                    }
                                })}
                        </form>
                    </div>
                </section>
            }
        })
    }
}

#[component]
fn StatusCard(
    lead: LeadView,
    editable: bool,
    busy: RwSignal<bool>,
    update: Callback<(LeadPatch, RwSignal<Option<Problem>>)>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let next = lead.status.next();
    let target = RwSignal::new(None::<LeadStatus>);
    let revisit = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = Found::new();
        let status = target.get_untracked();
        if status.is_none() {
            found.add("status", "required", "Choose a status.");
        }
        let revisit_on = match revisit.get_untracked().trim() {
            "" => None,
            text => found.take(text.parse::<NaiveDate>(), "revisit_on", "date", "Enter a date."),
        };
        let (Some(status), true) = (status, found.is_empty()) else {
            problem.set(Some(Problem::validation(found.into_errors())));
            return;
        };
        let patch = LeadPatch {
            status: Some(status),
            revisit_on: revisit_on.filter(|_| takes_revisit_date(Some(status))),
            disqualify_reason: non_blank(&reason.get_untracked()).filter(|_| status == LeadStatus::Disqualified),
            ..Default::default()
        };
        update.run((patch, problem));
    };

    let facts = view! {
        <div class="lead-facts">
            <span class="muted">"Now"</span>
            {status_badge(lead.status)}
        </div>
        {lead.revisit_on.map(|d| view! { <p class="muted small">"Revisit on " {d.to_string()}</p> })}
        {lead.disqualify_reason.map(|r| view! { <p class="muted small">"Reason: " {r}</p> })}
    };

    let control = if next.is_empty() {
        view! { <p class="muted">"A converted lead is final; its status no longer changes."</p> }.into_any()
    } else if !editable {
        ().into_any()
    } else {
        view! {
            <form class="form" on:submit=submit novalidate>
                <FormAlert problem fields=&["status", "revisit_on", "disqualify_reason"] />
                <Field label="Change to" id="lead-status-next" name="status" problem>
                    <select
                        id="lead-status-next"
                        aria-invalid=invalid(problem, "status")
                        on:change=move |ev| target.set(LeadStatus::parse(&event_target_value(&ev)))
                    >
                        <option value="" selected=move || target.get().is_none()>
                            "Choose a status"
                        </option>
                        {next
                            .iter()
                            .map(|s| {
                                let s = *s;
                                view! {
                                    <option value=s.as_str() selected=move || target.get() == Some(s)>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                {move || {
                    takes_revisit_date(target.get())
                        .then(|| {
                            view! {
                                <Field label="Revisit on" id="lead-revisit" name="revisit_on" problem>
                                    <input
                                        id="lead-revisit"
                                        type="date"
                                        aria-invalid=invalid(problem, "revisit_on")
                                        bind:value=revisit
                                    />
                                </Field>
                            }
                        })
                }}
                {move || {
                    (target.get() == Some(LeadStatus::Disqualified))
                        .then(|| {
                            view! {
                                <Field label="Reason" id="lead-disqualify-reason" name="disqualify_reason" problem>
                                    <textarea
                                        id="lead-disqualify-reason"
                                        aria-invalid=invalid(problem, "disqualify_reason")
                                        bind:value=reason
                                    ></textarea>
                                </Field>
                            }
                        })
                }}
                <div class="form-actions">
                    <button
                        id="lead-status-change"
                        type="submit"
                        class="btn btn-primary"
                        disabled=move || busy.get() || target.get().is_none()
                    >
                        "Change status"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"Status"</h2>
            </div>
            <div class="card-body stack-sm">{facts} {control}</div>
        </section>
    }
}

#[component]
fn OwnerCard(
    lead: LeadView,
    editable: bool,
    busy: RwSignal<bool>,
    update: Callback<(LeadPatch, RwSignal<Option<Problem>>)>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<Problem>);
    let people = use_people();
    let session = use_session();
    let owner_id = lead.owner_id;
    let name = StoredValue::new(lead.display_name());
    let tags = StoredValue::new(lead.tags.clone());
    let select = NodeRef::<leptos::html::Select>::new();
    // An owner chosen that would take the lead out of the caller's records, until confirmed.
    let pending = RwSignal::new(None::<Option<UserId>>);
    let assign = move |owner: Option<UserId>| {
        update.run((LeadPatch { owner_id: Some(owner), ..Default::default() }, problem));
    };
    let choose = move |owner: Option<UserId>| {
        if readable(session, ownership_with(people, owner)) {
            assign(owner);
        } else {
            pending.set(Some(owner));
        }
    };
    let keep = move || {
        pending.set(None);
        if let Some(select) = select.get_untracked() {
            select.set_value(&owner_id.map(|o| o.to_string()).unwrap_or_default());
        }
    };
    let confirm = move || {
        pending.get().map(|owner| {
            view! {
                <HandOverDialog
                    what=name.get_value()
                    owner
                    on_confirm=move |_| {
                        pending.set(None);
                        assign(owner);
                    }
                    on_cancel=move |_| keep()
                />
            }
        })
    };
    let new_tag = RwSignal::new(String::new());

    let set_tags = move |next: Vec<String>| update.run((LeadPatch { tags: Some(next), ..Default::default() }, problem));
    let add = move || {
        let added = parse_tags(&new_tag.get_untracked());
        if added.is_empty() || busy.get_untracked() {
            return;
        }
        let mut next = tags.get_value();
        for tag in added {
            if !next.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                next.push(tag);
            }
        }
        new_tag.set(String::new());
        set_tags(next);
    };

    let chips = lead
        .tags
        .iter()
        .map(|tag| {
            let label = tag.clone();
            let remove = tag.clone();
            view! {
                <span class="chip" data-testid="lead-tag">
                    {label.clone()}
                    {editable
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="chip-remove"
                                    aria-label=format!("Remove the tag {label}")
                                    disabled=move || busy.get()
                                    on:click=move |_| {
                                        let next = tags.get_value().into_iter().filter(|t| *t != remove).collect();
                                        set_tags(next);
                                    }
                                >
                                    "×"
                                </button>
                            }
                        })}
                </span>
            }
        })
        .collect_view();

    let owner_control = if editable {
        view! {
            <select
                id="lead-owner-select"
                node_ref=select
                aria-invalid=invalid(problem, "owner_id")
                disabled=move || busy.get()
                on:change=move |ev| choose(event_target_value(&ev).parse::<UserId>().ok())
            >
                <option value="" selected=owner_id.is_none()>
                    "Unassigned"
                </option>
                {user_options(people, move || owner_id)}
            </select>
        }
        .into_any()
    } else {
        match owner_id {
            Some(owner) => view! { <p>{move || people.name(owner)}</p> }.into_any(),
            None => view! { <p class="muted">"Unassigned"</p> }.into_any(),
        }
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"Owner and tags"</h2>
            </div>
            <div class="card-body form">
                <FormAlert problem fields=&["owner_id", "tags"] />
                <div class="field">
                    <label for="lead-owner-select">"Owner"</label>
                    {owner_control}
                    {confirm}
                    <FieldErrorView problem name="owner_id" />
                </div>
                <div class="field">
                    <span class="label">"Tags"</span>
                    <div class="chips" id="lead-tags">
                        {chips}
                        {lead.tags.is_empty().then(|| view! { <span class="muted">"No tags"</span> })}
                    </div>
                    {editable
                        .then(|| {
                            view! {
                                <div class="row">
                                    <input
                                        id="lead-tag-input"
                                        type="text"
                                        placeholder="Add a tag"
                                        aria-label="New tag"
                                        aria-invalid=invalid(problem, "tags")
                                        bind:value=new_tag
                                        on:keydown=move |ev| {
                                            if ev.key() == "Enter" {
                                                ev.prevent_default();
                                                add();
                                            }
                                        }
                                    />
                                    <button
                                        id="lead-tag-add"
                                        type="button"
                                        class="btn btn-secondary btn-sm"
                                        disabled=move || busy.get()
                                        on:click=move |_| add()
                                    >
                                        "Add"
                                    </button>
                                </div>
                            }
                        })}
                    <FieldErrorView problem name="tags" />
                </div>
            </div>
        </section>
    }
}

#[component]
fn ScoreCard(score: ScoreBreakdown) -> impl IntoView {
    let lines = score
        .lines
        .iter()
        .map(|line| {
            let times = format!("{}×", line.times);
            let points = signed(line.points);
            view! {
                <tr data-testid="score-line">
                    <td>{line.rule_name.clone()}</td>
                    <td class="muted">{times}</td>
                    <td class="num">{points}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = score.lines.is_empty();
    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Score"</h2>
                    <p class="card-text">"Points from each scoring rule that applies."</p>
                </div>
            </div>
            {empty
                .then(|| {
                    view! {
                        <EmptyState
                            title="No rule gives this lead points yet"
                            text="Scoring rules are set up under Settings → Lead scoring."
                        />
                    }
                })}
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Rule"</th>
                            <th>"Times"</th>
                            <th class="num">"Points"</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                    <tfoot>
                        <tr class="total">
                            <td colspan="2">"Total"</td>
                            <td class="num" id="lead-score-total">
                                {score.total}
                            </td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// Points with their sign: "+10", "−5", "0".
fn signed(points: i32) -> String {
    match points {
        p if p > 0 => format!("+{p}"),
        p if p < 0 => format!("−{}", p.unsigned_abs()),
        _ => "0".to_owned(),
    }
}
