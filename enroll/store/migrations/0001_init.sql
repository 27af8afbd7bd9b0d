-- The whole state of accountd. Written in the SQL that SQLite and PostgreSQL
-- both accept: TEXT and BIGINT columns only, times as Unix milliseconds with
-- 0 meaning "not set", so that the same statements run on both.

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    email_verified_at   BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    trade_name          TEXT NOT NULL DEFAULT '',
    country             TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    birth_date          TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    closed_at           BIGINT NOT NULL DEFAULT 0,
    deletion_at         BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX users_deletion_at ON users (deletion_at);

CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    token_hash       TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL,
    aal              BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    privileged_until BIGINT NOT NULL DEFAULT 0,
    user_agent       TEXT NOT NULL DEFAULT '',
    ip               TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user_id ON sessions (user_id);

-- One pending one-time code per user and purpose; a resend replaces it.
CREATE TABLE codes (
    user_id    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    salt       TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    attempts   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Wrong-guess counters per user and factor, shared by every instance.
CREATE TABLE guesses (
    user_id      TEXT NOT NULL,
    factor       TEXT NOT NULL,
    failures     BIGINT NOT NULL DEFAULT 0,
    lockouts     BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, factor)
);

-- Second factors. kind is totp, email or sms; confirmed_at 0 means pending.
CREATE TABLE factors (
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    secret       TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE backup_codes (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    salt       TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX backup_codes_user_id ON backup_codes (user_id);

-- The dev outbox: every message a --dev service "sent".
CREATE TABLE outbox (
    seq      BIGINT NOT NULL,
    id       TEXT PRIMARY KEY,
    channel  TEXT NOT NULL,
    to_addr  TEXT NOT NULL,
    subject  TEXT NOT NULL,
    body     TEXT NOT NULL,
    sent_at  BIGINT NOT NULL
);

CREATE INDEX outbox_seq ON outbox (seq);
