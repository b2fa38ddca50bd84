//! A sales team's catalogue: products priced in several currencies, unique SKUs, versions, every
//! field error at once, deactivation and the recycle bin, price books with one default, and who may
//! read and change it.

use kith_client::{Client, ClientError};
use kith_domain::catalog::*;
use kith_domain::core::page::Page;
use kith_tests::TestApp;

fn price(currency: &str, unit_price: i64) -> Price {
    Price { currency: currency.into(), unit_price }
}

pub(crate) fn consulting(sku: &str, tax: Option<kith_domain::TaxCategoryId>) -> ProductInput {
    ProductInput {
        sku: sku.into(),
        name: "Onboarding workshop".into(),
        description: "A day on site with your team.".into(),
        unit: "day".into(),
        kind: ProductKind::Service,
        prices: vec![price("EUR", 120_000), price("USD", 130_000)],
        tax_category_id: tax,
        active: true,
    }
}

fn fields(e: ClientError) -> Vec<String> {
    match e {
        ClientError::Problem(p) => {
            assert_eq!(p.status, 422, "{p:?}");
            p.errors.into_iter().map(|e| e.field).collect()
        }
        other => panic!("expected a problem, got {other}"),
    }
}

async fn standard(admin: &Client) -> TaxCategoryView {
    admin
        .create_tax_category(&TaxCategoryInput { name: "Standard".into(), rate: 19_000, ..Default::default() })
        .await
        .expect("tax category")
}

#[tokio::test]
async fn a_product_keeps_a_price_per_currency_and_its_sku_once_per_organization() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let tax = standard(&admin).await;
    let made = admin.create_product(&consulting("WS-1", Some(tax.id))).await.expect("create");
    assert_eq!(made.version, 1);
    assert_eq!(made.prices, vec![price("EUR", 120_000), price("USD", 130_000)]);
    assert_eq!(made.tax_category_id, Some(tax.id));
    assert_eq!(admin.product(made.id).await.expect("get"), made);

    // The same SKU in another case is taken; another organization may use it.
    let err = admin.create_product(&consulting("ws-1", None)).await.expect_err("taken");
    assert_eq!(fields(err), vec!["sku"]);
    let (other, _) = app.signup("Other").await;
    other.create_product(&consulting("WS-1", None)).await.expect("another organization's own SKU");
    assert_eq!(other.product(made.id).await.expect_err("foreign").status(), Some(404));

    // A change needs the current version; prices are replaced as a whole.
    let mut change = consulting("WS-1", Some(tax.id));
    change.prices = vec![price("EUR", 110_000), price("JPY", 19_800), price("KWD", 45_500)];
    let changed = admin.update_product(made.id, 1, &change).await.expect("update");
    assert_eq!(changed.version, 2);
    assert_eq!(changed.prices, vec![price("EUR", 110_000), price("JPY", 19_800), price("KWD", 45_500)]);
    assert_eq!(admin.update_product(made.id, 1, &change).await.expect_err("stale").status(), Some(412));

    // Deleted: gone from reads, its SKU still taken (it can come back), restorable.
    admin.delete_product(made.id).await.expect("delete");
    assert_eq!(admin.product(made.id).await.expect_err("deleted").status(), Some(404));
    let err = admin.create_product(&consulting("WS-1", None)).await.expect_err("in the bin");
    match err {
        ClientError::Problem(p) => assert!(p.errors[0].message.contains("recycle bin"), "{p:?}"),
        other => panic!("{other}"),
    }
    let back = admin.restore_product(made.id).await.expect("restore");
    assert_eq!(back.prices, changed.prices);
}

#[tokio::test]
async fn every_field_error_comes_in_one_answer() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let input = ProductInput {
        sku: "has space".into(),
        name: " ".into(),
        unit: "hour".into(),
        prices: vec![price("EUR", 100), price("EUR", 200), price("XYZ", 1), price("USD", -5)],
        tax_category_id: Some(kith_domain::TaxCategoryId(uuid::Uuid::now_v7())),
        ..Default::default()
    };
    let err = admin.create_product(&input).await.expect_err("invalid");
    assert_eq!(
        fields(err),
        vec!["name", "prices[1].currency", "prices[2].currency", "prices[3].unit_price", "sku", "tax_category_id"]
    );
    let bad_tax = TaxCategoryInput { name: "".into(), rate: 100_001, ..Default::default() };
    assert_eq!(fields(admin.create_tax_category(&bad_tax).await.expect_err("invalid")), vec!["name", "rate"]);
    assert!(admin.products(&ProductListQuery::default()).await.expect("list").items.is_empty(), "nothing written");
}

