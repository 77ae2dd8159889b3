-- Versioned policies: every change an administrator makes is a new, immutable version with its
-- author, reason and the date it takes effect. Version 1 of each municipality is its catalogue
-- file, seeded on start. A measure granted on a date gets the highest version effective then.
CREATE TABLE policy_versions (
  municipality    text NOT NULL,
  version         integer NOT NULL,
  effective_from  date NOT NULL,
  author          text NOT NULL,
  reason          text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- What changed from the previous version, in words and paths (null for the seed).
  change          jsonb,
  -- The measure types whose rules differ from the previous version (all of them when the
  -- escalation ladder changed): the scope of the version's rollout.
  changed_types   text[] NOT NULL DEFAULT '{}',
  document        jsonb NOT NULL,
  PRIMARY KEY (municipality, version)
);
CREATE INDEX policy_versions_effective ON policy_versions (municipality, effective_from, version);

-- One rollout per version: moves running measures to it on its effective date.
CREATE TABLE policy_rollouts (
  id              text PRIMARY KEY,
  municipality    text NOT NULL,
  version         integer NOT NULL,
  measure_types   text[] NOT NULL,
  effective_from  date NOT NULL,
  starts_at       timestamptz NOT NULL,
  workflow_id     text NOT NULL,
  status          text NOT NULL, -- scheduled, running, completed, stopped, failed
  total           integer,
  author          text NOT NULL,
  reason          text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (municipality, version) REFERENCES policy_versions (municipality, version)
);

-- What the rollout did to each measure (idempotent: a retried batch overwrites its own rows).
CREATE TABLE policy_rollout_items (
  rollout_id   text NOT NULL REFERENCES policy_rollouts (id) ON DELETE CASCADE,
  measure_id   text NOT NULL,
  outcome      text NOT NULL, -- moved, unchanged, closed, superseded, failed
  moved        jsonb,
  detail       text,
  at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rollout_id, measure_id)
);

-- The measure's machine state (facts, state, raised escalations), written beside the projection
-- with its own revision guard, so that a preview can simulate 10,000 measures from one query
-- instead of querying 10,000 workflows.
ALTER TABLE measures ADD COLUMN snapshot jsonb;
ALTER TABLE measures ADD COLUMN snapshot_revision bigint;
CREATE INDEX measures_type ON measures (municipality, measure_type, policy_version) WHERE state <> 'closed';
