-- Operators (API.md, the `operator` role): staff of one facility. Their district is the facility's (kept
-- in step by the store when a facility moves); NULL for every other role.
ALTER TABLE users ADD COLUMN facility_id BIGINT NULL;
ALTER TABLE users ADD CONSTRAINT users_facility FOREIGN KEY (facility_id) REFERENCES facilities(id);
