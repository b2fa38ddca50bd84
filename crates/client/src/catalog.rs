//! Catalogue: products and services, tax categories, price books.

use kith_domain::catalog::*;

use super::*;

impl Client {
    // ---- products ----

    pub async fn products(&self, q: &ProductListQuery) -> Result<Page<ProductView>> {
        self.get("/api/v1/products", q).await
    }
    pub async fn product(&self, id: ProductId) -> Result<ProductView> {
        self.get(&format!("/api/v1/products/{id}"), &()).await
    }
    pub async fn create_product(&self, p: &ProductInput) -> Result<ProductView> {
        self.post("/api/v1/products", p).await
    }
    pub async fn update_product(&self, id: ProductId, version: i64, p: &ProductInput) -> Result<ProductView> {
        self.patch(&format!("/api/v1/products/{id}"), version, p).await
    }
    pub async fn delete_product(&self, id: ProductId) -> Result<()> {
        self.delete(&format!("/api/v1/products/{id}")).await
    }
    pub async fn restore_product(&self, id: ProductId) -> Result<ProductView> {
        self.post(&format!("/api/v1/products/{id}/restore"), &()).await
    }

    // ---- tax categories ----

    pub async fn tax_categories(&self) -> Result<Vec<TaxCategoryView>> {
        self.get("/api/v1/tax-categories", &()).await
    }
    pub async fn create_tax_category(&self, t: &TaxCategoryInput) -> Result<TaxCategoryView> {
        self.post("/api/v1/tax-categories", t).await
    }
    pub async fn update_tax_category(
        &self,
        id: TaxCategoryId,
        version: i64,
        t: &TaxCategoryInput,
    ) -> Result<TaxCategoryView> {
        self.patch(&format!("/api/v1/tax-categories/{id}"), version, t).await
    }
    pub async fn delete_tax_category(&self, id: TaxCategoryId) -> Result<()> {
        self.delete(&format!("/api/v1/tax-categories/{id}")).await
    }

    // ---- price books ----

    pub async fn price_books(&self) -> Result<Vec<PriceBookView>> {
        self.get("/api/v1/price-books", &()).await
    }
    pub async fn create_price_book(&self, b: &PriceBookInput) -> Result<PriceBookView> {
        self.post("/api/v1/price-books", b).await
    }
    pub async fn update_price_book(&self, id: PriceBookId, version: i64, b: &PriceBookInput) -> Result<PriceBookView> {
        self.patch(&format!("/api/v1/price-books/{id}"), version, b).await
    }
    pub async fn delete_price_book(&self, id: PriceBookId) -> Result<()> {
        self.delete(&format!("/api/v1/price-books/{id}")).await
    }
}
