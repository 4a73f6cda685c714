package io.pgreplication.camel.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * libpq's two connection string forms, read into their parts: the URI
 * ({@code postgresql://user:pass@h1:5432,h2:5433/db?sslmode=require&target_session_attrs=read-write}) and the
 * keyword/value string ({@code host=h1,h2 port=5432,5433 dbname=db target_session_attrs=read-write}). Several hosts
 * are a comma list, with one port for all or one per host. Errors never echo the string: it may hold a password.
 *
 * @param hosts    one or more host names or addresses (IPv6 without brackets)
 * @param ports    one port per host
 * @param params   every other parameter, libpq's names
 */
record LibpqUrl(List<String> hosts, List<Integer> ports, String database, String user, String password,
        Map<String, String> params) {

    private static final int DEFAULT_PORT = 5432;

    /** True when {@code text} is a keyword/value connection string rather than a URL. */
    static boolean isKeywordValue(String text) {
        return text.matches("(?s)\\s*[A-Za-z_]+\\s*=.*");
    }

    /** Reads {@code postgresql://...} or {@code postgres://...}. */
    static LibpqUrl parseUri(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        int end = indexOfAny(rest, "/?");
        String authority = end < 0 ? rest : rest.substring(0, end);
        rest = end < 0 ? "" : rest.substring(end);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        if (!authority.isEmpty()) {
            for (String spec : authority.split(",", -1)) {
                hostAndPort(spec, hosts, ports);
            }
        }
        String database = "";
        String query = "";
        int q = rest.indexOf('?');
        if (rest.startsWith("/")) {
            database = decode(q < 0 ? rest.substring(1) : rest.substring(1, q));
        }
        if (q >= 0) {
            query = rest.substring(q + 1);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return of(hosts, ports, database, user, password, params);
    }

    /** Reads {@code host=h1,h2 port=5432 dbname=db user=app password='it''s'} (values may be single-quoted). */
    static LibpqUrl parseKeywordValue(String text) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw invalid("a keyword without '=' (expected keyword=value pairs separated by spaces)");
            }
            String key = text.substring(i, eq).trim();
            i = eq + 1;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw invalid("an unterminated quoted value");
                    }
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    value.append(c == '\\' && i < n ? text.charAt(i++) : c);
                }
            }
            params.put(key, value.toString());
        }
        String database = params.remove("dbname");
        String user = params.remove("user");
        String password = params.remove("password");
        return of(new ArrayList<>(), new ArrayList<>(), database == null ? "" : database, user, password, params);
    }

    /** Folds the {@code host}, {@code port} and {@code dbname} parameters in and pairs hosts with ports. */
    private static LibpqUrl of(List<String> hosts, List<String> ports, String database, String user, String password,
                               Map<String, String> params) {
        String userParam = params.remove("user");
        String passwordParam = params.remove("password");
        user = user != null ? user : userParam;
        password = password != null ? password : passwordParam;
        String hostParam = params.remove("host");
        String portParam = params.remove("port");
        String dbname = params.remove("dbname");
        if (hostParam != null && !hostParam.isEmpty()) {
            hosts = new ArrayList<>(List.of(hostParam.split(",", -1)));
        }
        if (portParam != null && !portParam.isEmpty()) {
            ports = new ArrayList<>(List.of(portParam.split(",", -1)));
        }
        if (hosts.isEmpty()) {
            hosts.add("localhost");
        }
        List<Integer> resolved = new ArrayList<>();
        if (ports.stream().allMatch(String::isEmpty) || ports.size() == 1) {
            int port = ports.isEmpty() || ports.get(0).isEmpty() ? DEFAULT_PORT : port(ports.get(0));
            hosts.forEach(h -> resolved.add(port));
        } else if (ports.size() == hosts.size()) {
            ports.forEach(p -> resolved.add(p.isEmpty() ? DEFAULT_PORT : port(p)));
        } else {
            throw invalid(hosts.size() + " hosts but " + ports.size() + " ports (give one port for all, or one per"
                          + " host)");
        }
        for (String host : hosts) {
            if (host.isEmpty()) {
                throw invalid("an empty host name in the host list");
            }
        }
        return new LibpqUrl(List.copyOf(hosts), List.copyOf(resolved), dbname != null ? dbname : database, user,
                password, params);
    }

    /**
     * libpq's {@code target_session_attrs} as pgjdbc's {@code targetServerType}: read-write and primary need the
     * primary, read-only and standby a standby, prefer-standby prefers one, any takes any.
     */
    static String targetServerType(String targetSessionAttrs) {
        return switch (targetSessionAttrs.toLowerCase(Locale.ROOT)) {
            case "any" -> "any";
            case "read-write", "primary" -> "primary";
            case "read-only", "standby" -> "secondary";
            case "prefer-standby" -> "preferSecondary";
            default -> throw invalid("target_session_attrs=" + targetSessionAttrs + " is not one of any, read-write,"
                                     + " primary, read-only, standby, prefer-standby");
        };
    }

    private static void hostAndPort(String spec, List<String> hosts, List<String> ports) {
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0) {
                throw invalid("an IPv6 address without its closing ]");
            }
            hosts.add(decode(spec.substring(1, close)));
            ports.add(spec.length() > close + 1 && spec.charAt(close + 1) == ':' ? spec.substring(close + 2) : "");
            return;
        }
        int colon = spec.lastIndexOf(':');
        hosts.add(decode(colon < 0 ? spec : spec.substring(0, colon)));
        ports.add(colon < 0 ? "" : spec.substring(colon + 1));
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("port '" + text + "' is not a number from 1 to 65535");
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("a malformed %-escape (special characters in user or password must be percent-encoded)");
        }
    }

    private static IllegalArgumentException invalid(String problem) {
        return new IllegalArgumentException("Invalid option url: " + problem + ". Expected postgresql://[user[:password]@]"
                                            + "host[:port][,host[:port]...]/db[?param=value], or host=h1,h2 port=5432"
                                            + " dbname=db ...");
    }
}
