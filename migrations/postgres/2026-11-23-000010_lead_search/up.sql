-- Search index for leads: a trigram GIN index over leads.search_text, so that a search for a name, email,
-- company or phone fragment of three or more characters (LIKE '%fragment%') is an index lookup, not a table
-- scan. pg_trgm ships with PostgreSQL and is a trusted extension: the database owner may create it.
-- SQLite gets the same behaviour from an FTS5 trigram table (see the SQLite migration of the same name).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX leads_search_trgm ON leads USING gin (search_text gin_trgm_ops);
