-- Captures real pgoutput messages as test fixtures for PgOutputDecoder*Test.
--
-- Run from this directory against a scratch PostgreSQL 17 started with
--   -c wal_level=logical -c max_prepared_transactions=10 -c max_replication_slots=20
--   -c track_commit_timestamp=on
-- as:  psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 55432 -U postgres -d postgres -f capture.sql
--
-- Each scenario creates its own slot, does its writes, then reads that slot with
-- pg_logical_slot_get_binary_changes, which returns one row per pgoutput message (the same bytes a
-- walsender puts after the XLogData header). Each row becomes one fixture line: "<lsn> <xid> <hex>".
-- catalog.txt records the OIDs the server gave the tables and types, so tests can check the decoded
-- OIDs against the server's own catalog rather than against the decoder. commit-times.txt does the
-- same for commit timestamps (track_commit_timestamp), as "<xid> <microseconds since 1970-01-01>".

\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
\pset footer off
-- Only the fixture queries print; everything else goes nowhere.
\o /dev/null

SET TimeZone = 'UTC';
SET DateStyle = 'ISO';

DROP PUBLICATION IF EXISTS pub;
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'cap_%';
DROP SCHEMA IF EXISTS cap CASCADE;
SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = 'origin_a';

SELECT txid_current() AS first_xid \gset

CREATE SCHEMA cap;
CREATE TYPE cap.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN cap.posint AS integer CHECK (VALUE > 0);

-- REPLICA IDENTITY DEFAULT (primary key): old key 'K' only when the key changes.
CREATE TABLE cap.item (id integer PRIMARY KEY, name text, note text);
-- REPLICA IDENTITY FULL: the whole old row 'O'.
CREATE TABLE cap.item_full (id integer, name text);
ALTER TABLE cap.item_full REPLICA IDENTITY FULL;
-- A large, incompressible, out-of-line column that an UPDATE does not touch arrives as 'u'.
CREATE TABLE cap.doc (id integer PRIMARY KEY, body text, title text);
ALTER TABLE cap.doc ALTER COLUMN body SET STORAGE EXTERNAL;
-- Non built-in types produce Type 'Y' messages before the Relation.
CREATE TABLE cap.mood_log (id integer PRIMARY KEY, mood cap.mood, qty cap.posint);
-- TRUNCATE ... CASCADE reaches the child through the foreign key.
CREATE TABLE cap.parent (id serial PRIMARY KEY);
CREATE TABLE cap.child (id serial PRIMARY KEY, parent_id integer REFERENCES cap.parent (id));
-- binary=true sends the types' send format.
CREATE TABLE cap.typed (id integer PRIMARY KEY, flag boolean, amount numeric, at timestamptz, label text);
-- Narrow rows so a streamed transaction passes logical_decoding_work_mem with few bytes of fixture.
CREATE TABLE cap.bulk (id integer PRIMARY KEY, mood cap.mood);
CREATE TABLE cap.bulk_side (id integer);

CREATE PUBLICATION pub FOR ALL TABLES;

\o catalog.txt
SELECT c.relname, c.oid FROM pg_class c WHERE c.relnamespace = 'cap'::regnamespace AND c.relkind = 'r'
UNION ALL
SELECT t.typname, t.oid FROM pg_type t WHERE t.typnamespace = 'cap'::regnamespace AND t.typtype IN ('e', 'd')
ORDER BY 1;
\o /dev/null

-- Scenario dml-default: insert (with a NULL), update without and with a key change, delete.
SELECT pg_create_logical_replication_slot('cap_dml_default', 'pgoutput');
INSERT INTO cap.item VALUES (1, 'first', NULL);
UPDATE cap.item SET note = 'noted' WHERE id = 1;
UPDATE cap.item SET id = 2 WHERE id = 1;
DELETE FROM cap.item WHERE id = 2;
\o dml-default.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_dml_default', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_dml_default');

-- Scenario dml-full: REPLICA IDENTITY FULL update and delete carry the old row.
SELECT pg_create_logical_replication_slot('cap_dml_full', 'pgoutput');
INSERT INTO cap.item_full VALUES (10, 'ten');
UPDATE cap.item_full SET name = 'TEN' WHERE id = 10;
DELETE FROM cap.item_full WHERE id = 10;
\o dml-full.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_dml_full', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_dml_full');

