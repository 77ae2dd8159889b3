-- Access control and tenancy (issue 10).
--
-- A measure is (municipality, measure_id) everywhere: two municipalities' case systems may use the
-- same measureId. The projection, its deadlines, the escalations and the inbox's duplicate check
-- are keyed by both.
ALTER TABLE deadlines ADD COLUMN municipality text;
UPDATE deadlines d SET municipality = m.municipality FROM measures m WHERE m.measure_id = d.measure_id;
ALTER TABLE deadlines ALTER COLUMN municipality SET NOT NULL;
ALTER TABLE deadlines DROP CONSTRAINT IF EXISTS deadlines_measure_id_fkey;
ALTER TABLE deadlines DROP CONSTRAINT IF EXISTS deadlines_pkey;
ALTER TABLE measures DROP CONSTRAINT IF EXISTS measures_pkey;
ALTER TABLE measures ADD PRIMARY KEY (municipality, measure_id);
ALTER TABLE deadlines ADD PRIMARY KEY (municipality, measure_id, deadline_id);
ALTER TABLE deadlines ADD FOREIGN KEY (municipality, measure_id) REFERENCES measures (municipality, measure_id) ON DELETE CASCADE;
CREATE INDEX measures_measure_id ON measures (measure_id);

ALTER TABLE escalations DROP CONSTRAINT IF EXISTS escalations_measure_id_deadline_id_due_on_level_key;
ALTER TABLE escalations ADD CONSTRAINT escalations_once UNIQUE (municipality, measure_id, deadline_id, due_on, level);
-- 005's one ladder per deadline and its open-rows index, per municipality too.
DROP INDEX IF EXISTS escalations_one_ladder;
CREATE UNIQUE INDEX escalations_one_ladder ON escalations (municipality, measure_id, deadline_id, level)
  WHERE replaced_by IS NULL;
DROP INDEX IF EXISTS escalations_open;
CREATE INDEX escalations_open ON escalations (municipality, measure_id) WHERE resolved_at IS NULL;

-- The inbox knows which municipality a delivery was judged for and who sent it. Duplicates are
-- found by (municipality, source, event_id). The child's birth date is never kept in `body`: it is
-- sealed (AES-256-GCM with the municipality's payload key) where the measure type has an age rule,
-- and dropped otherwise. Bodies are purged after the retention period; metadata stays.
ALTER TABLE inbox ADD COLUMN municipality text;
ALTER TABLE inbox ADD COLUMN caller text;
ALTER TABLE inbox ADD COLUMN sealed jsonb;
ALTER TABLE inbox ADD COLUMN purged_at timestamptz;
DROP INDEX IF EXISTS inbox_key;
CREATE INDEX inbox_key ON inbox (municipality, source, event_id) WHERE status = 202;
-- Deliveries from before: the measure they were for names the municipality (measure ids were
-- unique until now), and a birth date already stored in clear is removed.
UPDATE inbox i SET municipality = m.municipality FROM measures m WHERE m.measure_id = i.subject;
UPDATE inbox SET body = jsonb_set(body, '{data}', (body -> 'data') - 'childBirthDate')
 WHERE jsonb_typeof(body) = 'object' AND jsonb_typeof(body -> 'data') = 'object' AND body -> 'data' ? 'childBirthDate';
UPDATE inbox SET raw = NULL WHERE raw LIKE '%childBirthDate%';
CREATE INDEX inbox_retention ON inbox (received_at) WHERE purged_at IS NULL;

-- API keys for systems: only a SHA-256 of the key is kept (keys are 32 random bytes, so a fast
-- hash is enough); the key itself is shown once, when it is created.
CREATE TABLE api_keys (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  key_hash        text NOT NULL UNIQUE,
  municipalities  text[] NOT NULL,
  roles           text[] NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text NOT NULL,
  revoked_at      timestamptz,
  revoked_by      text,
  last_used_at    timestamptz
);

-- Every state-changing administrative action (and every decryption of payloads): who, what,
-- when, from where, and how it was answered. Readable by the platform role.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_kind    text NOT NULL,   -- key, person, admin-token, local, cli
  actor         text NOT NULL,   -- key id, OIDC subject, or the OS user of the command line
  actor_name    text,
  action        text NOT NULL,   -- e.g. policy.timer.change, rollout.stop, codec.decode, key.create
  municipality  text,
  target        text,
  method        text,
  path          text,
  remote_addr   text,
  user_agent    text,
  request_id    text,
  status        integer,
  detail        jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_municipality ON audit_log (municipality, at);
