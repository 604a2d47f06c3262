-- Accounts, users, keys and media. Plain SQL types and constraints only: the same tables go to
-- PostgreSQL when several nodes share them. No foreign keys: DuckDB refuses updates to rows that
-- other tables reference, and every write here goes through AccountAdmin, which checks the owner.
CREATE TABLE accounts (
  account_key     VARCHAR(40)  PRIMARY KEY,
  name            VARCHAR(200) NOT NULL,
  time_zone       VARCHAR(64)  NOT NULL,
  retention_days  INTEGER      NOT NULL,
  state           VARCHAR(16)  NOT NULL,
  created_at      TIMESTAMP    NOT NULL
);

-- Users sign in by email, so an email names one user across the installation.
CREATE TABLE users (
  user_id         VARCHAR(36)  PRIMARY KEY,
  account_key     VARCHAR(40)  NOT NULL,
  email           VARCHAR(254) NOT NULL UNIQUE,
  password_hash   VARCHAR(100) NOT NULL,
  role            VARCHAR(16)  NOT NULL,
  operator        BOOLEAN      NOT NULL,
  created_at      TIMESTAMP    NOT NULL
);

-- The media a user is limited to; none means the whole account.
CREATE TABLE user_media (
  user_id         VARCHAR(36)  NOT NULL,
  media_id        VARCHAR(64)  NOT NULL,
  PRIMARY KEY (user_id, media_id)
);

-- Secret API keys: only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
  key_id          VARCHAR(32)  PRIMARY KEY,
  account_key     VARCHAR(40)  NOT NULL,
  environment     VARCHAR(16)  NOT NULL,
  secret_hash     VARCHAR(64)  NOT NULL UNIQUE,
  hint            VARCHAR(16)  NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  revoked_at      TIMESTAMP
);

-- Public player keys; allowed_origins is a JSON array of origins (empty: any origin).
CREATE TABLE player_keys (
  player_key      VARCHAR(64)  PRIMARY KEY,
  account_key     VARCHAR(40)  NOT NULL,
  environment     VARCHAR(16)  NOT NULL,
  allowed_origins VARCHAR      NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  revoked_at      TIMESTAMP
);

-- Single-use refresh tokens (hashed) for api.video-style bearer authentication.
CREATE TABLE refresh_tokens (
  token_hash      VARCHAR(64)  PRIMARY KEY,
  key_id          VARCHAR(32)  NOT NULL,
  expires_at      TIMESTAMP    NOT NULL
);

-- Installation-wide secrets (the access-token signing key), shared by every node.
CREATE TABLE installation_secrets (
  name            VARCHAR(64)  PRIMARY KEY,
  secret          VARCHAR(128) NOT NULL
);

-- tags is a JSON array of strings.
CREATE TABLE media (
  account_key     VARCHAR(40)  NOT NULL,
  environment     VARCHAR(16)  NOT NULL,
  media_id        VARCHAR(64)  NOT NULL,
  name            VARCHAR,
  duration        DOUBLE PRECISION,
  media_type      VARCHAR(16)  NOT NULL,
  tags            VARCHAR      NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  PRIMARY KEY (account_key, environment, media_id)
);
