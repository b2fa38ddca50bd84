//! The recycle bin (`/settings/recycle-bin`): every kind of deleted record, newest first, each
//! restorable for 30 days through its kind's own restore operation.

use kith_domain::core::page::PageQuery;
use kith_domain::core::recycle::RecycleBinItem;
use leptos::prelude::*;

use crate::components::table::{LoadMore, Paged, StatusRow, TableHead};
use crate::components::toast::use_toaster;
use crate::data::Save;
use crate::{format, registry};

const COLUMNS: &[(&str, &str)] =
    &[("Item", ""), ("Type", ""), ("Deleted", ""), ("Removed for good on", ""), ("", "actions")];

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    let toaster = use_toaster();
    let bin =
        Paged::of(
            |client, cursor| async move { client.recycle_bin(&PageQuery { cursor, ..Default::default() }).await },
        );

    let restore = Save::new(
        |client, item: RecycleBinItem| async move { client.restore_from_bin(&item).await.map(|()| item) },
        move |item: RecycleBinItem| {
            let title = format!("{} {} restored", format::entity_label(&item.entity), item.label);
            match registry::record_href(&item.entity, &item.entity_id) {
                Some(href) => toaster.success_with_link(title, "Open", href),
                None => toaster.success(title),
            }
            bin.remove(|i| i.entity == item.entity && i.entity_id == item.entity_id);
        },
    );

    let rows = move || {
        bin.items
            .get()
            .into_iter()
            .map(|item| {
                let kind = format::entity_label(&item.entity);
                let deleted = format::date(item.deleted_at);
                let purge = format::date(item.purge_at);
                let label = item.label.clone();
                view! {
                    <tr data-testid="bin-item">
                        <td>{label}</td>
                        <td>
                            <span class="badge">{kind}</span>
                        </td>
                        <td class="muted">{deleted}</td>
                        <td class="muted">{purge}</td>
                        <td class="actions">
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm"
                                data-testid="bin-restore"
                                disabled=move || restore.busy()
                                on:click=move |_| restore.dispatch(item.clone())
                            >
                                "Restore"
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Recycle bin"</h2>
                    <p class="card-text">
                        "Deleted records of every kind stay here for 30 days before they are removed for good."
                    </p>
                </div>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <TableHead columns=COLUMNS />
                    <tbody>
                        {rows}
                        <StatusRow
                            paged=bin
                            columns=5
                            empty_title="The recycle bin is empty"
                            empty_text="Whatever is deleted comes here first."
                        />
                    </tbody>
                </table>
            </div>
            <LoadMore paged=bin />
        </section>
    }
}
