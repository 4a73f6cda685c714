package io.pgreplication.camel.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pgreplication.camel.admin.SnapshotQueries;
import io.pgreplication.camel.admin.TableCatalog;
import io.pgreplication.camel.event.ChangeEvent;
import io.pgreplication.camel.event.RelationMetadata;
import io.pgreplication.camel.event.TableDefinition;
import io.pgreplication.camel.event.TableShape;
import io.pgreplication.camel.table.IncludeColumns;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeLookup;

/**
 * One published table as the snapshot reads it: the stream's {@link TableShape} of the table (so the columns, the
 * key, the includeColumns projection, the values and the relation metadata are those a streamed batch of it has), the
 * columns to select, and how: binary COPY when every selected column decodes exactly from its send form, like
 * pgoutput's binary values; otherwise text COPY, the type's output function, like pgoutput's text values. Immutable;
 * shared by the workers.
 */
final class SnapshotTable {

    private final TableCatalog.PublishedTable published;
    private final TableShape shape;
    private final List<String> selected;
    private final boolean binary;

    SnapshotTable(TableCatalog.PublishedTable published, IncludeColumns includeColumns, TypeLookup types) {
        this.published = published;
        TableSpec t = published.table();
        List<TableDefinition.Column> columns = new ArrayList<>(published.columns().size());
        for (TableCatalog.Column c : published.columns()) {
            columns.add(new TableDefinition.Column(c.name(), c.typeOid(), c.typeModifier(), c.key(),
                    TableDefinition.typeName(c.typeOid(), published.typeNames())));
        }
        TableDefinition definition = new TableDefinition(published.oid(), t.schema(), t.table(),
                published.replicaIdentity(), columns);
        this.shape = new TableShape(definition, true, includeColumns.columnsOf(published.oid(), t.schema(), t.table()), types);
        this.selected = shape.selectedColumns();
        this.binary = shape.selectedDecodeBinary();
    }

    RelationMetadata metadata() {
        return shape.metadata();
    }

    /** The relations holding the rows: the table, or the leaf partitions of a partitioned table. */
    List<TableSpec> sources() {
        return published.sources();
    }

    String copyStatement(TableSpec source, long fromPage, long toPage) {
        return SnapshotQueries.copyStatement(source, selected, published.rowFilter(), fromPage, toPage, binary);
    }

    /**
     * True when every selected column decodes exactly from its binary form: the table is then read with binary COPY,
     * whose values are the same send-function bytes pgoutput's binary mode carries (cheaper to decode than text).
     */
    boolean binary() {
        return binary;
    }

    int columnCount() {
        return selected.size();
    }

    /** The snapshot event of one COPY row, split into {@code values} (binary or text as {@link #binary()} says). */
    ChangeEvent event(byte[][] values, long consistentPoint) {
        return shape.snapshotEvent(values, binary, consistentPoint);
    }
}
