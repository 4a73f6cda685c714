package io.pgreplication.camel.value;

import java.nio.ByteBuffer;

import io.pgreplication.camel.lsn.Lsn;

/**
 * Binary forms of some "other" built-in types (docs/types.md: String in PostgreSQL's text form) printed exactly as their
 * output functions print them, so these types need no fallback to text mode: inet/cidr, macaddr, macaddr8, bit and
 * varbit, oid, pg_lsn and "char". Types missing here (money, geometric types...) are streamed in text mode.
 */
final class TextForms {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TextForms() {
    }

    /** {@code inet_send}: family (2 = IPv4, 3 = IPv6), bits, is_cidr, address length, address. */
    static String inet(ByteBuffer b) {
        byte family = b.get();
        int bits = b.get() & 0xff;
        boolean cidr = b.get() != 0;
        byte[] address = new byte[b.get() & 0xff];
        b.get(address);
        StringBuilder out = new StringBuilder(48);
        int max;
        if (family == 2) {
            max = 32;
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ".").append(address[i] & 0xff);
            }
        } else {
            max = 128;
            ipv6(address, out);
        }
        if (bits != max || cidr) {
            out.append('/').append(bits);
        }
        return out.toString();
    }

    /** The longest run (at least two) of zero words becomes "::"; IPv4-mapped and -compatible addresses end dotted. */
    private static void ipv6(byte[] a, StringBuilder out) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (words[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && words[5] == 0xffff)) {
                out.append(a[12] & 0xff).append('.').append(a[13] & 0xff).append('.').append(a[14] & 0xff)
                        .append('.').append(a[15] & 0xff);
                break;
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            out.append(':');
        }
    }

    /** macaddr / macaddr8: lower-case hex pairs joined by ':'. */
    static String macaddr(ByteBuffer b) {
        StringBuilder out = new StringBuilder(24);
        while (b.hasRemaining()) {
            int v = b.get() & 0xff;
            if (out.length() > 0) {
                out.append(':');
            }
            out.append(HEX[v >> 4]).append(HEX[v & 15]);
        }
        return out.toString();
    }

    /** {@code bit_send}: Int32 length in bits, then the bits, most significant first. */
    static String bits(ByteBuffer b) {
        int length = b.getInt();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((b.get(b.position() + i / 8) >> (7 - i % 8) & 1) == 1 ? '1' : '0');
        }
        return out.toString();
    }

    static String oid(ByteBuffer b) {
        return Integer.toUnsignedString(b.getInt());
    }

    static String lsn(ByteBuffer b) {
        return Lsn.format(b.getLong());
    }

    /** "char": one byte; NUL prints empty, bytes with the high bit as a backslash and three octal digits. */
    static String singleChar(ByteBuffer b) {
        if (!b.hasRemaining()) {
            return "";
        }
        int c = b.get() & 0xff;
        if (c == 0) {
            return "";
        }
        if (c >= 0x80) {
            return "\\" + (c >> 6) + (c >> 3 & 7) + (c & 7);
        }
        return String.valueOf((char) c);
    }
}
