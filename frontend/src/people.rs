//! The organization's members (the directory every role may read), loaded once when a page first
//! needs names or an owner picker.

use kith_client::Client;
use kith_domain::core::page::{PageQuery, MAX_LIMIT};
use kith_domain::identity::PersonView;
use kith_domain::{TeamId, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::toast::Toaster;

#[derive(Clone, Copy)]
pub struct People {
    pub users: RwSignal<Vec<PersonView>>,
    /// True once the list arrived, to tell "still loading" from "no such user".
    pub loaded: RwSignal<bool>,
    requested: StoredValue<bool>,
    client: StoredValue<Client>,
    toaster: Toaster,
}

impl People {
    /// Provided by the signed-in shell, so a new sign-in starts with a fresh list.
    pub fn provide(client: Client, toaster: Toaster) -> People {
        let people = People {
            users: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            requested: StoredValue::new(false),
            client: StoredValue::new(client),
            toaster,
        };
        provide_context(people);
        people
    }

    /// Load the users, unless that already happened or is under way.
    pub fn ensure(self) {
        if self.requested.get_value() {
            return;
        }
        self.requested.set_value(true);
        let client = self.client.get_value();
        spawn_local(async move {
            let mut users = Vec::new();
            let mut cursor = None;
            loop {
                let query = PageQuery { limit: Some(MAX_LIMIT), cursor };
                match client.list_people(&query).await {
                    Ok(page) => {
                        users.extend(page.items);
                        cursor = page.next_cursor;
                    }
                    Err(error) => {
                        // The next page that needs names tries again.
                        self.requested.try_set_value(false);
                        self.toaster.error(&error);
                        return;
                    }
                }
                if cursor.is_none() {
                    break;
                }
            }
            self.users.try_set(users);
            self.loaded.try_set(true);
        });
    }

    /// The user's name, if known; tracks the list.
    pub fn find(self, id: UserId) -> Option<String> {
        self.users.with(|users| users.iter().find(|u| u.id == id).map(|u| u.name.clone()))
    }

    /// The user's name, if known (untracked: for event handlers).
    pub fn find_untracked(self, id: UserId) -> Option<String> {
        self.users.with_untracked(|users| users.iter().find(|u| u.id == id).map(|u| u.name.clone()))
    }

    /// The user's team, as known now (untracked: for event handlers).
    pub fn team_untracked(self, id: UserId) -> Option<TeamId> {
        self.users.with_untracked(|users| users.iter().find(|u| u.id == id).and_then(|u| u.team_id))
    }

    /// The user's name, "…" while loading, or "Unknown user"; tracks the list.
    pub fn name(self, id: UserId) -> String {
        self.find(id).unwrap_or_else(|| if self.loaded.get() { "Unknown user" } else { "…" }.to_owned())
    }

    /// The name for a user id given as text (audit and timeline values); tracks the list.
    pub fn name_of(self, id: &str) -> Option<String> {
        id.parse::<UserId>().ok().and_then(|id| self.find(id))
    }
}

pub fn use_people() -> People {
    expect_context::<People>()
}

/// `<option>`s for every user who may own leads (disabled ones marked, people whose role cannot work
/// with leads offered only when already chosen), choosing the one `selected` returns.
pub fn user_options(
    people: People,
    selected: impl Fn() -> Option<UserId> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        people
            .users
            .get()
            .into_iter()
            .filter(|user| user.can_own_leads || selected() == Some(user.id))
            .map(|user| {
                let id = user.id;
                let label = if user.active { user.name } else { format!("{} (disabled)", user.name) };
                view! {
                    <option value=id.to_string() selected=move || selected() == Some(id)>
                        {label}
                    </option>
                }
            })
            .collect_view()
    }
}