-- Scenario toast-unchanged: ~3.2 kB of md5 hex is incompressible enough to stay out of line.
INSERT INTO cap.doc SELECT 1, string_agg(md5(i::text), '') , 'v1' FROM generate_series(1, 100) i;
SELECT pg_create_logical_replication_slot('cap_toast', 'pgoutput');
UPDATE cap.doc SET title = 'v2' WHERE id = 1;
\o toast-unchanged.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_toast', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_toast');

-- Scenario truncate: CASCADE reaches cap.child, RESTART IDENTITY resets both serials.
INSERT INTO cap.parent DEFAULT VALUES;
INSERT INTO cap.child (parent_id) SELECT max(id) FROM cap.parent;
SELECT pg_create_logical_replication_slot('cap_truncate', 'pgoutput');
TRUNCATE cap.parent RESTART IDENTITY CASCADE;
\o truncate.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_truncate', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_truncate');

-- Scenario type: an enum and a domain column; the domain's Type message names its base type.
SELECT pg_create_logical_replication_slot('cap_type', 'pgoutput');
INSERT INTO cap.mood_log VALUES (1, 'happy', 7);
\o type.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_type', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_type');

-- Scenario origin: a transaction replayed through a replication origin (as a subscriber would).
SELECT pg_replication_origin_create('origin_a');
SELECT pg_create_logical_replication_slot('cap_origin', 'pgoutput');
SELECT pg_replication_origin_session_setup('origin_a');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/ABCDEF', '2001-02-03 04:05:06+00');
INSERT INTO cap.item VALUES (3, 'from origin', 'o');
COMMIT;
SELECT pg_replication_origin_session_reset();
\o origin.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_origin', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub');
\o /dev/null
SELECT pg_drop_replication_slot('cap_origin');

-- Scenario messages: one transactional message (inside Begin/Commit) and one non-transactional.
SELECT pg_create_logical_replication_slot('cap_messages', 'pgoutput');
BEGIN;
INSERT INTO cap.item VALUES (4, 'with message', NULL);
SELECT pg_logical_emit_message(true, 'cap.tx', 'inside a transaction');
COMMIT;
-- flush => true: the SQL interface decodes only flushed WAL, and nothing else flushes this record.
SELECT pg_logical_emit_message(false, 'cap.now', convert_to('right away ✓', 'UTF8'), true);
\o messages.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_messages', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'messages', 'true');
\o /dev/null
SELECT pg_drop_replication_slot('cap_messages');

-- Scenario binary: binary=true sends 'b' columns in each type's send format.
SELECT pg_create_logical_replication_slot('cap_binary', 'pgoutput');
INSERT INTO cap.typed VALUES (258, true, 12.50, '2024-05-06 07:08:09.123456+00', 'bin');
INSERT INTO cap.typed VALUES (259, NULL, NULL, NULL, NULL);
\o binary.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_binary', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'binary', 'true');
\o /dev/null
SELECT pg_drop_replication_slot('cap_binary');

-- Streaming: transactions bigger than logical_decoding_work_mem (64kB, the minimum) are sent in
-- chunks between Stream Start and Stream Stop, with the xid in every change message.
SET logical_decoding_work_mem = '64kB';

-- Scenario streaming-commit: a big committed transaction that also updates, deletes, truncates and
-- emits a message, so every change type is seen with its streamed xid.
SELECT pg_create_logical_replication_slot('cap_stream', 'pgoutput');
BEGIN;
INSERT INTO cap.bulk SELECT i, 'ok' FROM generate_series(1, 600) i;
UPDATE cap.bulk SET mood = 'happy' WHERE id = 1;
DELETE FROM cap.bulk WHERE id = 2;
SELECT pg_logical_emit_message(true, 'cap.stream', 'streamed');
TRUNCATE cap.bulk_side;
COMMIT;
\o streaming-commit.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_stream', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'streaming', 'on', 'messages', 'true');
\o /dev/null
SELECT pg_drop_replication_slot('cap_stream');

