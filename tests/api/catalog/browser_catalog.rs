//! The catalogue in the browser: an admin creates a product with a price in euros and one in
//! dollars (each amount shown formatted as it is typed) and sees the price preview compute net, tax
//! and total with the domain's totals function; a rep finds it by SKU and previews it too.

use kith_domain::catalog::{ProductListQuery, TaxCategoryInput};
use kith_tests::TestApp;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::browser::{
    assert_quiet_console, click, eventually, fill, in_browser, log_in, skip_without_browser, wait_for, wait_for_text,
};

async fn choose(driver: &WebDriver, css: &str, text: &str) {
    let select = wait_for(driver, css).await;
    for _ in 0..100 {
        let options = select.find_all(By::Css("option")).await.unwrap_or_default();
        let mut found = false;
        for option in options {
            if option.text().await.unwrap_or_default() == text {
                found = true;
            }
        }
        if found {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    SelectElement::new(&select)
        .await
        .expect("a select")
        .select_by_visible_text(text)
        .await
        .unwrap_or_else(|e| panic!("choose {text} in {css}: {e}"));
}

async fn text_of(driver: &WebDriver, css: &str) -> String {
    wait_for(driver, css).await.text().await.unwrap_or_default()
}

#[tokio::test]
async fn an_admin_creates_a_product_with_two_prices_and_sees_the_price_preview() {
    if skip_without_browser() {
        return;
    }
    let app = TestApp::spawn().await;
    let (admin, admin_me) = app.signup("Northwind").await;
    admin
        .create_tax_category(&TaxCategoryInput { name: "Standard VAT".into(), rate: 19_000, ..Default::default() })
        .await
        .expect("tax");
    let (_, liam_me) = app.add_user(&admin, "sales", "Liam Rep").await;

    in_browser(async |driver: &WebDriver| {
        log_in(driver, &app, &admin_me.user.email).await;
        driver.goto(app.url("/catalog/products")).await.expect("open the catalogue");
        wait_for_text(driver, &["Products", "No products"], "the empty catalogue").await;
        click(driver, "#product-new").await;
        fill(driver, "#product-sku", "WS-1").await;
        fill(driver, "#product-name", "Onboarding workshop").await;
        fill(driver, "#product-unit", "day").await;
        choose(driver, "#product-tax", "Standard VAT (19%)").await;
        fill(driver, "#product-price-amount-0", "1234.5").await;
        eventually("the euro price is shown formatted", || async {
            text_of(driver, "[data-testid=price-formatted]").await == "€1,234.50"
        })
        .await;
        click(driver, "#product-add-price").await;
        choose(driver, "#product-price-currency-1", "USD").await;
        fill(driver, "#product-price-amount-1", "1,390").await;

        // The preview: 2 days at €1,234.50 with 10% off = €2,222.10 net, 19% tax €422.20.
        fill(driver, "#preview-quantity", "2").await;
        fill(driver, "#preview-discount", "10").await;
        eventually("the preview computes", || async {
            text_of(driver, "[data-testid=totals-net]").await == "€2,222.10"
        })
        .await;
        assert_eq!(text_of(driver, "[data-testid=totals-tax]").await, "€422.20");
        assert_eq!(text_of(driver, "[data-testid=totals-gross]").await, "€2,644.30");
        choose(driver, "#preview-currency", "USD").await;
        eventually("the preview in dollars", || async {
            text_of(driver, "[data-testid=totals-gross]").await == "$2,977.38"
        })
        .await;

        click(driver, "#product-save").await;
        wait_for_text(driver, &["Onboarding workshop saved"], "the toast").await;
        let saved = admin.products(&ProductListQuery::default()).await.expect("list").items;
        assert_eq!(saved.len(), 1);
        let prices: Vec<_> = saved[0].prices.iter().map(|p| (p.currency.as_str(), p.unit_price)).collect();
        assert_eq!(prices, vec![("EUR", 123_450), ("USD", 139_000)]);
        wait_for_text(driver, &["€1,234.50 · $1,390.00"], "the list shows both prices").await;
        assert_quiet_console(driver, "creating a product").await;

        // A rep finds it by SKU and previews it (no form: he may not change the catalogue).
        driver.delete_all_cookies().await.expect("sign out");
        log_in(driver, &app, &liam_me.user.email).await;
        driver.goto(app.url("/catalog/products")).await.expect("open the catalogue");
        fill(driver, "#product-search", "ws-").await;
        click(driver, "[data-testid=product-open]").await;
        fill(driver, "#preview-quantity", "3").await;
        eventually("the rep's preview", || async {
            text_of(driver, "[data-testid=totals-gross]").await == "€4,407.17"
        })
        .await;
        assert!(driver.find_all(By::Css("#product-new, #product-save")).await.map(|e| e.is_empty()).unwrap_or(false));
        assert_quiet_console(driver, "a rep previews a price").await;
    })
    .await;
}
