-- The catalogue: tax categories (one rate each), products and services with a price per
-- currency, and price books whose entries override a product's price per currency.
-- Money is BIGINT minor units beside an ISO 4217 code; rates are thousandths of a percent.
CREATE TABLE tax_categories (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    rate BIGINT NOT NULL,
    inclusive BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX tax_categories_org ON tax_categories (org_id, name, id);

CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    sku TEXT NOT NULL,
    -- The SKU folded to lower case: unique per organization, recycle bin included.
    sku_key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    tax_category_id TEXT REFERENCES tax_categories (id),
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX products_sku ON products (org_id, sku_key);
CREATE INDEX products_name ON products (org_id, name, id);

CREATE TABLE product_prices (
    product_id TEXT NOT NULL REFERENCES products (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    currency TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    PRIMARY KEY (product_id, currency)
);

CREATE TABLE price_books (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX price_books_org ON price_books (org_id, name, id);

CREATE TABLE price_book_entries (
    price_book_id TEXT NOT NULL REFERENCES price_books (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    currency TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    PRIMARY KEY (price_book_id, product_id, currency)
);
CREATE INDEX price_book_entries_product ON price_book_entries (product_id);
