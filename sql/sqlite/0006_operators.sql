-- Operators (API.md, the `operator` role): staff of one facility. Their district is the facility's (kept
-- in step by the store when a facility moves); NULL for every other role.
ALTER TABLE users ADD COLUMN facility_id INTEGER REFERENCES facilities(id);
CREATE INDEX users_facility ON users(facility_id);
