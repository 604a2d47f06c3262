-- Projects: named groups of an account's media (Wistia's projects). media is a JSON array of
-- media ids, as media.tags holds its tags.
CREATE TABLE projects (
  account_key     VARCHAR(40)  NOT NULL,
  project_id      VARCHAR(64)  NOT NULL,
  name            VARCHAR      NOT NULL,
  media           VARCHAR      NOT NULL,
  created_at      TIMESTAMP    NOT NULL,
  PRIMARY KEY (account_key, project_id)
);
