package io.pgreplication.camel.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.table.FollowedTables;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what a Relation message shows has changed under the options, so that nothing changes silently: a delivered
 * table under another name (a table named in {@code tables} keeps being delivered, since publications and the filter
 * hold tables by OID; a table moved out of a {@code schema.*} entry's schema stops being delivered), and a column
 * that {@code includeColumns} lists but the table no longer has (renamed or dropped). Relation messages come once per
 * table and stream and again after DDL, so this costs nothing per change.
 */
final class RelationWatch {

    private static final Logger LOG = LoggerFactory.getLogger(RelationWatch.class);

    private final String slot;
    private final FollowedTables tables;
    private final IncludeColumns columns;
    /** The name each delivered table was last seen under, by OID; named tables start with the option's name. */
    private final Map<Integer, TableSpec> names;
    /** The listed columns last found missing, by table OID, so each change is said once. */
    private final Map<Integer, List<String>> missingColumns = new HashMap<>();

    RelationWatch(String slot, FollowedTables tables, IncludeColumns columns) {
        this.slot = slot;
        this.tables = tables;
        this.columns = columns;
        this.names = new HashMap<>(tables.named());
    }

    void onRelation(PgOutputMessage.Relation relation) {
        TableSpec now = new TableSpec(relation.schema(), relation.name());
        boolean delivered = tables.accepts(relation.oid(), now.schema(), now.table());
        onName(relation.oid(), now, delivered);
        if (delivered) {
            onColumns(relation, now);
        }
    }

    private void onName(int oid, TableSpec now, boolean delivered) {
        TableSpec before = delivered ? names.put(oid, now) : names.remove(oid);
        if (before == null || before.equals(now)) {
            return;
        }
        TableSpec named = tables.named().get(oid);
        if (!delivered) {
            LOG.warn("slot={} table {} is now {}, outside option tables: its changes are no longer delivered", slot,
                    before, now);
        } else if (named != null) {
            LOG.warn("slot={} table {} is now {} (renamed or moved to another schema): its changes keep coming under"
                     + " the new name. Option tables names it {}, which no longer exists: give the new name before"
                     + " the consumer starts again", slot, named, now, named);
        } else {
            LOG.warn("slot={} table {} is now {} (renamed): its changes keep coming under the new name", slot, before,
                    now);
        }
    }

    private void onColumns(PgOutputMessage.Relation relation, TableSpec table) {
        List<String> listed = columns.columnsOf(relation.oid(), table.schema(), table.table());
        if (listed == null) {
            return;
        }
        List<String> missing = new ArrayList<>(listed);
        for (PgOutputMessage.Column c : relation.columns()) {
            missing.remove(c.name());
        }
        List<String> before = missing.isEmpty() ? missingColumns.remove(relation.oid())
                : missingColumns.put(relation.oid(), missing);
        if (!missing.isEmpty() && !missing.equals(before)) {
            LOG.warn("slot={} option includeColumns lists {} of table {}, which the table no longer has (renamed or"
                     + " dropped, or left out of the publication's column list): its batches come without them. Fix"
                     + " option includeColumns before the consumer starts again", slot, missing, table);
        }
    }
}
