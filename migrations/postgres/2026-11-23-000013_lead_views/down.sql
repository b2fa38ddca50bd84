DROP TABLE lead_views;
