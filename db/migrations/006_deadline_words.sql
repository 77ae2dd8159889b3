-- What a caseworker reads beside each deadline: its Danish name from the policy, and, for a limit
-- moved by an extension, who approved it.
ALTER TABLE deadlines ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE deadlines ADD COLUMN IF NOT EXISTS approved_by text;
