package io.pgreplication.camel.pgoutput;

import static io.pgreplication.camel.pgoutput.PgOutputFixture.commitTime;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.decodeAll;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.lsn;
import static io.pgreplication.camel.pgoutput.PgOutputFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgreplication.camel.pgoutput.PgOutputMessage.BeginPrepare;
import io.pgreplication.camel.pgoutput.PgOutputMessage.CommitPrepared;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Insert;
import io.pgreplication.camel.pgoutput.PgOutputMessage.Prepare;
import io.pgreplication.camel.pgoutput.PgOutputMessage.RollbackPrepared;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamPrepare;
import io.pgreplication.camel.pgoutput.PgOutputMessage.StreamStart;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two-phase transactions (two_phase=on on a twophase slot), captured on PostgreSQL 17.5. */
class PgOutputDecoderTwoPhaseTest {

    @Test
    void preparedTransactionIsSentAtPrepareAndConfirmedByCommitPrepared() {
        List<PgOutputFixture.Row> rows = rows("two-phase.txt");
        List<PgOutputMessage> messages = decodeAll("two-phase.txt");

        BeginPrepare begin = (BeginPrepare) messages.get(0);
        assertThat(begin.xid()).isEqualTo(rows.get(0).xid()).isEqualTo(878);
        assertThat(begin.gid()).isEqualTo("cap-gid-commit");
        assertThat(begin.prepareLsn()).isEqualTo(lsn("0/17989C0"));
        assertThat(begin.endLsn()).isEqualTo(lsn("0/1798AC0"));
        assertThat(((Insert) messages.get(2)).newTuple()).hasToString("TupleData[t:'5', t:'prepared', n]");
        assertThat(messages.get(3)).isEqualTo(new Prepare((byte) 0, begin.prepareLsn(), begin.endLsn(),
                begin.prepareTime(), 878, "cap-gid-commit"));
        assertThat(rows.get(3).lsn()).isEqualTo(begin.endLsn());

        CommitPrepared commit = (CommitPrepared) messages.get(4);
        assertThat(commit.flags()).isZero();
        assertThat(commit.xid()).isEqualTo(878);
        assertThat(commit.gid()).isEqualTo("cap-gid-commit");
        assertThat(commit.commitLsn()).isEqualTo(lsn("0/1798AC0"));
        assertThat(commit.endLsn()).isEqualTo(rows.get(4).lsn()).isEqualTo(lsn("0/1798B08"));
        assertThat(PgOutputTime.toInstant(commit.commitTime())).isEqualTo(commitTime(878));
    }

    @Test
    void rollbackPreparedNamesThePrepareItUndoesAndWhereTheRollbackEnds() {
        List<PgOutputFixture.Row> rows = rows("two-phase.txt");
        List<PgOutputMessage> messages = decodeAll("two-phase.txt");

        BeginPrepare begin = (BeginPrepare) messages.get(5);
        assertThat(begin.gid()).isEqualTo("cap-gid-rollback");
        assertThat(begin.xid()).isEqualTo(879);
        Prepare prepare = (Prepare) messages.get(8);
        assertThat(prepare.endLsn()).isEqualTo(begin.endLsn()).isEqualTo(lsn("0/1798C98"));

        RollbackPrepared rollback = (RollbackPrepared) messages.get(9);
        assertThat(rollback.flags()).isZero();
        assertThat(rollback.xid()).isEqualTo(879);
        assertThat(rollback.gid()).isEqualTo("cap-gid-rollback");
        assertThat(rollback.prepareEndLsn()).isEqualTo(prepare.endLsn());
        assertThat(rollback.rollbackEndLsn()).isEqualTo(rows.get(9).lsn()).isEqualTo(lsn("0/1798CE0"));
        assertThat(rollback.prepareTime()).isEqualTo(prepare.prepareTime());
        assertThat(rollback.rollbackTime()).isGreaterThan(rollback.prepareTime());
        assertThat(PgOutputTime.toInstant(rollback.rollbackTime())).isBefore(commitTime(880));
    }

    @Test
    void streamedPreparedTransactionEndsWithStreamPrepare() {
        List<PgOutputFixture.Row> rows = rows("streaming-prepare.txt");
        List<PgOutputMessage> messages = decodeAll("streaming-prepare.txt");

        assertThat(messages.get(0)).isEqualTo(new StreamStart(880, true));
        assertThat(messages).filteredOn(m -> m instanceof Insert).hasSize(500)
                .allSatisfy(m -> assertThat(((Insert) m).xid()).isEqualTo(880));
        StreamPrepare prepare = (StreamPrepare) messages.get(506);
        assertThat(prepare.flags()).isZero();
        assertThat(prepare.xid()).isEqualTo(880);
        assertThat(prepare.gid()).isEqualTo("cap-gid-stream");
        assertThat(prepare.prepareLsn()).isEqualTo(lsn("0/17A8DC8"));
        assertThat(prepare.endLsn()).isEqualTo(rows.get(506).lsn());

        CommitPrepared commit = (CommitPrepared) messages.get(507);
        assertThat(commit.gid()).isEqualTo("cap-gid-stream");
        assertThat(commit.commitLsn()).isEqualTo(prepare.endLsn());
        assertThat(PgOutputTime.toInstant(commit.commitTime())).isEqualTo(commitTime(880));
    }
}
