package io.pgreplication.camel.value;

/**
 * Turns a column value in PostgreSQL's text output form into its Java value (SPEC §4), chosen once per column from
 * the type OID. The replication session runs with {@code DateStyle=ISO}, {@code TimeZone=UTC},
 * {@code IntervalStyle=iso_8601}, {@code bytea_output=hex} and {@code extra_float_digits=3}, which is what these
 * parsers expect. Types not handled here arrive as their text form.
 */
@FunctionalInterface
public interface TextValueDecoder {

    Object decode(byte[] text);

    /** The decoder for a column of type {@code typeOid}; never null. */
    static TextValueDecoder forType(int typeOid) {
        return TextDecoders.forType(typeOid);
    }
}