#[tokio::test]
async fn the_list_pages_by_name_searches_name_and_sku_and_filters_inactive_products() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    for (sku, name) in [("HW-100", "Router"), ("HW-200", "Switch"), ("SW-1", "Firewall licence"), ("SV-9", "Install")] {
        admin.create_product(&ProductInput { name: name.into(), ..consulting(sku, None) }).await.expect("create");
    }
    let old = admin.create_product(&ProductInput { name: "Modem".into(), ..consulting("HW-050", None) }).await;
    let old = old.expect("create");
    let mut retired = ProductInput { name: "Modem".into(), ..consulting("HW-050", None) };
    retired.active = false;
    admin.update_product(old.id, old.version, &retired).await.expect("deactivate");

    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page: Page<ProductView> =
            admin.products(&ProductListQuery { limit: Some(2), cursor, ..Default::default() }).await.expect("page");
        names.extend(page.items.iter().map(|p| p.name.clone()));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names, ["Firewall licence", "Install", "Modem", "Router", "Switch"]);
    let q = |q: &str| ProductListQuery { q: Some(q.into()), sort: Some("sku".into()), ..Default::default() };
    let skus = |p: Page<ProductView>| p.items.into_iter().map(|p| p.sku).collect::<Vec<_>>();
    assert_eq!(skus(admin.products(&q("hw-")).await.expect("sku search")), ["HW-050", "HW-100", "HW-200"]);
    assert_eq!(skus(admin.products(&q("LICENCE")).await.expect("name search")), ["SW-1"]);
    let active = ProductListQuery { active: Some(true), ..Default::default() };
    assert_eq!(admin.products(&active).await.expect("active").items.len(), 4);
    let inactive = ProductListQuery { active: Some(false), ..Default::default() };
    assert_eq!(skus(admin.products(&inactive).await.expect("inactive")), ["HW-050"]);
    assert!(!admin.product(old.id).await.expect("still readable").active);
}

#[tokio::test]
async fn a_replayed_create_makes_one_product() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let token = admin.access_token().expect("token");
    let send = || {
        app.http()
            .post(app.url("/api/v1/products"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "create-ws-1")
            .json(&consulting("WS-1", None))
            .send()
    };
    let first = send().await.expect("send");
    assert_eq!(first.status().as_u16(), 201);
    let first: ProductView = first.json().await.expect("json");
    let again = send().await.expect("send");
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.json::<ProductView>().await.expect("json").id, first.id);
    assert_eq!(admin.products(&ProductListQuery::default()).await.expect("list").items.len(), 1);
}

#[tokio::test]
async fn reps_read_the_catalogue_only_admins_change_it_and_support_does_not_see_it() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let tax = standard(&admin).await;
    let p = admin.create_product(&consulting("WS-1", Some(tax.id))).await.expect("create");
    let (rep, _) = app.add_user(&admin, "sales", "Liam Rep").await;
    let (manager, _) = app.add_user(&admin, "manager", "Maya Manager").await;
    let (support, _) = app.add_user(&admin, "support", "Sam Support").await;
    assert_eq!(rep.product(p.id).await.expect("rep reads").sku, "WS-1");
    assert_eq!(rep.tax_categories().await.expect("rep reads taxes").len(), 1);
    for who in [&rep, &manager] {
        assert_eq!(who.create_product(&consulting("X-1", None)).await.expect_err("settings").status(), Some(403));
        assert_eq!(
            who.update_product(p.id, p.version, &consulting("WS-1", None)).await.expect_err("w").status(),
            Some(403)
        );
        assert_eq!(who.delete_product(p.id).await.expect_err("settings").status(), Some(403));
    }
    assert_eq!(support.products(&ProductListQuery::default()).await.expect_err("no pipeline").status(), Some(403));
    assert_eq!(support.price_books().await.expect_err("no pipeline").status(), Some(403));
}

#[tokio::test]
async fn a_price_book_overrides_prices_and_only_one_is_the_default() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Acme").await;
    let p = admin.create_product(&consulting("WS-1", None)).await.expect("create");
    let entry = |currency: &str, unit_price| PriceBookEntry { product_id: p.id, currency: currency.into(), unit_price };
    let partners = admin
        .create_price_book(&PriceBookInput {
            name: "Partners".into(),
            is_default: true,
            entries: vec![entry("EUR", 99_000)],
            ..Default::default()
        })
        .await
        .expect("book");
    assert_eq!(p.price_for(Some(&partners), "EUR"), Some(99_000));
    assert_eq!(p.price_for(Some(&partners), "USD"), Some(130_000), "the product's own price");
    let public = admin
        .create_price_book(&PriceBookInput { name: "Public sector".into(), is_default: true, ..Default::default() })
        .await
        .expect("book");
    let books = admin.price_books().await.expect("books");
    assert_eq!(books.iter().filter(|b| b.is_default).map(|b| b.id).collect::<Vec<_>>(), vec![public.id]);
    let partners = books.iter().find(|b| b.id == partners.id).expect("partners");
    assert_eq!(partners.version, 2, "losing the default mark is a change");
    // A deleted default book stops being the default, also after a restore.
    admin.delete_price_book(public.id).await.expect("delete");
    assert!(admin.price_books().await.expect("books").iter().all(|b| !b.is_default));
    let back = admin.request(reqwest::Method::POST, &format!("/api/v1/price-books/{}/restore", public.id));
    let back: PriceBookView = back.send().await.expect("restore").json().await.expect("json");
    assert!(!back.is_default);

    let unknown = PriceBookEntry { product_id: kith_domain::ProductId(uuid::Uuid::now_v7()), ..entry("EUR", 1) };
    let bad = PriceBookInput {
        name: "Bad".into(),
        entries: vec![entry("EUR", 1), entry("EUR", 2), unknown],
        ..Default::default()
    };
    assert_eq!(
        fields(admin.create_price_book(&bad).await.expect_err("invalid")),
        vec!["entries[1].currency", "entries[2].product_id"]
    );
}
