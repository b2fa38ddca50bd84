//! The code to paste into a website, for a saved form: a plain HTML form, or a script that renders
//! the form in place.

use kith_domain::leads::webforms::WebFormEmbed;
use kith_domain::WebFormId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_client;
use crate::components::copy::CopyButton;
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Html,
    Script,
}

/// Loaded at first and again whenever `refresh` changes (after each save).
#[component]
pub fn EmbedPanel(id: WebFormId, refresh: RwSignal<u64>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let embed = RwSignal::new(None::<WebFormEmbed>);
    let failed = RwSignal::new(false);
    let tab = RwSignal::new(Tab::Html);

    Effect::new(move |_| {
        refresh.track();
        let client = client.clone();
        spawn_local(async move {
            match client.web_form_embed(id).await {
                Ok(found) => {
                    failed.try_set(false);
                    embed.try_set(Some(found));
                }
                Err(error) => {
                    failed.try_set(true);
                    toaster.error(&error);
                }
            }
        });
    });

    let tab_button = move |which: Tab, id: &'static str, label: &'static str| {
        view! {
            <button
                id=id
                type="button"
                role="tab"
                class="tab"
                class:active=move || tab.get() == which
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {label}
            </button>
        }
    };

    let body = move || {
        match embed.get() {
        None if failed.get() => {
            view! { <EmptyState title="The embed code could not be loaded" text="Reload the page to try again." /> }
                .into_any()
        }
        None => view! { <Loading /> }.into_any(),
        Some(embed) => view! {
            <div class="tabs" role="tablist" aria-label="Embed code">
                {tab_button(Tab::Html, "embed-tab-html", "HTML")} {tab_button(Tab::Script, "embed-tab-script", "Script")}
            </div>
            <div class="stack-sm" role="tabpanel" hidden=move || tab.get() != Tab::Html>
                <p class="card-text">
                    "A plain HTML form that works without JavaScript. After sending, visitors see the thank-you page or go to your redirect address."
                </p>
                <textarea id="embed-html" class="code" readonly rows="12" aria-label="HTML embed code" prop:value=embed.html.clone()></textarea>
                <div>
                    <CopyButton value=embed.html id="embed-html-copy" />
                </div>
            </div>
            <div class="stack-sm" role="tabpanel" hidden=move || tab.get() != Tab::Script>
                <p class="card-text">
                    "Draws the form where you paste it and sends it without leaving the page. Add the website under “Allowed websites” first."
                </p>
                <textarea id="embed-script" class="code" readonly rows="4" aria-label="Script embed code" prop:value=embed.script.clone()></textarea>
                <div>
                    <CopyButton value=embed.script id="embed-script-copy" />
                </div>
            </div>
            <p class="muted small">"Submissions go to " <code>{embed.action_url}</code></p>
        }
        .into_any(),
    }
    };

    view! {
        <section class="card" id="embed-panel">
            <div class="card-header">
                <div>
                    <h2>"Embed code"</h2>
                    <p class="card-text">"Paste one of these into your website's page."</p>
                </div>
            </div>
            <div class="card-body stack-sm">{body}</div>
        </section>
    }
}
