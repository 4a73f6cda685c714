package io.pgreplication.camel.session;

import java.util.ArrayList;
import java.util.List;

import io.pgreplication.camel.admin.PublicationAdmin.PublishedColumn;
import io.pgreplication.camel.pgoutput.PgOutputMessage;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.value.TypeLookup;
import io.pgreplication.camel.value.ValueDecoders;

/**
 * Decides whether a session asks for binary values (docs/types.md). In binary mode pgoutput sends the send form of
 * every type that has one, so binary mode is only used when every delivered column's type has a binary decoder that
 * gives exactly the text mode value; otherwise the session streams text and says which column made it so.
 */
final class BinaryValues {

    private BinaryValues() {
    }

    /** The columns (as {@code schema.table.column (type OID n)}) that keep a session in text mode; empty if none. */
    static List<String> undecodable(List<PublishedColumn> columns, TableFilter filter, TypeLookup types) {
        List<String> out = new ArrayList<>();
        for (PublishedColumn c : columns) {
            if (filter.accepts(c.tableOid(), c.schema(), c.table())
                && !ValueDecoders.forType(c.typeOid(), types).decodesBinary()) {
                out.add(c.schema() + "." + c.table() + "." + c.column() + " (type OID " + c.typeOid() + ")");
            }
        }
        return out;
    }

    /** The same check for a Relation message that arrives while streaming binary (a column added by DDL). */
    static List<String> undecodable(PgOutputMessage.Relation relation, TableFilter filter, TypeLookup types) {
        String schema = relation.schema();
        List<String> out = new ArrayList<>();
        if (filter.accepts(relation.oid(), schema, relation.name())) {
            for (PgOutputMessage.Column c : relation.columns()) {
                if (!ValueDecoders.forType(c.typeOid(), types).decodesBinary()) {
                    out.add(schema + "." + relation.name() + "." + c.name() + " (type OID " + c.typeOid() + ")");
                }
            }
        }
        return out;
    }
}
