-- Every delivery is stored, whatever it carries. jsonb refuses NUL characters, lone surrogates and
-- very deep nesting, and text refuses NUL bytes: what jsonb cannot hold is kept as escaped JSON
-- text in `raw`, and what is not even text (invalid UTF-8, a wrong content type) as bytes in
-- `raw_bytes`. Refusals before parsing (413, 415) keep at least the request's metadata.
ALTER TABLE inbox
  ADD COLUMN raw_bytes       bytea,
  ADD COLUMN content_type    text,
  ADD COLUMN content_length  bigint,
  ADD COLUMN remote_addr     text,
  ADD COLUMN request_id      text,
  ADD COLUMN batch_index     integer;

-- A follow-up event finds the grant of its measure while the grant is still in flight.
CREATE INDEX inbox_grants ON inbox (subject, seq) WHERE event_type = 'measure.granted';
