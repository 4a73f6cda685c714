package io.pgreplication.camel.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The {@code before} and {@code after} map of a change event: column name to value, in table column order.
 *
 * <p>A {@link LinkedHashMap} per row costs a hash node per column on the per-change path. This map keeps the values
 * of one row in one array and shares the column names, and the index from name to position, with every other row of
 * the same {@link TableShape}. Columns the row does not hold (unchanged TOAST, columns left out by includeColumns)
 * are absent, not null.
 *
 * <p>To a route it is an ordinary mutable map with a predictable order: {@code get}, {@code containsKey}, iteration,
 * removing a key and replacing the value of a present column work in place. The first change that adds a key (a new
 * one, or a column that is absent) copies the row into a {@code LinkedHashMap}, which puts it last as a
 * {@code LinkedHashMap} would and serves every later call. Not thread-safe, like {@code LinkedHashMap}.
 */
final class RowMap extends AbstractMap<String, Object> {

    private static final Object ABSENT = new Object();

    private final TableShape shape;
    private final Object[] values;
    private int size;
    /** Once a key was added: the row as a LinkedHashMap, which then answers everything. */
    private LinkedHashMap<String, Object> copied;

    /** An empty row of {@code shape}'s columns; {@link #set} fills it. */
    RowMap(TableShape shape) {
        this.shape = shape;
        this.values = new Object[shape.columnCount()];
        Arrays.fill(values, ABSENT);
    }

    /** Sets column {@code column} (by position in the table); only for building a row before it is handed out. */
    void set(int column, Object value) {
        if (values[column] == ABSENT) {
            size++;
        }
        values[column] = value;
    }

    /** Makes column {@code column} absent; only for building a row before it is handed out. */
    void unset(int column) {
        if (values[column] != ABSENT) {
            size--;
            values[column] = ABSENT;
        }
    }

    boolean has(int column) {
        return values[column] != ABSENT;
    }

    Object valueAt(int column) {
        Object value = values[column];
        return value == ABSENT ? null : value;
    }

    @Override
    public int size() {
        return copied != null ? copied.size() : size;
    }

    @Override
    public boolean containsKey(Object key) {
        if (copied != null) {
            return copied.containsKey(key);
        }
        int column = shape.indexOf(key);
        return column >= 0 && values[column] != ABSENT;
    }

    @Override
    public Object get(Object key) {
        if (copied != null) {
            return copied.get(key);
        }
        int column = shape.indexOf(key);
        return column >= 0 ? valueAt(column) : null;
    }

    @Override
    public Object put(String key, Object value) {
        if (copied == null) {
            int column = shape.indexOf(key);
            if (column >= 0 && values[column] != ABSENT) {
                Object old = values[column];
                values[column] = value;
                return old;
            }
            copy();
        }
        return copied.put(key, value);
    }

    @Override
    public Object remove(Object key) {
        if (copied != null) {
            return copied.remove(key);
        }
        // Removing keeps the order of the other columns: no copy needed.
        int column = shape.indexOf(key);
        if (column < 0 || values[column] == ABSENT) {
            return null;
        }
        Object old = values[column];
        unset(column);
        return old;
    }

    @Override
    public void clear() {
        if (copied != null) {
            copied.clear();
        } else {
            Arrays.fill(values, ABSENT);
            size = 0;
        }
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        if (copied != null) {
            copied.forEach(action);
            return;
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != ABSENT) {
                action.accept(shape.name(i), values[i]);
            }
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return copied != null ? copied.entrySet() : new Entries();
    }

    private void copy() {
        LinkedHashMap<String, Object> map = new LinkedHashMap<>(Math.max(16, size * 2));
        forEach(map::put);
        copied = map;
    }

    /** The present columns in table order; setValue and the iterator's remove write through. */
    private final class Entries extends AbstractSet<Entry<String, Object>> {

        @Override
        public int size() {
            return RowMap.this.size();
        }

        @Override
        public Iterator<Entry<String, Object>> iterator() {
            if (copied != null) {
                return copied.entrySet().iterator();
            }
            return new Iterator<>() {
                private int next = advance(0);
                private int last = -1;

                private int advance(int from) {
                    int i = from;
                    while (i < values.length && values[i] == ABSENT) {
                        i++;
                    }
                    return i;
                }

                @Override
                public boolean hasNext() {
                    return next < values.length;
                }

                @Override
                public Entry<String, Object> next() {
                    if (next >= values.length) {
                        throw new NoSuchElementException();
                    }
                    last = next;
                    next = advance(next + 1);
                    return new Column(last);
                }

                @Override
                public void remove() {
                    if (last < 0 || values[last] == ABSENT) {
                        throw new IllegalStateException();
                    }
                    // Removing during iteration keeps the order of the rest: no copy needed.
                    unset(last);
                    last = -1;
                }
            };
        }
    }

    /** One present column; reads and writes the row itself. */
    private final class Column implements Entry<String, Object> {
        private final int column;

        Column(int column) {
            this.column = column;
        }

        @Override
        public String getKey() {
            return shape.name(column);
        }

        @Override
        public Object getValue() {
            return copied != null ? copied.get(getKey()) : valueAt(column);
        }

        @Override
        public Object setValue(Object value) {
            if (copied != null) {
                return copied.put(getKey(), value);
            }
            Object old = values[column];
            if (old == ABSENT) {
                throw new IllegalStateException("column " + getKey() + " was removed from the row");
            }
            values[column] = value;
            return old;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Entry<?, ?> e && getKey().equals(e.getKey())
                   && Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return getKey().hashCode() ^ Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return getKey() + "=" + getValue();
        }
    }
}
