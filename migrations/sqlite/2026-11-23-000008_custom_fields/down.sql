DROP TABLE lead_custom_values;
DROP TABLE custom_field_defs;
