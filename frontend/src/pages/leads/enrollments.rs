//! The "Sequences" card on a lead's page: the sequences the lead is enrolled in, stopping one, and
//! enrolling the lead in another.

use kith_domain::marketing::sequences::{EnrollmentStatus, EnrollmentView};
use kith_domain::{EnrollmentId, LeadId, SequenceId};
use leptos::prelude::*;

use crate::components::confirm::ConfirmButton;
use crate::components::toast::use_toaster;
use crate::data::{load, Loaded, Save};
use crate::format;

fn stop_reason_label(reason: &str) -> String {
    match reason {
        "replied" => "The lead replied".to_owned(),
        "converted" => "The lead was converted".to_owned(),
        "disqualified" => "The lead was disqualified".to_owned(),
        "unsubscribed" => "The lead unsubscribed".to_owned(),
        "no_email" => "The lead has no email address".to_owned(),
        "manual" => "Stopped by hand".to_owned(),
        other => format::humanize(other),
    }
}

fn status_badge(status: EnrollmentStatus) -> impl IntoView {
    let (class, label) = match status {
        EnrollmentStatus::Active => ("badge badge-blue", "Active"),
        EnrollmentStatus::Completed => ("badge badge-green", "Completed"),
        EnrollmentStatus::Stopped => ("badge", "Stopped"),
    };
    view! { <span class=class data-testid="enrollment-status">{label}</span> }
}

#[component]
pub fn SequencesCard(lead_id: LeadId, editable: bool) -> impl IntoView {
    let toaster = use_toaster();
    let enrollments = load(move |client| async move { client.lead_enrollments(lead_id).await });
    let all_sequences = load(|client| async move { client.sequences().await });
    let sequences = Signal::derive(move || all_sequences.ok().unwrap_or_default());
    let chosen = RwSignal::new(String::new());

    let name_of = move |id: SequenceId| sequences.with(|all| all.iter().find(|s| s.id == id).map(|s| s.name.clone()));
    let steps_of = move |id: SequenceId| sequences.with(|all| all.iter().find(|s| s.id == id).map(|s| s.steps.len()));
    // A lead is enrolled in a sequence at most once; switched-off sequences take nobody.
    let available = move || {
        let taken: Vec<SequenceId> =
            enrollments.with(|e| e.iter().map(|e| e.sequence_id).collect()).unwrap_or_default();
        sequences.with(|all| {
            all.iter()
                .filter(|s| s.active && !taken.contains(&s.id))
                .map(|s| (s.id, s.name.clone()))
                .collect::<Vec<_>>()
        })
    };

    let stop = Save::new(
        |client, id: EnrollmentId| async move { client.stop_enrollment(id).await },
        move |stopped: EnrollmentView| {
            toaster.success("Sequence stopped for this lead");
            enrollments.update(|all| all.iter_mut().filter(|e| e.id == stopped.id).for_each(|e| *e = stopped.clone()));
        },
    );
    let enroll = Save::new(
        move |client, (sequence_id, name): (SequenceId, String)| async move {
            client.enroll_lead(lead_id, sequence_id).await.map(|_| name)
        },
        move |name: String| {
            toaster.success(format!("Enrolled in {name}"));
            chosen.set(String::new());
            enrollments.reload();
        },
    );
    let enroll_chosen = move |_| {
        let Ok(sequence_id) = chosen.get_untracked().parse::<SequenceId>() else {
            toaster.failure("Choose a sequence", "Pick the sequence to enroll the lead in.");
            return;
        };
        let name = sequences
            .with_untracked(|all| all.iter().find(|s| s.id == sequence_id).map(|s| s.name.clone()))
            .unwrap_or_else(|| "the sequence".to_owned());
        enroll.dispatch((sequence_id, name));
    };

    let list = move |list: Vec<EnrollmentView>| {
        if list.is_empty() {
            return view! { <p class="muted" data-testid="enrollments-empty">"Not enrolled in any sequence."</p> }
                .into_any();
        }
        view! {
            <ul class="enrollments" id="lead-enrollments">
                {list
                    .into_iter()
                    .map(|e| {
                        let sequence = e.sequence_id;
                        let sent = move || match steps_of(sequence) {
                            Some(total) => format!("{} of {total} emails sent", e.steps_sent),
                            None => format!("{} sent", crate::format::count(e.steps_sent, "email", "emails")),
                        };
                        let id = e.id;
                        let action = (editable && e.status == EnrollmentStatus::Active)
                            .then(|| {
                                view! {
                                    <ConfirmButton
                                        label="Stop"
                                        title="Stop this sequence for the lead?"
                                        message="No further emails of it are sent to this lead. This cannot be resumed."
                                        confirm_label="Stop"
                                        on_confirm=move |_| stop.dispatch(id)
                                    />
                                }
                            });
                        view! {
                            <li class="enrollment" data-testid="enrollment">
                                <div class="row">
                                    <strong>{move || name_of(sequence).unwrap_or_else(|| "(deleted sequence)".to_owned())}</strong>
                                    {status_badge(e.status)}
                                    <span class="spacer"></span>
                                    {action}
                                </div>
                                <div class="muted small">
                                    {sent} " · enrolled " {format::date(e.enrolled_at)}
                                    {e.stop_reason.map(|r| format!(" · {}", stop_reason_label(&r)))}
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };

    let control = move || {
        if !editable {
            return None;
        }
        let options = available();
        if sequences.with(Vec::is_empty) {
            return Some(
                view! {
                    <p class="muted small">
                        "No sequences yet. " <a href="/settings/sequences">"Set one up"</a>
                        " to send this lead a series of emails."
                    </p>
                }
                .into_any(),
            );
        }
        if options.is_empty() {
            return Some(
                view! { <p class="muted small">"No other active sequence to enroll the lead in."</p> }.into_any(),
            );
        }
        Some(
            view! {
                <div class="row">
                    <select
                        id="lead-enroll-select"
                        aria-label="Sequence"
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                    >
                        <option value="" selected=move || chosen.with(String::is_empty)>
                            "Enroll in…"
                        </option>
                        {options
                            .into_iter()
                            .map(|(id, name)| {
                                let value = id.to_string();
                                let selected = value.clone();
                                view! {
                                    <option value=value selected=move || chosen.with(|c| *c == selected)>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <button
                        id="lead-enroll"
                        type="button"
                        class="btn btn-secondary btn-sm"
                        disabled=move || enroll.busy() || chosen.with(String::is_empty)
                        on:click=enroll_chosen
                    >
                        "Enroll"
                    </button>
                </div>
            }
            .into_any(),
        )
    };

    view! {
        <section class="card" id="lead-sequences">
            <div class="card-header">
                <div>
                    <h2>"Sequences"</h2>
                    <p class="card-text">"Emails sent to the lead on a schedule until they reply."</p>
                </div>
            </div>
            <div class="card-body stack-sm">
                <Loaded data=enrollments what="the lead's sequences" let:found>
                    {list(found)}
                </Loaded>
                {control}
            </div>
        </section>
    }
}
