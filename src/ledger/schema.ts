/**
 * The ledger's schema, as numbered migrations (`PRAGMA user_version`). A migration is applied once,
 * inside an IMMEDIATE transaction, after a backup copy of the ledger it changes.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: sprints, their events, artifacts, sessions, usage records, transcript cursors.
  `
  CREATE TABLE sprints (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    project           TEXT NOT NULL,
    phases            TEXT NOT NULL,
    phase             TEXT NOT NULL,
    complexity        INTEGER NOT NULL CHECK (complexity BETWEEN 1 AND 5),
    complexity_source TEXT NOT NULL,
    token_budget      INTEGER CHECK (token_budget IS NULL OR token_budget > 0),
    warn_pct          INTEGER NOT NULL CHECK (warn_pct BETWEEN 1 AND 99),
    auto_advance      INTEGER NOT NULL DEFAULT 1,
    gates             TEXT NOT NULL DEFAULT '{}',
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stopped', 'done')),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  );
  CREATE INDEX sprints_status ON sprints (status, created_at);

  CREATE TABLE sprint_events (
    id         INTEGER PRIMARY KEY,
    sprint_id  TEXT NOT NULL REFERENCES sprints (id),
    kind       TEXT NOT NULL,
    from_phase TEXT,
    to_phase   TEXT,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    detail     TEXT
  );
  CREATE INDEX sprint_events_sprint ON sprint_events (sprint_id, at, id);

  CREATE TABLE artifacts (
    sprint_id TEXT NOT NULL REFERENCES sprints (id),
    type      TEXT NOT NULL,
    path      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (sprint_id, type)
  );

  CREATE TABLE sessions (
    session_id      TEXT NOT NULL,
    sprint_id       TEXT NOT NULL REFERENCES sprints (id),
    attached_at     INTEGER NOT NULL,
    detached_at     INTEGER,
    transcript_path TEXT,
    via             TEXT NOT NULL,
    PRIMARY KEY (session_id, attached_at)
  );
  CREATE INDEX sessions_sprint ON sessions (sprint_id);

  CREATE TABLE usage (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('response', 'summary', 'report')),
    source       TEXT NOT NULL,
    session_id   TEXT,
    sprint_id    TEXT REFERENCES sprints (id),
    phase        TEXT,
    agent_id     TEXT,
    agent_type   TEXT NOT NULL,
    model        TEXT,
    ts           INTEGER NOT NULL,
    input_tokens       INTEGER NOT NULL CHECK (input_tokens >= 0),
    output_tokens      INTEGER NOT NULL CHECK (output_tokens >= 0),
    cache_read_tokens  INTEGER NOT NULL CHECK (cache_read_tokens >= 0),
    cache_write_tokens INTEGER NOT NULL CHECK (cache_write_tokens >= 0),
    origin       TEXT NOT NULL
  );
  CREATE INDEX usage_session ON usage (session_id, ts) WHERE session_id IS NOT NULL;
  CREATE INDEX usage_agent ON usage (agent_id) WHERE agent_id IS NOT NULL;
  CREATE INDEX usage_sprint ON usage (sprint_id) WHERE sprint_id IS NOT NULL;
  CREATE INDEX usage_agent_type ON usage (agent_type, kind);

  CREATE TABLE cursors (
    path       TEXT PRIMARY KEY,
    dev        INTEGER NOT NULL,
    ino        INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    offset     INTEGER NOT NULL,
    lines      INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
