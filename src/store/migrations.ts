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
  /** The DDL as SQLite runs it; PostgreSQL runs it translated (`dialect.ts`: types, identity ids). */
  sql: string;
  /** Where a migration needs different SQL on PostgreSQL than the translation gives: that SQL (still translated). */
  postgres?: string;
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
  {
    version: 2,
    name: 'ingest',
    sql: `
      -- Every file handed to 'ingest', once per content (SHA-256), whatever became of it.
      -- 'processing' is written before any work and 'done' in the same transaction as all
      -- of the file's pages, so a run killed mid-file is redone whole by the next run.
      CREATE TABLE ingest_files (
        sha256          TEXT PRIMARY KEY REFERENCES blobs(sha256),
        file_name       TEXT NOT NULL,
        source_path     TEXT NOT NULL,
        size            INTEGER NOT NULL,
        handler         TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('processing','done')),
        page_count      INTEGER,
        attempts        INTEGER NOT NULL DEFAULT 1,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        actor           TEXT NOT NULL
      );

      -- Each time a path was handed to ingest (the same bytes may arrive under many names).
      CREATE TABLE ingest_sightings (
        sighting_id     INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256          TEXT NOT NULL REFERENCES ingest_files(sha256),
        path            TEXT NOT NULL,
        seen_at         TEXT NOT NULL,
        actor           TEXT NOT NULL,
        outcome         TEXT NOT NULL
      );
      CREATE INDEX ingest_sightings_sha ON ingest_sightings(sha256);

      -- One row per page of an ingested file (page 0: the whole file, when it has no
      -- readable pages at all). A page is either assigned to a visit or quarantined.
      CREATE TABLE pages (
        file_sha256     TEXT NOT NULL REFERENCES ingest_files(sha256),
        page            INTEGER NOT NULL CHECK (page >= 0),
        status          TEXT NOT NULL CHECK (status IN ('assigned','quarantined')),
        visit_id        TEXT REFERENCES visits(visit_id),
        kind            TEXT,
        assigned_by     TEXT NOT NULL CHECK (assigned_by IN ('qr','follow','handler','clerk','none')),
        reading_json    TEXT NOT NULL DEFAULT '{}',
        reason          TEXT,
        rule_id         TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        updated_by      TEXT NOT NULL,
        PRIMARY KEY (file_sha256, page),
        CHECK ((status = 'assigned') = (visit_id IS NOT NULL))
      );
      CREATE INDEX pages_visit ON pages(visit_id);
      CREATE INDEX pages_status ON pages(status);

      -- What the machine was not sure of (复核): one item per page and subject.
      CREATE TABLE review_items (
        item_id         INTEGER PRIMARY KEY AUTOINCREMENT,
        file_sha256     TEXT NOT NULL,
        page            INTEGER NOT NULL,
        visit_id        TEXT REFERENCES visits(visit_id),
        subject         TEXT NOT NULL,
        machine_json    TEXT NOT NULL,
        score           REAL,
        reason          TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('open','confirmed','corrected','withdrawn')),
        final_json      TEXT,
        decided_by      TEXT,
        decided_at      TEXT,
        note            TEXT,
        created_at      TEXT NOT NULL,
        UNIQUE (file_sha256, page, subject),
        FOREIGN KEY (file_sha256, page) REFERENCES pages(file_sha256, page)
      );
      CREATE INDEX review_items_visit ON review_items(visit_id);
      CREATE INDEX review_items_status ON review_items(status);
    `,
  },
  {
    version: 3,
    name: 'rules',
    sql: `
      -- Answers entered by a person (phone and e-mail visits, 第七条): append-only, the latest
      -- entry per question wins; who entered it, when, and from which evidence.
      CREATE TABLE answer_entries (
        entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        question_id     TEXT NOT NULL,
        answer          TEXT,
        evidence_sha256 TEXT,
        entered_by      TEXT NOT NULL,
        entered_at      TEXT NOT NULL,
        note            TEXT
      );
      CREATE INDEX answer_entries_visit ON answer_entries(visit_id, question_id);

      -- A refusal or an unreachable customer, recorded by a person (第四十二条); withdrawn, not deleted.
      CREATE TABLE visit_outcomes (
        outcome_id      INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        outcome         TEXT NOT NULL CHECK (outcome IN ('refused','unreachable')),
        reason          TEXT NOT NULL,
        recorded_by     TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        withdrawn_by    TEXT,
        withdrawn_at    TEXT
      );
      CREATE INDEX visit_outcomes_visit ON visit_outcomes(visit_id);

      -- The last decision on each visit's result, with what failed or is missing.
      CREATE TABLE result_decisions (
        visit_id        TEXT PRIMARY KEY REFERENCES visits(visit_id),
        result          TEXT NOT NULL,
        reason          TEXT NOT NULL,
        failed_json     TEXT NOT NULL DEFAULT '[]',
        missing_json    TEXT NOT NULL DEFAULT '[]',
        decided_at      TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'archive',
    sql: `
      -- Every bundle (zip) built: one row per distinct zip (SHA-256). 'previous_sha256' is the
      -- branch's bundle before it (the chain); 'retain_until' the date it may be disposed of.
      CREATE TABLE bundles (
        sha256          TEXT PRIMARY KEY,
        bundle_id       TEXT NOT NULL,
        branch_code     TEXT NOT NULL,
        period          TEXT NOT NULL,
        part            INTEGER NOT NULL,
        part_count      INTEGER NOT NULL,
        path            TEXT NOT NULL,
        size            INTEGER NOT NULL,
        visit_count     INTEGER NOT NULL,
        payload_bytes   INTEGER NOT NULL,
        bagging_date    TEXT NOT NULL,
        retain_until    TEXT NOT NULL,
        previous_sha256 TEXT,
        includes_invalid INTEGER NOT NULL DEFAULT 0,
        key_fingerprint TEXT,
        built_at        TEXT NOT NULL,
        built_by        TEXT NOT NULL,
        -- Increases with every build that writes this zip (a rebuild giving the same bytes
        -- included): the chain links to the branch's most recently built bundle.
        build_seq       INTEGER NOT NULL
      );
      CREATE INDEX bundles_branch ON bundles(branch_code, period, build_seq);
      CREATE INDEX bundles_id ON bundles(bundle_id);

      -- Which visits each bundle holds.
      CREATE TABLE bundle_visits (
        sha256          TEXT NOT NULL REFERENCES bundles(sha256),
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        valid           INTEGER NOT NULL,
        PRIMARY KEY (sha256, visit_id)
      );

      -- Legal holds (诉讼保全等): a held bundle is kept past its retention date until released.
      -- A hold names the bundle id, so it also covers rebuilt copies of the same bundle.
      CREATE TABLE bundle_holds (
        hold_id         INTEGER PRIMARY KEY AUTOINCREMENT,
        bundle_id       TEXT NOT NULL,
        reason          TEXT NOT NULL,
        placed_by       TEXT NOT NULL,
        placed_at       TEXT NOT NULL,
        released_by     TEXT,
        released_at     TEXT,
        release_reason  TEXT
      );
      CREATE INDEX bundle_holds_id ON bundle_holds(bundle_id);
    `,
  },
  {
    version: 5,
    name: 'people and verdicts',
    sql: `
      -- A reviewer's (复核人员) decision on a whole visit: approve or return, append-only, the
      -- latest wins. A visit is complete only when its evidence holds and it was approved.
      CREATE TABLE visit_reviews (
        review_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        decision        TEXT NOT NULL CHECK (decision IN ('approve','return')),
        note            TEXT NOT NULL,
        reviewer        TEXT NOT NULL,
        decided_at      TEXT NOT NULL
      );
      CREATE INDEX visit_reviews_visit ON visit_reviews(visit_id);

      -- A spot-check draw (抽检): its parameters and seed, so it can be drawn again and checked.
      CREATE TABLE review_samples (
        sample_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        period          TEXT NOT NULL,
        branch_code     TEXT,
        rate            REAL NOT NULL,
        seed            TEXT NOT NULL,
        params_json     TEXT NOT NULL,
        drawn_by        TEXT NOT NULL,
        drawn_at        TEXT NOT NULL
      );
      CREATE TABLE review_sample_visits (
        sample_id       INTEGER NOT NULL REFERENCES review_samples(sample_id),
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        visitor         TEXT NOT NULL,
        reason          TEXT NOT NULL CHECK (reason IN ('drawn','always')),
        PRIMARY KEY (sample_id, visit_id)
      );

      -- Every try to reach the customer (电话、邮件、信函、上门), with its outcome.
      CREATE TABLE visit_attempts (
        attempt_id      INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        channel         TEXT NOT NULL CHECK (channel IN ('phone','email','letter','visit')),
        outcome         TEXT NOT NULL CHECK (outcome IN ('reached','no-answer','wrong-number','refused','returned-mail')),
        at              TEXT NOT NULL,
        note            TEXT,
        recorded_by     TEXT NOT NULL,
        recorded_at     TEXT NOT NULL
      );
      CREATE INDEX visit_attempts_visit ON visit_attempts(visit_id);

      -- When each visit was completed (the form's date, the call, the return's arrival) and
      -- whether that was after its due date; 'late' once set stays set.
      CREATE TABLE visit_completions (
        visit_id        TEXT PRIMARY KEY REFERENCES visits(visit_id),
        completed_on    TEXT NOT NULL,
        source          TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        late            INTEGER NOT NULL DEFAULT 0,
        recorded_at     TEXT NOT NULL
      );

      -- A completion date entered by a person (the date written on the signed form).
      CREATE TABLE completion_entries (
        entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        completed_on    TEXT NOT NULL,
        entered_by      TEXT NOT NULL,
        entered_at      TEXT NOT NULL
      );

      -- Exceptions (异常, 第三十八条): a failed visit, an unrecognised account event, 不满意,
      -- remarks written by the customer. Owned by the branch head until closed by a named person.
      CREATE TABLE visit_exceptions (
        exception_id    INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL UNIQUE REFERENCES visits(visit_id),
        triggers_json   TEXT NOT NULL,
        owner           TEXT,
        cause           TEXT,
        measures        TEXT,
        level           INTEGER NOT NULL DEFAULT 1,
        due_on          TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('open','closed')),
        opened_at       TEXT NOT NULL,
        opened_by       TEXT NOT NULL,
        closed_by       TEXT,
        closed_at       TEXT,
        closure_note    TEXT
      );
      -- Every change to an exception (escalations with their times included).
      CREATE TABLE exception_updates (
        update_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        exception_id    INTEGER NOT NULL REFERENCES visit_exceptions(exception_id),
        at              TEXT NOT NULL,
        by_person       TEXT NOT NULL,
        changes_json    TEXT NOT NULL
      );
      CREATE INDEX exception_updates_exception ON exception_updates(exception_id);

      -- A reviewer's decision where typed answers disagree with the read paper form.
      CREATE TABLE answer_conflict_decisions (
        decision_id     INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        question_id     TEXT NOT NULL,
        keep            TEXT NOT NULL CHECK (keep IN ('paper','typed')),
        paper           TEXT,
        typed           TEXT,
        decided_by      TEXT NOT NULL,
        decided_at      TEXT NOT NULL,
        note            TEXT
      );
      CREATE INDEX answer_conflict_decisions_visit ON answer_conflict_decisions(visit_id, question_id);

      -- Remarks (备注) the customer gave, entered by a person from the form, the call or the e-mail.
      CREATE TABLE remark_entries (
        entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        text            TEXT NOT NULL,
        entered_by      TEXT NOT NULL,
        entered_at      TEXT NOT NULL
      );

      -- The firm policy (policy.json) each bundle was built under.
      ALTER TABLE bundles ADD COLUMN policy_sha256 TEXT;
    `,
  },
  {
    version: 6,
    name: 'planning',
    sql: `
      -- Every account export and event list imported for planning (the file itself is in the
      -- file store under its SHA-256); 'as_of' is the day the export describes.
      CREATE TABLE account_imports (
        import_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL CHECK (kind IN ('accounts','events')),
        as_of           TEXT NOT NULL,
        source_path     TEXT NOT NULL,
        sha256          TEXT NOT NULL REFERENCES blobs(sha256),
        format          TEXT NOT NULL,
        row_count       INTEGER NOT NULL,
        imported_at     TEXT NOT NULL,
        imported_by     TEXT NOT NULL
      );

      -- The account population of each import, one row per account: what planning looks at
      -- as columns, the whole account (address, phone, …) as JSON for starting visits.
      CREATE TABLE accounts (
        import_id       INTEGER NOT NULL REFERENCES account_imports(import_id),
        customer_id     TEXT NOT NULL,
        branch_code     TEXT NOT NULL,
        branch_name     TEXT NOT NULL,
        opened_on       TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('normal','dormant','suspended','closed')),
        margin          INTEGER NOT NULL,
        vip             INTEGER NOT NULL,
        assets          REAL,
        monthly_turnover REAL,
        six_month_return REAL,
        index_return    REAL,
        annual_commission REAL,
        account_json    TEXT NOT NULL,
        PRIMARY KEY (import_id, customer_id)
      ) WITHOUT ROWID;

      -- Account events that call for a special visit; importing the same event again adds nothing.
      CREATE TABLE account_events (
        event_id        INTEGER PRIMARY KEY AUTOINCREMENT,
        import_id       INTEGER NOT NULL REFERENCES account_imports(import_id),
        customer_id     TEXT NOT NULL,
        kind            TEXT NOT NULL,
        occurred_on     TEXT NOT NULL,
        note            TEXT,
        UNIQUE (customer_id, kind, occurred_on)
      );

      -- A plan of the visits the rules require in a year: its seed and parameters, so that
      -- the same inputs and seed give the same plan.
      CREATE TABLE plans (
        plan_id         TEXT PRIMARY KEY,
        year            INTEGER NOT NULL,
        as_of           TEXT NOT NULL,
        seed            TEXT NOT NULL,
        accounts_import_id INTEGER NOT NULL REFERENCES account_imports(import_id),
        parameters_json TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        created_by      TEXT NOT NULL
      );
      CREATE INDEX plans_year ON plans(year, created_at);

      -- The visits of a plan; 'visit_id' once the visit is started (letters/forms --plan).
      CREATE TABLE planned_visits (
        plan_id         TEXT NOT NULL REFERENCES plans(plan_id),
        seq             INTEGER NOT NULL,
        customer_id     TEXT NOT NULL,
        branch_code     TEXT NOT NULL,
        category        TEXT NOT NULL,
        basis           TEXT NOT NULL,
        reason          TEXT NOT NULL,
        due_on          TEXT NOT NULL,
        event_id        INTEGER REFERENCES account_events(event_id),
        visit_id        TEXT REFERENCES visits(visit_id),
        PRIMARY KEY (plan_id, seq)
      );
      CREATE INDEX planned_visits_customer ON planned_visits(customer_id);
    `,
  },
  {
    version: 7,
    name: 'returns',
    sql: `
      -- The postal tracking number (UPU S10) each mailed letter went under, from the post
      -- office's bulk-mailing list or typed by staff: a scanned receipt's barcode finds its visit.
      CREATE TABLE mailings (
        tracking_number TEXT PRIMARY KEY,
        visit_id        TEXT NOT NULL REFERENCES visits(visit_id),
        source          TEXT NOT NULL,
        recorded_by     TEXT NOT NULL,
        recorded_at     TEXT NOT NULL
      );
      CREATE INDEX mailings_visit ON mailings(visit_id);

      -- A cropped picture (PNG, SHA-256 in the file store) of what a reviewer must judge:
      -- the box of a review item, or the whole of a quarantined page.
      ALTER TABLE review_items ADD COLUMN crop_sha256 TEXT;
      ALTER TABLE pages ADD COLUMN crop_sha256 TEXT;
    `,
  },
  {
    version: 8,
    name: 'indexes for a large register',
    sql: `
      -- A branch's visits (validate --branch, report --branch): its customers, then their visits.
      CREATE INDEX customers_branch ON customers(branch_code);
      -- The visits started in a period (the period report of every branch, spot checks).
      CREATE INDEX visits_created ON visits(created_on);
      -- What validate reads of each visit, for the tables that had no index on the visit.
      CREATE INDEX completion_entries_visit ON completion_entries(visit_id);
      CREATE INDEX remark_entries_visit ON remark_entries(visit_id);
      -- The open review queue in the order items arrived (review list), without a sort.
      CREATE INDEX review_items_open ON review_items(status, item_id);
      -- Coverage of one branch: its accounts in an import, and its planned visits in a plan.
      CREATE INDEX accounts_branch ON accounts(import_id, branch_code);
      CREATE INDEX planned_visits_branch ON planned_visits(plan_id, branch_code, seq);
    `,
  },
  {
    version: 12,
    name: 'portable order of plans',
    // Plans made in the same instant were told apart by SQLite's hidden rowid, which
    // PostgreSQL has not: the order they were made in becomes a column.
    sql: `
      ALTER TABLE plans ADD COLUMN plan_seq INTEGER;
      UPDATE plans SET plan_seq = rowid;
    `,
    postgres: `
      ALTER TABLE plans ADD COLUMN plan_seq INTEGER;
    `,
  },
  {
    version: 13,
    name: 'the last check of each stored file',
    // validate re-hashes a stored file only when it has changed on disk since its last good
    // check (size, modification and change times: its stamp) or when that check is older than
    // the policy's files.recheckDays; a recording run keeps what it found here.
    sql: `
      ALTER TABLE blobs ADD COLUMN checked_at TEXT;
      ALTER TABLE blobs ADD COLUMN checked_stamp TEXT;
      ALTER TABLE blobs ADD COLUMN check_ok INTEGER;
    `,
  },
  {
    version: 16,
    name: "PostgreSQL's estimate of a visit's pages",
    // A visit's pages lie together in the table (they are ingested together), so the sample
    // ANALYZE reads sees few visits and PostgreSQL takes a visit to have some 30 pages: it
    // then reads a branch's pages (validate, the report) by hashing every ingested file
    // instead of looking each page's file up by its key (0.3 s per 500 visits instead of
    // 25 ms on a register of 5,000,000 pages). A visit has a handful of pages: the count of
    // distinct visits is set to a fifth of the pages. SQLite's planner needs no estimate.
    sql: `
      -- nothing to do: SQLite reads a visit's pages through pages_visit whatever their number
    `,
    postgres: `
      ALTER TABLE pages ALTER COLUMN visit_id SET (n_distinct = -0.2);
      ANALYZE pages;
    `,
  },
];
