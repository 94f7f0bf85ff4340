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
    tail       TEXT NOT NULL,
    mtime_ms   REAL NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 2: review triage runs and the agents each one weighed, for the estimate-vs-measured report.
  `
  CREATE TABLE triage_runs (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    sprint_id        TEXT REFERENCES sprints (id),
    phase            TEXT,
    input_type       TEXT NOT NULL,
    budget_key       TEXT NOT NULL,
    type_budget      INTEGER NOT NULL CHECK (type_budget >= 0),
    sprint_remaining INTEGER CHECK (sprint_remaining IS NULL OR sprint_remaining >= 0),
    budget           INTEGER NOT NULL CHECK (budget >= 0),
    slicing          INTEGER NOT NULL,
    launch_all       INTEGER NOT NULL
  );
  CREATE INDEX triage_runs_at ON triage_runs (at, id);

  CREATE TABLE triage_agents (
    run_id     INTEGER NOT NULL REFERENCES triage_runs (id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    agent_type TEXT NOT NULL,
    stage      INTEGER NOT NULL CHECK (stage IN (1, 2)),
    score      REAL NOT NULL,
    kind       TEXT NOT NULL,
    estimate   INTEGER NOT NULL CHECK (estimate >= 0),
    basis      TEXT NOT NULL CHECK (basis IN ('default', 'measured')),
    runs       INTEGER NOT NULL,
    sliced     INTEGER NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('selected', 'deferred')),
    reason     TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
  );
  `,
  // 3: what prices a record (cache writes by lifetime, fast mode), and changes to the project's
  // configuration (calibrated tier budgets), each with its reason.
  `
  ALTER TABLE usage ADD COLUMN cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_5m_tokens >= 0);
  ALTER TABLE usage ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_1h_tokens >= 0);
  ALTER TABLE usage ADD COLUMN fast INTEGER NOT NULL DEFAULT 0 CHECK (fast IN (0, 1));

  CREATE TABLE config_changes (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    key    TEXT NOT NULL,
    before TEXT,
    after  TEXT,
    reason TEXT NOT NULL
  );
  `,
  // 4: spend controls. A sprint's own control settings (create options); reservations of dispatched
  // subagents' estimates, one per Agent tool use, open until settled, released or expired.
  `
  ALTER TABLE sprints ADD COLUMN controls TEXT NOT NULL DEFAULT '{}';

  CREATE TABLE reservations (
    tool_use_id TEXT PRIMARY KEY,
    sprint_id   TEXT NOT NULL REFERENCES sprints (id),
    session_id  TEXT NOT NULL,
    phase       TEXT NOT NULL,
    agent_type  TEXT NOT NULL,
    tokens      INTEGER NOT NULL CHECK (tokens >= 0),
    at          INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'settled', 'released', 'expired')),
    closed_at   INTEGER,
    reason      TEXT
  );
  CREATE INDEX reservations_sprint ON reservations (sprint_id, state);
  CREATE INDEX reservations_session ON reservations (session_id, state);
  `,
  // 5: a stopped or done sprint counts nothing more (its sessions detached when it stopped);
  // keys of recorded figures are per sprint and source; billing tokens known only as a total;
  // the name each subagent was dispatched under, so its runs can be told from others of its type.
  `
  UPDATE sessions SET detached_at = MAX(attached_at, (SELECT s.updated_at FROM sprints s WHERE s.id = sessions.sprint_id))
  WHERE detached_at IS NULL AND sprint_id IN (SELECT id FROM sprints WHERE status <> 'active');

  UPDATE OR IGNORE usage SET key = 'record:' || sprint_id || ':' || source || ':' || key
  WHERE kind = 'report' AND sprint_id IS NOT NULL AND origin = 'record:' || source || ':' || key;

  ALTER TABLE usage ADD COLUMN total_tokens INTEGER NOT NULL DEFAULT 0 CHECK (total_tokens >= 0);

  CREATE TABLE agents (
    agent_id    TEXT PRIMARY KEY,
    session_id  TEXT,
    agent_type  TEXT NOT NULL,
    name        TEXT,
    description TEXT,
    tool_use_id TEXT
  );
  CREATE INDEX agents_name ON agents (name) WHERE name IS NOT NULL;
  `,
  // 6: what could not be read (a transcript file, line 0, or one line of it), and token counts bounded
  // (domain/tokens.ts MAX_COUNT): rows out of range, stored before the bound, are moved out into notes.
  `
  CREATE TABLE unread (
    path        TEXT NOT NULL,
    line        INTEGER NOT NULL CHECK (line >= 0),
    reason      TEXT NOT NULL,
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    reported_at INTEGER,
    PRIMARY KEY (path, line)
  );

  -- A transcript row's origin is <path>:<line>: noted as that line of that file; any other row by its origin.
  INSERT OR REPLACE INTO unread (path, line, reason, first_at, last_at)
    SELECT
      CASE WHEN source = 'transcript' THEN substr(origin, 1, length(rtrim(origin, '0123456789')) - 1) ELSE origin END,
      CASE WHEN source = 'transcript' THEN CAST(substr(origin, length(rtrim(origin, '0123456789')) + 1) AS INTEGER) ELSE 0 END,
      'usage counts out of range (input ' || input_tokens || ', output ' || output_tokens || ', cache read ' || cache_read_tokens
        || ', cache write ' || cache_write_tokens || ' (5m ' || cache_write_5m_tokens || ', 1h ' || cache_write_1h_tokens
        || '), total ' || total_tokens || '; at most 1000000000 each): removed from the ledger',
      ts, ts
    FROM usage
    WHERE input_tokens > 1000000000 OR output_tokens > 1000000000 OR cache_read_tokens > 1000000000 OR cache_write_tokens > 1000000000 OR cache_write_5m_tokens > 1000000000 OR cache_write_1h_tokens > 1000000000 OR total_tokens > 1000000000;
  DELETE FROM usage
    WHERE input_tokens > 1000000000 OR output_tokens > 1000000000 OR cache_read_tokens > 1000000000 OR cache_write_tokens > 1000000000 OR cache_write_5m_tokens > 1000000000 OR cache_write_1h_tokens > 1000000000 OR total_tokens > 1000000000;

  -- The bound as the table's own check (cheaper per insert than a trigger): the table is made again.
  CREATE TABLE usage_bounded (
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
    input_tokens          INTEGER NOT NULL,
    output_tokens         INTEGER NOT NULL,
    cache_read_tokens     INTEGER NOT NULL,
    cache_write_tokens    INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
    fast         INTEGER NOT NULL DEFAULT 0 CHECK (fast IN (0, 1)),
    total_tokens          INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT usage_counts_bounded CHECK (
      input_tokens BETWEEN 0 AND 1000000000 AND output_tokens BETWEEN 0 AND 1000000000
      AND cache_read_tokens BETWEEN 0 AND 1000000000 AND cache_write_tokens BETWEEN 0 AND 1000000000
      AND cache_write_5m_tokens BETWEEN 0 AND 1000000000 AND cache_write_1h_tokens BETWEEN 0 AND 1000000000
      AND total_tokens BETWEEN 0 AND 1000000000)
  );
  INSERT INTO usage_bounded (key, kind, source, session_id, sprint_id, phase, agent_id, agent_type, model, ts,
      input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, origin, cache_write_5m_tokens,
      cache_write_1h_tokens, fast, total_tokens)
    SELECT key, kind, source, session_id, sprint_id, phase, agent_id, agent_type, model, ts,
      input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, origin, cache_write_5m_tokens,
      cache_write_1h_tokens, fast, total_tokens
    FROM usage;
  DROP TABLE usage;
  ALTER TABLE usage_bounded RENAME TO usage;
  CREATE INDEX usage_session ON usage (session_id, ts) WHERE session_id IS NOT NULL;
  CREATE INDEX usage_agent ON usage (agent_id) WHERE agent_id IS NOT NULL;
  CREATE INDEX usage_sprint ON usage (sprint_id) WHERE sprint_id IS NOT NULL;
  CREATE INDEX usage_agent_type ON usage (agent_type, kind);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
