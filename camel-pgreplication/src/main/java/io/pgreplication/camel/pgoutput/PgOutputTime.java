package io.pgreplication.camel.pgoutput;

import java.time.Instant;

/** Converts the protocol's timestamps (microseconds since 2000-01-01 00:00 UTC) to {@link Instant}. */
public final class PgOutputTime {

    /** 2000-01-01T00:00:00Z in microseconds since the Unix epoch. */
    static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private PgOutputTime() {
    }

    public static Instant toInstant(long postgresMicros) {
        long unixMicros = postgresMicros + POSTGRES_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(unixMicros, 1_000_000L), Math.floorMod(unixMicros, 1_000_000L) * 1_000L);
    }
}
