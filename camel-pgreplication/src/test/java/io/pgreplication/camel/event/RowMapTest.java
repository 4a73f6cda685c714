package io.pgreplication.camel.event;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.pgreplication.camel.value.TypeLookup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A row map must behave exactly like the LinkedHashMap it replaces, order included, under any use a route makes. */
class RowMapTest {

    private static final List<String> COLUMNS = List.of("id", "name", "qty", "note", "big");

    private static TableShape shape() {
        List<TableDefinition.Column> columns = new ArrayList<>();
        for (String c : COLUMNS) {
            columns.add(new TableDefinition.Column(c, 25, -1, c.equals("id"), "text"));
        }
        return new TableShape(new TableDefinition(1, "public", "t", (byte) 'd', columns), true, null,
                TypeLookup.NONE);
    }

    /** A row as the assembler builds it: columns set in table order, 'big' absent (unchanged TOAST). */
    private static RowMap row(TableShape shape) {
        RowMap row = new RowMap(shape);
        row.set(0, 7L);
        row.set(1, "seven");
        row.set(2, null);
        row.set(3, "n");
        return row;
    }

    private static LinkedHashMap<String, Object> reference() {
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        map.put("id", 7L);
        map.put("name", "seven");
        map.put("qty", null);
        map.put("note", "n");
        return map;
    }

    @Test
    void readsLikeTheLinkedHashMapItReplaces() {
        RowMap row = row(shape());
        Map<String, Object> expected = reference();

        assertThat(row).isEqualTo(expected);
        assertThat(expected).isEqualTo(row);
        assertThat(row.hashCode()).isEqualTo(expected.hashCode());
        assertThat(row.toString()).isEqualTo(expected.toString());
        assertThat(List.copyOf(row.keySet())).containsExactly("id", "name", "qty", "note");
        assertThat(row.size()).isEqualTo(4);
        assertThat(row.containsKey("qty")).isTrue();
        assertThat(row.get("qty")).isNull();
        assertThat(row.containsKey("big")).as("an unchanged TOAST column is absent, not null").isFalse();
        assertThat(row.containsKey("nope")).isFalse();
        assertThat(row.get(42)).isNull();
        List<String> seen = new ArrayList<>();
        row.forEach((k, v) -> seen.add(k + "=" + v));
        assertThat(seen).containsExactly("id=7", "name=seven", "qty=null", "note=n");
    }

    @Test
    void keepsTheOrderOfALinkedHashMapUnderRandomChanges() {
        TableShape shape = shape();
        Random random = new Random(42);
        String[] keys = {"id", "name", "qty", "note", "big", "extra", "lsn"};
        for (int round = 0; round < 2_000; round++) {
            RowMap row = row(shape);
            Map<String, Object> expected = reference();
            for (int step = 0; step < 6; step++) {
                String key = keys[random.nextInt(keys.length)];
                switch (random.nextInt(5)) {
                    case 0 -> assertThat(row.put(key, step)).isEqualTo(expected.put(key, step));
                    case 1 -> assertThat(row.remove(key)).isEqualTo(expected.remove(key));
                    case 2 -> {
                        Iterator<Map.Entry<String, Object>> a = row.entrySet().iterator();
                        Iterator<Map.Entry<String, Object>> b = expected.entrySet().iterator();
                        while (a.hasNext()) {
                            Map.Entry<String, Object> x = a.next();
                            Map.Entry<String, Object> y = b.next();
                            assertThat(x).isEqualTo(y);
                            if (x.getKey().equals(key)) {
                                a.remove();
                                b.remove();
                            } else if (random.nextBoolean()) {
                                assertThat(x.setValue("v" + step)).isEqualTo(y.setValue("v" + step));
                            }
                        }
                        assertThat(b.hasNext()).isFalse();
                    }
                    case 3 -> assertThat(row.putIfAbsent(key, "p")).isEqualTo(expected.putIfAbsent(key, "p"));
                    default -> assertThat(row.getOrDefault(key, "d")).isEqualTo(expected.getOrDefault(key, "d"));
                }
                assertThat(List.copyOf(row.entrySet())).isEqualTo(List.copyOf(expected.entrySet()));
                assertThat(row).isEqualTo(expected);
                assertThat(row.size()).isEqualTo(expected.size());
            }
        }
    }

    @Test
    void clearsAndRejectsWritesThroughARemovedEntry() {
        RowMap row = row(shape());
        Iterator<Map.Entry<String, Object>> it = row.entrySet().iterator();
        Map.Entry<String, Object> first = it.next();
        it.remove();
        assertThat(row.containsKey("id")).isFalse();
        assertThatThrownBy(() -> first.setValue(1L)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);

        row.clear();
        assertThat(row).isEmpty();
        assertThat(row.entrySet().iterator().hasNext()).isFalse();
        row.put("name", "again");
        assertThat(row).containsExactly(Map.entry("name", "again"));
    }
}
