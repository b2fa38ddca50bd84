//! The "Sequences" card on a lead's page: the sequences the lead is enrolled in, stopping one, and
//! enrolling the lead in another.

use kith_domain::marketing::sequences::{EnrollmentStatus, EnrollmentView, SequenceView};
use kith_domain::{EnrollmentId, LeadId, SequenceId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_client;
use crate::components::confirm::ConfirmButton;
use crate::components::table::Loading;
use crate::components::toast::use_toaster;
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
    let client = use_client();
    let toaster = use_toaster();
    let enrollments = RwSignal::new(None::<Vec<EnrollmentView>>);
    let sequences = RwSignal::new(Vec::<SequenceView>::new());
    let chosen = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let load = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.lead_enrollments(lead_id).await {
                    Ok(found) => {
                        enrollments.try_set(Some(found));
                    }
                    Err(error) => {
                        enrollments.try_set(Some(Vec::new()));
                        toaster.error(&error);
                    }
                }
            });
        }
    });
    load.run(());
    {
        let client = client.clone();
        spawn_local(async move {
            match client.sequences().await {
                Ok(found) => {
                    sequences.try_set(found);
                }
                Err(error) => toaster.error(&error),
            }
        });
    }

    let name_of = move |id: SequenceId| sequences.with(|all| all.iter().find(|s| s.id == id).map(|s| s.name.clone()));
    let steps_of = move |id: SequenceId| sequences.with(|all| all.iter().find(|s| s.id == id).map(|s| s.steps.len()));
    // A lead is enrolled in a sequence at most once; switched-off sequences take nobody.
    let available = move || {
        let taken: Vec<SequenceId> = enrollments.with(|e| e.iter().flatten().map(|e| e.sequence_id).collect());
        sequences.with(|all| {
            all.iter()
                .filter(|s| s.active && !taken.contains(&s.id))
                .map(|s| (s.id, s.name.clone()))
                .collect::<Vec<_>>()
        })
    };

    let stop = Callback::new({
        let client = client.clone();
        move |id: EnrollmentId| {
            let client = client.clone();
            spawn_local(async move {
                match client.stop_enrollment(id).await {
                    Ok(stopped) => {
                        toaster.success("Sequence stopped for this lead");
                        enrollments.update(|e| {
                            for e in e.iter_mut().flatten().filter(|e| e.id == stopped.id) {
                                *e = stopped.clone();
                            }
                        });
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });

    let enroll = move |_| {
        let Ok(sequence_id) = chosen.get_untracked().parse::<SequenceId>() else {
            toaster.failure("Choose a sequence", "Pick the sequence to enroll the lead in.");
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let name = sequences
            .with_untracked(|all| all.iter().find(|s| s.id == sequence_id).map(|s| s.name.clone()))
            .unwrap_or_else(|| "the sequence".to_owned());
        let client = client.clone();
        spawn_local(async move {
            let result = client.enroll_lead(lead_id, sequence_id).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toaster.success(format!("Enrolled in {name}"));
                    chosen.set(String::new());
                    load.run(());
                }
                Err(error) => toaster.error(&error),
            }
        });
    };

    let list = move || {
        match enrollments.get() {
        None => view! { <Loading /> }.into_any(),
        Some(list) if list.is_empty() => {
            view! { <p class="muted" data-testid="enrollments-empty">"Not enrolled in any sequence."</p> }.into_any()
        }
        Some(list) => view! {
            <ul class="enrollments" id="lead-enrollments">
                {list
                    .into_iter()
                    .map(|e| {
                        let sequence = e.sequence_id;
                        let sent = move || match steps_of(sequence) {
                            Some(total) => format!("{} of {total} emails sent", e.steps_sent),
                            None => format!("{} emails sent", e.steps_sent),
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
                                        on_confirm=move |_| stop.run(id)
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
        .into_any(),
    }
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
                        disabled=move || busy.get() || chosen.with(String::is_empty)
                        on:click=enroll.clone()
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
            <div class="card-body stack-sm">{list} {control}</div>
        </section>
    }
}
