-- Signed-in dashboard sessions. The cookie holds a random token; only its hash is kept, with the
-- CSRF token the session's forms and writes must echo. Sign-out deletes the row.
CREATE TABLE dashboard_sessions (
  token_hash      VARCHAR(64)  PRIMARY KEY,
  user_email      VARCHAR      NOT NULL,
  csrf_token      VARCHAR(64)  NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  expires_at      TIMESTAMP    NOT NULL
);
