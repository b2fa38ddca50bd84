//! The "Attachments" card on a lead's page: the files kept with the lead (name, size, who, when),
//! an upload, downloads and deletion to the recycle bin. Downloads go through the typed client with
//! the session's token (held in memory only), and the bytes are handed to the browser as a file.

use kith_domain::core::attachments::AttachmentView;
use kith_domain::core::page::PageQuery;
use kith_domain::{FieldError, LeadId, Problem};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::api::{problem_of, use_client};
use crate::browser;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, FieldError as FieldErrorView, FormAlert};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::format;
use crate::people::use_people;

const PAGE_SIZE: u32 = 20;

/// What the file input offers (the server checks the same list, and the bytes).
const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv,.eml,.docx,.xlsx,.pptx,.odt,.ods,.doc,.xls,.ppt,.zip";

/// `1.2 MB`, `340 KB`, `12 bytes`.
fn size_label(bytes: i64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1_000_000.0),
        b if b >= 1_000 => format!("{} KB", b / 1_000),
        1 => "1 byte".to_owned(),
        b => format!("{b} bytes"),
    }
}

#[component]
pub fn AttachmentsCard(
    lead_id: LeadId,
    editable: bool,
    /// Called after an upload or a deletion (the lead's timeline notes both).
    #[prop(into)]
    on_change: Callback<()>,
) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    people.ensure();
    let files = Paged::<AttachmentView>::new();
    let load = Callback::new({
        let client = client.clone();
        move |more: bool| {
            let client = client.clone();
            let fetch = move |cursor| async move {
                client.lead_attachments(lead_id, &PageQuery { limit: Some(PAGE_SIZE), cursor }).await
            };
            if more {
                files.more(fetch);
            } else {
                files.reload(fetch);
            }
        }
    });
    load.run(false);

    let download = Callback::new({
        let client = client.clone();
        move |file: AttachmentView| {
            let client = client.clone();
            spawn_local(async move {
                match client.download_attachment(file.id).await {
                    Ok(bytes) => {
                        if browser::download_bytes(&file.file_name, &file.content_type, &bytes).is_err() {
                            toaster.failure("The download could not start", "Try again, or another browser.");
                        }
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });
    let delete = Callback::new({
        let client = client.clone();
        move |file: AttachmentView| {
            let client = client.clone();
            spawn_local(async move {
                match client.delete_attachment(file.id).await {
                    Ok(()) => {
                        toaster.success(format!("{} moved to the recycle bin", file.file_name));
                        files.remove(|f| f.id == file.id);
                        on_change.try_run(());
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });

    let row = move |file: AttachmentView| {
        let who = file.uploaded_by.as_deref().and_then(|id| people.name_of(id)).unwrap_or_else(|| {
            if file.uploaded_by.is_some() {
                "Someone".into()
            } else {
                "Kith".into()
            }
        });
        let (for_download, for_delete) = (file.clone(), file.clone());
        let remove = editable.then(|| {
            view! {
                <ConfirmButton
                    label="Delete"
                    title=format!("Delete {}?", file.file_name)
                    message="It goes to the recycle bin, where an administrator can restore it for 30 days."
                    confirm_label="Delete"
                    on_confirm=move |()| delete.run(for_delete.clone())
                />
            }
        });
        view! {
            <tr data-testid="attachment-row">
                <td>
                    <button
                        type="button"
                        class="btn btn-ghost btn-sm"
                        data-testid="attachment-name"
                        title="Download"
                        on:click=move |_| download.run(for_download.clone())
                    >
                        {file.file_name.clone()}
                    </button>
                    <div class="muted small">{format!("{who} · {}", format::datetime(file.created_at))}</div>
                </td>
                <td class="num">{size_label(file.size)}</td>
                <td class="actions">{remove}</td>
            </tr>
        }
    };
    let rows = move || files.items.get().into_iter().map(row).collect_view();
    let upload = editable.then(|| {
        view! {
            <UploadForm
                lead_id
                on_uploaded=move |file: AttachmentView| {
                    files.items.update(|items| items.insert(0, file));
                    on_change.run(());
                }
            />
        }
    });

    view! {
        <section class="card" id="lead-attachments">
            <div class="card-header">
                <div>
                    <h2>"Attachments"</h2>
                    <p class="card-text">"Files kept with this lead: proposals, contracts, notes, pictures."</p>
                </div>
            </div>
            {upload}
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"File"</th>
                            <th class="num">"Size"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows}
                        <StatusRow paged=files columns=3 empty_title="No files attached yet." />
                    </tbody>
                </table>
            </div>
            <LoadMore paged=files on_more=move |()| load.run(true) />
        </section>
    }
}

/// Choose a file and upload it; the server's refusal (too large, not an accepted kind) shows here.
#[component]
fn UploadForm(lead_id: LeadId, #[prop(into)] on_uploaded: Callback<AttachmentView>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let file_input = NodeRef::<Input>::new();
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = file_input.get_untracked();
        let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|files| files.get(0)) else {
            problem.set(Some(Problem::validation(vec![FieldError::new("file", "required", "Choose a file.")])));
            return;
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let name = file.name();
            let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
                busy.try_set(false);
                toaster.failure("The file could not be read", "Choose it again and retry.");
                return;
            };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            let result = client.upload_lead_attachment(lead_id, &name, bytes).await;
            busy.try_set(false);
            match result {
                Ok(uploaded) => {
                    toaster.success(format!("{} attached", uploaded.file_name));
                    if let Some(input) = input {
                        input.set_value("");
                    }
                    on_uploaded.try_run(uploaded);
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                }
            }
        });
    };

    view! {
        <div class="card-body">
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="attachment-file">"Add a file"</label>
                    <input
                        id="attachment-file"
                        type="file"
                        accept=ACCEPT
                        aria-invalid=invalid(problem, "file")
                        node_ref=file_input
                    />
                    <FieldErrorView problem name="file" />
                </div>
                <div class="form-actions">
                    <button id="attachment-upload" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Uploading…" } else { "Upload" }}
                    </button>
                </div>
                <FormAlert problem fields=&["file"] />
            </form>
        </div>
    }
}
