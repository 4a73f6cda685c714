package io.pgreplication.camel.server;

import io.pgreplication.camel.lsn.Lsn;

/**
 * Where a consumer records, outside PostgreSQL, how far it confirmed a slot on a server (the {@code offsetRepository}
 * option), so that a slot the server lost is noticed instead of silently made again (docs/high-availability.md). The
 * key names the slot and the server's system identifier; the value is the confirmed LSN, or empty once cleared.
 */
public interface OffsetStore {

    /** No repository: nothing recorded, nothing known. */
    OffsetStore NONE = new OffsetStore() {
        @Override
        public boolean isConfigured() {
            return false;
        }

        @Override
        public Lsn recorded(String slot, String systemIdentifier) {
            return null;
        }

        @Override
        public void record(String slot, String systemIdentifier, Lsn confirmed) {
        }

        @Override
        public void clear(String slot, String systemIdentifier) {
        }
    };

    /** The key of a slot on a server: {@code <slot>@<system identifier>}, e.g. {@code orders@7412345678901234567}. */
    static String key(String slot, String systemIdentifier) {
        return slot + "@" + systemIdentifier;
    }

    /** True when a repository is configured. */
    boolean isConfigured();

    /** The confirmed position recorded for the slot on that server; null when none is recorded or it was cleared. */
    Lsn recorded(String slot, String systemIdentifier);

    void record(String slot, String systemIdentifier, Lsn confirmed);

    /** Forgets the slot's position on that server: what {@code reset=true} and {@code operation=dropSlot} do. */
    void clear(String slot, String systemIdentifier);
}
