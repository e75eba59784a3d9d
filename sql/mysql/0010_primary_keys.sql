-- Every table has a primary key (Galera, docs/OPERATIONS.md "Several instances"): a cluster applies row
-- events by key, and a table without one makes every replicated DELETE or UPDATE of it a full scan on each
-- node (the audit's staging rows are deleted by the thousand). audit_results, the audit's staging table,
-- was the one without; its rows get a surrogate id (nothing reads it).
ALTER TABLE audit_results ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
