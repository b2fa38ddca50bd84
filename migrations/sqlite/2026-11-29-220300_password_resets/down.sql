DROP TABLE password_reset_requests;
DROP TABLE password_resets;
