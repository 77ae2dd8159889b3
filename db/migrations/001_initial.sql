-- Every event received, with the answer it got: nothing a case system sends is lost, rejected
-- and duplicate deliveries included. No uniqueness on (source, event_id): a rejected event may be
-- corrected and resent under the same id; the API finds accepted ones by that key.
CREATE TABLE inbox (
  seq          bigserial PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  source       text,
  event_id     text,
  event_type   text,
  subject      text,
  body         jsonb,
  raw          text,
  status       integer,
  answer       jsonb,
  answered_at  timestamptz
);
CREATE INDEX inbox_key ON inbox (source, event_id) WHERE status = 202;
CREATE INDEX inbox_subject ON inbox (subject);

-- The measures projection: written by the workflow's activity, newest revision wins.
CREATE TABLE measures (
  measure_id      text PRIMARY KEY,
  workflow_id     text NOT NULL,
  municipality    text NOT NULL,
  measure_type    text NOT NULL,
  package         text,
  state           text NOT NULL,
  policy_version  integer NOT NULL,
  case_id         text,
  caseworker_id   text,
  team_id         text,
  revision        bigint NOT NULL,
  history         jsonb NOT NULL DEFAULT '[]',
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measures_municipality ON measures (municipality, state);
CREATE INDEX measures_caseworker ON measures (caseworker_id);
CREATE INDEX measures_team ON measures (team_id);

CREATE TABLE deadlines (
  measure_id        text NOT NULL REFERENCES measures (measure_id) ON DELETE CASCADE,
  deadline_id       text NOT NULL,
  kind              text NOT NULL,
  expected_from     date,
  due_on            date NOT NULL,
  due_at            timestamptz NOT NULL,
  overdue_at        timestamptz NOT NULL,
  status            text NOT NULL,
  met_on            date,
  basis             text NOT NULL,
  strength          text NOT NULL,
  source            jsonb NOT NULL,
  also_required_by  jsonb,
  escalation_level  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (measure_id, deadline_id)
);
CREATE INDEX deadlines_overdue ON deadlines (overdue_at) WHERE status = 'pending';

-- One row per measure, deadline (at its due date) and level: raised once, never duplicated.
CREATE TABLE escalations (
  id             bigserial PRIMARY KEY,
  measure_id     text NOT NULL,
  workflow_id    text NOT NULL,
  municipality   text NOT NULL,
  deadline_id    text NOT NULL,
  deadline_kind  text NOT NULL,
  due_on         date NOT NULL,
  level          integer NOT NULL,
  role           text NOT NULL,
  caseworker_id  text,
  team_id        text,
  raised_at      timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (measure_id, deadline_id, due_on, level)
);
CREATE INDEX escalations_municipality ON escalations (municipality, level);
