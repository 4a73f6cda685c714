package io.pgreplication.camel.value;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: decoded values in a form whose equals compares byte[] by content. */
public final class ComparableValues {

    private ComparableValues() {
    }

    /** byte[] by content; maps and lists element-wise; everything else by equals (BigDecimal scale included). */
    public static Object comparable(Object v) {
        if (v instanceof byte[] bytes) {
            return "bytes:" + HexFormat.of().formatHex(bytes);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(e -> out.add(comparable(e)));
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, e) -> out.put(k, comparable(e)));
            return out;
        }
        return v;
    }
}
