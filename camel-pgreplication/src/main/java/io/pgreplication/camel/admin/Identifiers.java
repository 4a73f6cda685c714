package io.pgreplication.camel.admin;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SQL identifier handling: quoting for statements and parsing of user-written names. Every name that reaches SQL goes
 * through {@link #quote(String)}; nothing a user passes is concatenated unescaped.
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

    /** Parses one identifier the SQL way: unquoted folds to lower case, quoted keeps everything. */
    public static String parse(String option, String text) {
        Scanner in = new Scanner(option, text,
                "one name; quote a name with capitals, spaces or dots: \"MyPublication\"");
        in.skipSpaces();
        String name = in.identifier();
        in.skipSpaces();
        if (!in.atEnd()) {
            throw in.error("unexpected '" + in.peek() + "'");
        }
        return name;
    }

    /** A small cursor over option text that reports errors with the option name and position. */
    static final class Scanner {
        private final String option;
        private final String text;
        private final String expectedForm;
        private int pos;

        Scanner(String option, String text, String expectedForm) {
            this.option = option;
            this.text = text;
            this.expectedForm = expectedForm;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return text.charAt(pos);
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                pos++;
            }
        }

        void expect(char c) {
            if (atEnd() || peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        String identifier() {
            if (atEnd()) {
                throw error("expected a name");
            }
            if (peek() == '"') {
                StringBuilder name = new StringBuilder();
                pos++;
                while (true) {
                    if (atEnd()) {
                        throw error("unterminated quoted name");
                    }
                    char c = text.charAt(pos++);
                    if (c == '"') {
                        if (!atEnd() && peek() == '"') {
                            name.append('"');
                            pos++;
                        } else {
                            break;
                        }
                    } else {
                        name.append(c);
                    }
                }
                if (name.length() == 0) {
                    throw error("empty quoted name");
                }
                return name.toString();
            }
            int start = pos;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '$')) {
                pos++;
            }
            if (start == pos || Character.isDigit(text.charAt(start))) {
                throw error("expected a name");
            }
            return text.substring(start, pos).toLowerCase(Locale.ROOT);
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("Invalid option " + option + "='" + text + "': " + problem
                                                + " at position " + (pos + 1) + ". Expected " + expectedForm);
        }
    }
}
