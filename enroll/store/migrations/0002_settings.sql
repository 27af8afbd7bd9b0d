-- Settings of the deployment that live with the data: for now the check
-- value of the key that seals TOTP keys (see service.Config.SecretKey).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
