package io.pgreplication.camel.pgoutput;

import static io.pgreplication.camel.pgoutput.PgOutputFixture.catalog;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.commitTime;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.decodeAll;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.lsn;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.rows;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgreplication.camel.pgoutput.PgOutputMessage.Begin;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Column;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Commit;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Delete;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Insert;
import io.pgreplication.camel.pgoutput.PgOutputMessage.LogicalMessage;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Origin;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Relation;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamCommit;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Truncate;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Type;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Update;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Transactions, DML and tuple shapes, decoded from messages captured on PostgreSQL 17.5 (and 15.18 for proto 1). */
class PgOutputDecoderTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;
    private static final Map<String, Integer> OIDS = catalog("catalog.txt");
    private static final List<String> PG17_FIXTURES = List.of("binary.txt", "dml-default.txt", "dml-full.txt",
            "messages.txt", "origin.txt", "streaming-abort.txt", "streaming-commit.txt",
            "streaming-parallel-abort.txt", "streaming-prepare.txt", "toast-unchanged.txt", "truncate.txt",
            "two-phase.txt", "type.txt");

    @Test
    void insertIsFramedByBeginAndCommitWithTheServersXidLsnsAndTime() {
        List<PgOutputFixture.Row> rows = rows("dml-default.txt");
        List<PgOutputMessage> messages = decodeAll("dml-default.txt");

        Begin begin = (Begin) messages.get(0);
        Commit commit = (Commit) messages.get(3);
        assertThat(begin.xid()).isEqualTo(rows.get(0).xid()).isEqualTo(854);
        assertThat(begin.finalLsn()).isEqualTo(lsn("0/1742340")).isEqualTo(commit.commitLsn());
        assertThat(PgOutputTime.toInstant(begin.commitTime())).isEqualTo(commitTime(854));
        assertThat(commit.flags()).isZero();
        assertThat(commit.endLsn()).isEqualTo(rows.get(3).lsn()).isEqualTo(lsn("0/1742370"));
        assertThat(commit.commitTime()).isEqualTo(begin.commitTime());
    }

    @Test
    void relationDescribesTheTableAndItsKeyColumnsBeforeTheFirstChange() {
        Relation relation = (Relation) decodeAll("dml-default.txt").get(1);

        assertThat(relation.xid()).isZero();
        assertThat(relation.oid()).isEqualTo(OIDS.get("item"));
        assertThat(relation.namespace()).isEqualTo("cap");
        assertThat(relation.name()).isEqualTo("item");
        assertThat((char) relation.replicaIdentity()).isEqualTo('d');
        assertThat(relation.columns()).containsExactly(
                new Column(true, "id", INT4, -1), new Column(false, "name", TEXT, -1),
                new Column(false, "note", TEXT, -1));
    }

    @Test
    void insertCarriesTextValuesAndNulls() {
        Insert insert = (Insert) decodeAll("dml-default.txt").get(2);

        assertThat(insert.xid()).isZero();
        assertThat(insert.relationOid()).isEqualTo(OIDS.get("item"));
        assertThat(insert.newTuple().kinds()).containsExactly('t', 't', 'n');
        assertThat(text(insert.newTuple(), 0)).isEqualTo("1");
        assertThat(text(insert.newTuple(), 1)).isEqualTo("first");
        assertThat(insert.newTuple().value(2)).isNull();
    }

    @Test
    void updateThatKeepsTheKeySendsOnlyTheNewRow() {
        Update update = (Update) decodeAll("dml-default.txt").get(5);

        assertThat(update.relationOid()).isEqualTo(OIDS.get("item"));
        assertThat(update.oldKey()).isNull();
        assertThat(update.oldRow()).isNull();
        assertThat(update.newTuple()).hasToString("TupleData[t:'1', t:'first', t:'noted']");
    }

    @Test
    void updateThatChangesTheKeySendsTheOldKeyWithOtherColumnsNull() {
        Update update = (Update) decodeAll("dml-default.txt").get(8);

        assertThat(update.oldKey()).hasToString("TupleData[t:'1', n, n]");
        assertThat(update.oldRow()).isNull();
        assertThat(update.newTuple()).hasToString("TupleData[t:'2', t:'first', t:'noted']");
    }

    @Test
    void deleteUnderDefaultReplicaIdentitySendsTheOldKey() {
        Delete delete = (Delete) decodeAll("dml-default.txt").get(11);

        assertThat(delete.relationOid()).isEqualTo(OIDS.get("item"));
        assertThat(delete.oldKey()).hasToString("TupleData[t:'2', n, n]");
        assertThat(delete.oldRow()).isNull();
    }

    @Test
    void replicaIdentityFullSendsTheWholeOldRowOnUpdateAndDelete() {
        List<PgOutputMessage> messages = decodeAll("dml-full.txt");

        Relation relation = (Relation) messages.get(1);
        assertThat((char) relation.replicaIdentity()).isEqualTo('f');
        assertThat(relation.columns()).containsExactly(new Column(true, "id", INT4, -1), new Column(true, "name", TEXT, -1));
        Update update = (Update) messages.get(5);
        assertThat(update.oldKey()).isNull();
        assertThat(update.oldRow()).hasToString("TupleData[t:'10', t:'ten']");
        assertThat(update.newTuple()).hasToString("TupleData[t:'10', t:'TEN']");
        Delete delete = (Delete) messages.get(8);
        assertThat(delete.oldKey()).isNull();
        assertThat(delete.oldRow()).hasToString("TupleData[t:'10', t:'TEN']");
    }

    @Test
    void untouchedToastedColumnArrivesAsUnchangedWithoutAValue() {
        Update update = (Update) decodeAll("toast-unchanged.txt").get(2);

        assertThat(update.relationOid()).isEqualTo(OIDS.get("doc"));
        assertThat(update.newTuple().kinds()).containsExactly('t', 'u', 't');
        assertThat(update.newTuple().value(1)).isNull();
        assertThat(update.newTuple()).hasToString("TupleData[t:'1', u, t:'v2']");
    }

    @Test
    void truncateListsTheCascadedTablesAndItsOptions() {
        List<PgOutputMessage> messages = decodeAll("truncate.txt");

        assertThat(((Relation) messages.get(1)).name()).isEqualTo("parent");
        assertThat(((Relation) messages.get(2)).name()).isEqualTo("child");
        assertThat(messages.get(3)).isEqualTo(
                new Truncate(0, new int[] {OIDS.get("parent"), OIDS.get("child")}, true, true));
    }

    @Test
    void enumAndDomainColumnsAreDescribedByTypeMessagesBeforeTheRelation() {
        List<PgOutputMessage> messages = decodeAll("type.txt");

        assertThat(messages.get(1)).isEqualTo(new Type(0, OIDS.get("mood"), "cap", "mood"));
        // A domain is announced under its own OID with its base type's name; "" is how pg_catalog is sent.
        assertThat(messages.get(2)).isEqualTo(new Type(0, OIDS.get("posint"), "", "int4"));
        Relation relation = (Relation) messages.get(3);
        assertThat(relation.columns()).extracting(Column::typeOid)
                .containsExactly(INT4, OIDS.get("mood"), OIDS.get("posint"));
        assertThat(((Insert) messages.get(4)).newTuple()).hasToString("TupleData[t:'1', t:'happy', t:'7']");
    }

    @Test
    void replayedTransactionNamesItsOriginRightAfterBegin() {
        List<PgOutputMessage> messages = decodeAll("origin.txt");

        assertThat(messages.get(1)).isEqualTo(new Origin(0xABCDEFL, "origin_a"));
        // The commit time of a replayed transaction is the one given to pg_replication_origin_xact_setup.
        Begin begin = (Begin) messages.get(0);
        assertThat(PgOutputTime.toInstant(begin.commitTime()))
                .isEqualTo(Instant.parse("2001-02-03T04:05:06Z")).isEqualTo(commitTime(begin.xid()));
    }

    @Test
    void transactionalMessageComesInsideItsTransactionAndTheOtherOnItsOwn() {
        List<PgOutputFixture.Row> rows = rows("messages.txt");
        List<PgOutputMessage> messages = decodeAll("messages.txt");

        assertThat(messages).extracting(m -> (char) m.type()).containsExactly('B', 'R', 'I', 'M', 'C', 'M');
        assertThat(messages.get(3)).isEqualTo(new LogicalMessage(0, true, rows.get(3).lsn(), "cap.tx",
                "inside a transaction".getBytes(StandardCharsets.UTF_8)));
        assertThat(messages.get(5)).isEqualTo(new LogicalMessage(0, false, lsn("0/17455B8"), "cap.now",
                "right away ✓".getBytes(StandardCharsets.UTF_8)));
        assertThat(rows.get(5).xid()).as("server reports no xid for a non-transactional message").isZero();
    }

    @Test
    void binaryModeSendsEachTypesSendFormat() {
        List<PgOutputMessage> messages = decodeAll("binary.txt");

        Relation relation = (Relation) messages.get(1);
        assertThat(relation.columns()).extracting(Column::typeOid).containsExactly(INT4, 16, 1700, 1184, TEXT);
        TupleData row = ((Insert) messages.get(2)).newTuple();
        assertThat(row.kinds()).containsExactly('b', 'b', 'b', 'b', 'b');
        assertThat(new BigInteger(row.value(0)).intValueExact()).isEqualTo(258);
        assertThat(row.value(1)).containsExactly(1);
        // numeric 12.50: 2 base-10000 digits, weight 0, positive, display scale 2, digits 12 and 5000
        assertThat(HexFormat.of().formatHex(row.value(2))).isEqualTo("0002000000000002000c1388");
        assertThat(PgOutputTime.toInstant(ByteBuffer.wrap(row.value(3)).getLong()))
                .isEqualTo(Instant.parse("2024-05-06T07:08:09.123456Z"));
        assertThat(text(row, 4)).isEqualTo("bin");
        assertThat(((Insert) messages.get(5)).newTuple().kinds()).containsExactly('b', 'n', 'n', 'n', 'n');
    }

    @Test
    void everyTransactionEndIsTheLsnTheServerListsForIt() {
        int checked = 0;
        for (String file : PG17_FIXTURES) {
            List<PgOutputFixture.Row> rows = rows(file);
            List<PgOutputMessage> messages = decodeAll(file);
            for (int i = 0; i < messages.size(); i++) {
                Long end = transactionEnd(messages.get(i));
                if (end != null) {
                    assertThat(end).as("%s line %d", file, i + 1).isEqualTo(rows.get(i).lsn());
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(22);
    }

    /** The LSN a consumer confirms once the message's transaction (or prepare, or rollback) is durable. */
    private static Long transactionEnd(PgOutputMessage message) {
        if (message instanceof Commit c) {
            return c.endLsn();
        } else if (message instanceof StreamCommit c) {
            return c.endLsn();
        } else if (message instanceof PgOutputMessage.Prepare p) {
            return p.endLsn();
        } else if (message instanceof PgOutputMessage.StreamPrepare p) {
            return p.endLsn();
        } else if (message instanceof PgOutputMessage.CommitPrepared c) {
            return c.endLsn();
        } else if (message instanceof PgOutputMessage.RollbackPrepared r) {
            return r.rollbackEndLsn();
        }
        return null;
    }

    @Test
    void everyBeginAndCommitTimeIsTheServersCommitTimestamp() {
        int checked = 0;
        for (String file : PG17_FIXTURES) {
            for (PgOutputMessage message : decodeAll(file)) {
                if (message instanceof Begin begin) {
                    assertThat(PgOutputTime.toInstant(begin.commitTime())).as("xid %d", begin.xid())
                            .isEqualTo(commitTime(begin.xid()));
                    checked++;
                } else if (message instanceof StreamCommit commit) {
                    assertThat(PgOutputTime.toInstant(commit.commitTime())).as("xid %d", commit.xid())
                            .isEqualTo(commitTime(commit.xid()));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(16);
    }

    @Test
    void protocolOneFromPostgres15DecodesLikeProtocolFour() {
        List<PgOutputMessage> messages = decodeAll("pg15-proto1.txt");
        int item = catalog("pg15-catalog.txt").get("item");

        assertThat(messages).extracting(m -> (char) m.type()).containsExactly('B', 'R', 'I', 'C', 'B', 'U', 'C');
        assertThat(((Begin) messages.get(0)).xid()).isEqualTo(727);
        assertThat(((Relation) messages.get(1)).oid()).isEqualTo(item);
        assertThat(((Insert) messages.get(2)).newTuple()).hasToString("TupleData[t:'1', t:'proto one', n]");
        Update update = (Update) messages.get(5);
        assertThat(update.relationOid()).isEqualTo(item);
        assertThat(update.oldKey()).hasToString("TupleData[t:'1', n, n]");
        assertThat(update.newTuple()).hasToString("TupleData[t:'2', t:'proto one', n]");
        assertThat(((Commit) messages.get(6)).endLsn()).isEqualTo(lsn("0/1527480"));
    }
}
