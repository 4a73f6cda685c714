-- Captures a small proto_version=1 transaction from PostgreSQL 15 (the oldest protocol), so the
-- decoder is also checked against bytes a pre-streaming server sends.
--
-- Run from this directory against a scratch PostgreSQL 15 started with -c wal_level=logical as:
--   psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 55433 -U postgres -d postgres -f capture-pg15-proto1.sql
-- Output line format is the same as capture.sql: "<lsn> <xid> <hex>".

\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
\pset footer off
\o /dev/null

DROP PUBLICATION IF EXISTS pub;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'cap_%';
DROP SCHEMA IF EXISTS cap CASCADE;

CREATE SCHEMA cap;
CREATE TABLE cap.item (id integer PRIMARY KEY, name text, note text);
CREATE PUBLICATION pub FOR ALL TABLES;

SELECT pg_create_logical_replication_slot('cap_proto1', 'pgoutput');
INSERT INTO cap.item VALUES (1, 'proto one', NULL);
UPDATE cap.item SET id = 2 WHERE id = 1;
\o pg15-proto1.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_proto1', NULL, NULL,
    'proto_version', '1', 'publication_names', 'pub');
\o pg15-catalog.txt
SELECT 'item', 'cap.item'::regclass::oid;
\o pg15-server-version.txt
SELECT version();
\o /dev/null
SELECT pg_drop_replication_slot('cap_proto1');