-- Scenario streaming-abort: a streamed subtransaction rolled back to its savepoint (Stream Abort
-- with subxid != xid), then a streamed top-level transaction rolled back (subxid = xid).
SELECT pg_create_logical_replication_slot('cap_stream_abort', 'pgoutput');
BEGIN;
INSERT INTO cap.bulk SELECT i, 'sad' FROM generate_series(2001, 2500) i;
SAVEPOINT s1;
INSERT INTO cap.bulk SELECT i, 'sad' FROM generate_series(3001, 3500) i;
ROLLBACK TO SAVEPOINT s1;
INSERT INTO cap.bulk VALUES (4001, 'ok');
COMMIT;
BEGIN;
INSERT INTO cap.bulk SELECT i, 'sad' FROM generate_series(5001, 5500) i;
ROLLBACK;
-- An abort record is not flushed, and the SQL interface only decodes flushed WAL: flush it.
SELECT pg_logical_emit_message(false, 'cap.flush', '', true);
\o streaming-abort.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_stream_abort', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'streaming', 'on');
\o /dev/null
SELECT pg_drop_replication_slot('cap_stream_abort');

-- Scenario streaming-parallel-abort: with proto 4 and streaming=parallel, Stream Abort also carries
-- the abort LSN and time.
SELECT pg_create_logical_replication_slot('cap_stream_parallel', 'pgoutput');
BEGIN;
INSERT INTO cap.bulk SELECT i, 'sad' FROM generate_series(7001, 7500) i;
ROLLBACK;
-- An abort record is not flushed, and the SQL interface only decodes flushed WAL: flush it.
SELECT pg_logical_emit_message(false, 'cap.flush', '', true);
\o streaming-parallel-abort.txt
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_stream_parallel', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'streaming', 'parallel');
\o /dev/null
SELECT pg_drop_replication_slot('cap_stream_parallel');

RESET logical_decoding_work_mem;

-- Scenario two-phase: PREPARE then COMMIT PREPARED, and PREPARE then ROLLBACK PREPARED. The slot is
-- read after each step so the prepare is decoded before its outcome is known, as on a live stream.
SELECT pg_create_logical_replication_slot('cap_2pc', 'pgoutput', false, true);
\o two-phase.txt
BEGIN;
INSERT INTO cap.item VALUES (5, 'prepared', NULL);
PREPARE TRANSACTION 'cap-gid-commit';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on');
COMMIT PREPARED 'cap-gid-commit';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on');
BEGIN;
INSERT INTO cap.item VALUES (6, 'rolled back', NULL);
PREPARE TRANSACTION 'cap-gid-rollback';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on');
ROLLBACK PREPARED 'cap-gid-rollback';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on');
\o /dev/null
SELECT pg_drop_replication_slot('cap_2pc');

-- Scenario streaming-prepare: a prepared transaction big enough to be streamed ends with Stream
-- Prepare 'p' instead of Prepare 'P'.
SET logical_decoding_work_mem = '64kB';
SELECT pg_create_logical_replication_slot('cap_stream_2pc', 'pgoutput', false, true);
\o streaming-prepare.txt
BEGIN;
INSERT INTO cap.bulk SELECT i, 'ok' FROM generate_series(9001, 9500) i;
PREPARE TRANSACTION 'cap-gid-stream';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_stream_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on', 'streaming', 'on');
COMMIT PREPARED 'cap-gid-stream';
SELECT lsn, xid, encode(data, 'hex') FROM pg_logical_slot_get_binary_changes('cap_stream_2pc', NULL, NULL,
    'proto_version', '4', 'publication_names', 'pub', 'two_phase', 'on', 'streaming', 'on');
\o /dev/null
SELECT pg_drop_replication_slot('cap_stream_2pc');
RESET logical_decoding_work_mem;

\o commit-times.txt
SELECT x, (extract(epoch FROM pg_xact_commit_timestamp(x::text::xid)) * 1000000)::bigint
FROM generate_series(:first_xid, txid_current()) x
WHERE pg_xact_commit_timestamp(x::text::xid) IS NOT NULL
ORDER BY x;
\o server-version.txt
SELECT version();
\o
