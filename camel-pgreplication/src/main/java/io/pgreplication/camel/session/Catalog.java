package io.pgreplication.camel.session;

import java.sql.SQLException;

import io.pgreplication.camel.event.EventAssembler;
import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeLookup;

/**
 * The catalog look-ups the read loop needs: the primary key of a table (REPLICA IDENTITY FULL or NOTHING, asked once
 * per Relation message), types that are not built in, and the OID of a named table. An interface so the read loop can
 * be tested without a server.
 */
interface Catalog extends EventAssembler.PrimaryKeyLookup, TypeLookup, AutoCloseable {

    /** DDL may have changed types: the next look-ups read them again. */
    void forgetTypes();

    /** The OID of a table as named now, 0 when there is none (a backfill request names its tables). */
    int tableOid(TableSpec table);

    @Override
    void close() throws SQLException;
}
