-- What the compliance figures (GET /v1/compliance, /overblik) need beside each measure: when it
-- started (Barnets Lov § 95 counts 3 months from the start), whether § 95 covers its type, and
-- when it was closed (a deadline cancelled by a closure after it was already overdue was missed,
-- not cancelled).
ALTER TABLE measures ADD COLUMN start_on date;
ALTER TABLE measures ADD COLUMN closed_on date;
ALTER TABLE measures ADD COLUMN statutory_follow_up boolean NOT NULL DEFAULT false;

-- Measures projected before this migration: the same facts from their history and deadlines, so
-- the figures are whole without waiting for each measure's next event.
UPDATE measures m SET
  start_on = (SELECT (h->'detail'->>'startOn')::date FROM jsonb_array_elements(m.history) h
               WHERE h->>'type' = 'measure.granted' LIMIT 1),
  closed_on = (SELECT (h->>'on')::date FROM jsonb_array_elements(m.history) h
                WHERE h->>'type' = 'measure.closed' LIMIT 1),
  statutory_follow_up = EXISTS (
    SELECT 1 FROM deadlines d
     WHERE d.measure_id = m.measure_id AND d.deadline_id = 'first-follow-up'
       AND (d.basis = 'statutory' OR coalesce(d.also_required_by, '[]') @> '[{"basis": "statutory"}]'));

-- The figures count deadlines by the date they were due in, per municipality.
CREATE INDEX deadlines_due_on ON deadlines (due_on);
