DROP TABLE price_book_entries;
DROP TABLE price_books;
DROP TABLE product_prices;
DROP TABLE products;
DROP TABLE tax_categories;
