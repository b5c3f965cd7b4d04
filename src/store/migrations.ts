/**
 * The register's schema, as numbered migrations applied in order, each once, each in a
 * transaction. Never edit a migration that has shipped: add the next one.
 *
 * Numbers are reserved per stage so that work on stages can proceed side by side:
 * 1 foundation (customers, visits, runs, documents, files, staff, events),
 * 2 ingest (pages, review, quarantine), 3 rules (answers, results, evidence checks),
 * 4 archive (bundles, holds). A stage that needs more takes the next free number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
      CREATE TABLE customers (
        customer_id     TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('individual','institution')),
        branch_code     TEXT NOT NULL,
        branch_name     TEXT NOT NULL,
        address         TEXT NOT NULL,
        postcode        TEXT NOT NULL,
        phone           TEXT NOT NULL,
        email           TEXT NOT NULL,
        opened_on       TEXT NOT NULL,
        marketing_staff TEXT,
        contact_person  TEXT,
        updated_at      TEXT NOT NULL
      );

      -- One run of 'letters' or 'forms': which list, which options.
      CREATE TABLE runs (
        run_id          TEXT PRIMARY KEY,
        command         TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        source_path     TEXT NOT NULL,
        source_sha256   TEXT NOT NULL,
        options_json    TEXT NOT NULL
      );

      CREATE TABLE visits (
        visit_id        TEXT PRIMARY KEY,
        customer_id     TEXT NOT NULL REFERENCES customers(customer_id),
        category        TEXT NOT NULL,
        channel         TEXT NOT NULL,
        visitor         TEXT,
        reviewer        TEXT,
        created_on      TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        result          TEXT NOT NULL DEFAULT 'pending',
        run_id          TEXT REFERENCES runs(run_id),
        layout_id       TEXT
      );
      CREATE INDEX visits_customer ON visits(customer_id);

      -- Every stored object (content-addressed in the file store).
      CREATE TABLE blobs (
        sha256          TEXT PRIMARY KEY,
        size            INTEGER NOT NULL,
        media_type      TEXT,
        first_seen_at   TEXT NOT NULL
      );

      -- A document of a visit: rendered (letter, form), received (scan, e-mail, recording),
      -- derived (printout, stamped copy). 'source_sha256' names what a derived one came from.
      CREATE TABLE documents (
        document_id     INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        kind            TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('rendered','received','derived','stamped')),
        sha256          TEXT NOT NULL REFERENCES blobs(sha256),
        file_name       TEXT NOT NULL,
        page_count      INTEGER,
        source_sha256   TEXT,
        created_at      TEXT NOT NULL,
        created_by      TEXT,
        meta_json       TEXT NOT NULL DEFAULT '{}',
        UNIQUE (visit_id, kind, role, sha256)
      );
      CREATE INDEX documents_visit ON documents(visit_id);

      -- Staff roster: separation of duties (第四条) needs to know who is marketing staff.
      CREATE TABLE staff (
        staff_id        TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        role            TEXT NOT NULL,
        is_marketing    INTEGER NOT NULL DEFAULT 0,
        branch_code     TEXT
      );

      -- Audit trail: who did what, when.
      CREATE TABLE events (
        event_id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at              TEXT NOT NULL,
        actor           TEXT NOT NULL,
        action          TEXT NOT NULL,
        visit_id        TEXT,
        details_json    TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX events_visit ON events(visit_id);
    `,
  },
];
