DROP INDEX leads_search_trgm;
