-- Escalations end: when the deadline behind one is met, cancelled or moved, the row says when and
-- why, and the resolution is delivered to the case system from the same outbox (after the
-- escalation itself).
ALTER TABLE escalations ADD COLUMN resolved_at timestamptz;
ALTER TABLE escalations ADD COLUMN resolution text
  CHECK (resolution IN ('met', 'met-late', 'cancelled', 'superseded'));
ALTER TABLE escalations ADD COLUMN resolution_notified_at timestamptz;
ALTER TABLE escalations ADD COLUMN resolution_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE escalations ADD COLUMN resolution_error text;
ALTER TABLE escalations ADD COLUMN resolution_next_attempt_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX escalations_resolution_outbox ON escalations (resolution_next_attempt_at)
  WHERE resolved_at IS NOT NULL AND resolution_notified_at IS NULL;
CREATE INDEX escalations_open ON escalations (measure_id) WHERE resolved_at IS NULL;

-- One deadline, one ladder: a level is raised once per deadline, whatever its due date. Before,
-- a deadline whose date moved could be escalated again at a level it had reached; of such rows
-- the latest stays, the earlier ones are resolved as superseded by it.
ALTER TABLE escalations ADD COLUMN replaced_by bigint REFERENCES escalations (id);
UPDATE escalations e
   SET replaced_by = (SELECT max(n.id) FROM escalations n
                       WHERE n.measure_id = e.measure_id AND n.deadline_id = e.deadline_id AND n.level = e.level),
       resolved_at = now(), resolution = 'superseded'
 WHERE EXISTS (SELECT 1 FROM escalations n
                WHERE n.measure_id = e.measure_id AND n.deadline_id = e.deadline_id AND n.level = e.level
                  AND n.id > e.id);
CREATE UNIQUE INDEX escalations_one_ladder ON escalations (measure_id, deadline_id, level) WHERE replaced_by IS NULL;

-- A deadline met after it was due says so.
ALTER TABLE deadlines ADD COLUMN late boolean;
