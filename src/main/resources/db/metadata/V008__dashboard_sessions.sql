-- Signed-in dashboard sessions. The cookie holds a random token; only its hash is kept, with the
-- user it signs in and the CSRF token the session's writes must echo. Sign-out, and removing the
-- user, delete the row.
CREATE TABLE dashboard_sessions (
  token_hash      VARCHAR(64)  PRIMARY KEY,
  user_id         VARCHAR(64)  NOT NULL,
  csrf_token      VARCHAR(64)  NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  expires_at      TIMESTAMP    NOT NULL
);
