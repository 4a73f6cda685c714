package io.pgreplication.camel.table;

import java.util.regex.Pattern;

/**
 * SQL identifier quoting. Every name that reaches SQL goes through {@link #quote(String)}; nothing a user passes is
 * concatenated unescaped. (Reading names the SQL way from option text is the root package's OptionParser.)
 */
public final class Identifiers {

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    private Identifiers() {
    }

    /** Double-quotes an identifier, doubling any quote inside. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Single-quotes a string literal, doubling any quote inside (standard_conforming_strings is on since 9.1). */
    public static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** True for a valid replication slot name: lower-case letters, digits and underscores, 1 to 63 of them. */
    public static boolean isValidSlotName(String name) {
        return name != null && SLOT_NAME.matcher(name).matches();
    }
}
