package io.pgreplication.camel.value;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Arrays as Lists (nested for more dimensions, null for NULL elements), from the text literal ({@code {1,2,NULL}},
 * {@code {{"a b","c\"d"}}}, {@code [0:1]={...}}) or from {@code array_send}. Lower bounds are not kept.
 */
final class ArrayDecoder implements ValueDecoder {

    private final ValueDecoder element;
    private final char delimiter;

    ArrayDecoder(ValueDecoder element, char delimiter) {
        this.element = element;
        this.delimiter = delimiter;
    }

    @Override
    public boolean decodesBinary() {
        return element.decodesBinary();
    }

    // ---- text

    @Override
    public Object decodeText(byte[] text) {
        return decodeText(text, 0, text.length);
    }

    @Override
    public Object decodeText(byte[] data, int offset, int length) {
        String s = new String(data, offset, length, StandardCharsets.UTF_8);
        int start = 0;
        if (s.charAt(0) == '[') {
            // Dimension decoration, printed when a lower bound is not 1.
            start = s.indexOf('=') + 1;
        }
        int[] position = {start};
        return list(s, position);
    }

    /** Parses the {...} at position[0], leaving position[0] after its closing brace. */
    private List<Object> list(String s, int[] position) {
        int i = position[0];
        if (s.charAt(i) != '{') {
            throw new IllegalArgumentException("Malformed array literal at offset " + i + ": " + s);
        }
        i++;
        List<Object> out = new ArrayList<>();
        if (s.charAt(i) == '}') {
            position[0] = i + 1;
            return out;
        }
        while (true) {
            char c = s.charAt(i);
            if (c == '{') {
                position[0] = i;
                out.add(list(s, position));
                i = position[0];
            } else if (c == '"') {
                StringBuilder value = new StringBuilder();
                i++;
                while ((c = s.charAt(i)) != '"') {
                    if (c == '\\') {
                        i++;
                        c = s.charAt(i);
                    }
                    value.append(c);
                    i++;
                }
                i++;
                out.add(element.decodeText(value.toString().getBytes(StandardCharsets.UTF_8)));
            } else {
                int end = i;
                while (s.charAt(end) != delimiter && s.charAt(end) != '}') {
                    end++;
                }
                String value = s.substring(i, end);
                out.add("NULL".equalsIgnoreCase(value) ? null
                        : element.decodeText(value.getBytes(StandardCharsets.UTF_8)));
                i = end;
            }
            c = s.charAt(i);
            if (c == '}') {
                position[0] = i + 1;
                return out;
            }
            if (c != delimiter) {
                throw new IllegalArgumentException("Malformed array literal at offset " + i + ": " + s);
            }
            i++;
        }
    }

    // ---- binary

    /** {@code array_send}: Int32 dimensions, Int32 has-nulls, Int32 element OID, (Int32 size, Int32 lower bound) per
     * dimension, then per element an Int32 length (-1 for NULL) and its send form. */
    @Override
    public Object decodeBinary(byte[] binary) {
        return decodeBinary(binary, 0, binary.length);
    }

    @Override
    public Object decodeBinary(byte[] data, int offset, int length) {
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        int ndim = b.getInt();
        b.getInt();
        b.getInt();
        if (ndim == 0) {
            return new ArrayList<>();
        }
        int[] sizes = new int[ndim];
        for (int d = 0; d < ndim; d++) {
            sizes[d] = b.getInt();
            b.getInt();
        }
        return dimension(b, sizes, 0);
    }

    private List<Object> dimension(ByteBuffer b, int[] sizes, int d) {
        int n = sizes[d];
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(d + 1 < sizes.length ? dimension(b, sizes, d + 1) : element(b));
        }
        return out;
    }

    private Object element(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0) {
            return null;
        }
        ByteBuffer value = b.slice(b.position(), length);
        b.position(b.position() + length);
        if (element instanceof ValueDecoders.Simple simple) {
            return simple.decodeBinary(value);
        }
        byte[] copy = new byte[length];
        value.get(copy);
        return element.decodeBinary(copy);
    }
}
