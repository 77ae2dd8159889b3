-- The three databases on one PostgreSQL, as on the cluster `npm run cluster` starts:
-- Temporal's own two (schema by temporal-sql-tool) and the service's (migrations by the roles).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE DATABASE indsatsflow;
