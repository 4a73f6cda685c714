package io.pgreplication.camel.snapshot;

import java.nio.charset.StandardCharsets;

import io.pgreplication.camel.admin.SnapshotQueries;
import io.pgreplication.camel.table.TableSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyTextTest {

    private static String[] split(String row, int columns) {
        byte[][] out = new byte[columns][];
        CopyText.split(row.getBytes(StandardCharsets.UTF_8), out);
        String[] s = new String[columns];
        for (int i = 0; i < columns; i++) {
            s[i] = out[i] == null ? null : new String(out[i], StandardCharsets.UTF_8);
        }
        return s;
    }

    @Test
    void plainValuesSplitOnTabsAndLoseTheTrailingNewline() {
        assertThat(split("1\tabc\t\n", 3)).containsExactly("1", "abc", "");
    }

    @Test
    void backslashNIsNullButAnEscapedBackslashBeforeNIsText() {
        assertThat(split("\\N\t\\\\N\n", 2)).containsExactly(null, "\\N");
    }

    @Test
    void escapesAreUndoneToTheTypeOutputText() {
        assertThat(split("a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh\n", 1)).containsExactly("a\tb\nc\rd\\e\bf\fg\u000bh");
        assertThat(split("\\101\\x42\\7\n", 1)).containsExactly("AB\u0007");
    }

    @Test
    void multiByteCharactersPassUntouched() {
        assertThat(split("ü🦆\t\\\\x8e\n", 2)).containsExactly("ü🦆", "\\x8e");
    }

    @Test
    void aRowWithAnotherColumnCountIsRefused() {
        assertThatThrownBy(() -> split("1\t2\n", 3)).hasMessageContaining("3 selected columns");
        assertThatThrownBy(() -> split("1\t2\t3\n", 2)).hasMessageContaining("2 selected columns");
    }

    @Test
    void copyStatementsQuoteNamesAndBoundCtidRanges() {
        TableSpec t = new TableSpec("Sales", "Order \"Items\"");
        assertThat(SnapshotQueries.copyStatement(t, java.util.List.of("id", "Qty"), null, -1, 512, false))
                .isEqualTo("COPY (SELECT \"id\", \"Qty\" FROM ONLY \"Sales\".\"Order \"\"Items\"\"\""
                           + " WHERE ctid < '(512,0)'::tid) TO STDOUT");
        assertThat(SnapshotQueries.copyStatement(t, java.util.List.of("id"), "(id > 5)", 512, -1, false))
                .endsWith("WHERE ctid >= '(512,0)'::tid AND ((id > 5))) TO STDOUT");
    }
}
