-- Escalations are an outbox: each row is delivered to the case system (at least once; the
-- CloudEvent id is stable, so the receiver deduplicates) and marked when it was accepted.
ALTER TABLE escalations ADD COLUMN notified_at timestamptz;
ALTER TABLE escalations ADD COLUMN notify_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE escalations ADD COLUMN notify_error text;
ALTER TABLE escalations ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX escalations_outbox ON escalations (next_attempt_at) WHERE notified_at IS NULL;
