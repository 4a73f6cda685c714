package io.pgreplication.camel.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.table.TableSpec;
import io.pgreplication.camel.value.TypeInfo;

/** A catalog that knows the types a test gives it, no primary keys beyond the messages' flags, and one holder. */
final class FakeCatalog implements Catalog {

    private final Map<Integer, TypeInfo> types = new HashMap<>();
    private final Map<TableSpec, Integer> tables = new HashMap<>();
    private int forgotten;

    FakeCatalog with(TypeInfo type) {
        types.put(type.oid(), type);
        return this;
    }

    FakeCatalog withTable(String schema, String table, int oid) {
        tables.put(new TableSpec(schema, table), oid);
        return this;
    }

    @Override
    public int tableOid(TableSpec table) {
        return tables.getOrDefault(table, 0);
    }

    @Override
    public List<String> primaryKey(int relationOid) {
        return List.of();
    }

    @Override
    public TypeInfo type(int oid) {
        TypeInfo type = types.get(oid);
        if (type == null) {
            throw new IllegalStateException("the test gave no type " + oid);
        }
        return type;
    }

    @Override
    public void forgetTypes() {
        forgotten++;
    }

    @Override
    public void close() {
    }

    int forgotten() {
        return forgotten;
    }
}
