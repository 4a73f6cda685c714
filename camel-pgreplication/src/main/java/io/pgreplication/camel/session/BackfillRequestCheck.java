package io.pgreplication.camel.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pgreplication.camel.admin.BackfillRequest;
import io.pgreplication.camel.lsn.Lsn;
import io.pgreplication.camel.table.TableFilter;
import io.pgreplication.camel.table.TableSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a backfill request read in the stream before {@link Backfills} acts on it. Any role that can log in may write
 * one, so a request only ever makes the consumer read again what it delivers anyway: one that is not transactional,
 * malformed or for another slot is skipped, and so are tables outside this consumer's tables or not found; each with
 * a WARN saying why.
 */
final class BackfillRequestCheck {

    /** A request to act on: its tables this consumer delivers, by OID. */
    record Accepted(BackfillRequest request, Map<Integer, TableSpec> tables) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackfillRequestCheck.class);

    private final String slot;
    private final TableFilter filter;
    private final Backfills.TableOids oids;

    BackfillRequestCheck(String slot, TableFilter filter, Backfills.TableOids oids) {
        this.slot = slot;
        this.filter = filter;
        this.oids = oids;
    }

    /** The request and its tables to backfill; null when nothing of it is to be done. */
    Accepted check(byte[] content, boolean transactional, long lsn) {
        String at = Lsn.format(lsn);
        if (!transactional) {
            LOG.warn("slot={} skipped a non-transactional {} message at {}: backfill requests are transactional"
                     + " (operation=backfill writes them so)", slot, BackfillRequest.PREFIX, at);
            return null;
        }
        BackfillRequest request;
        try {
            request = BackfillRequest.parse(content);
        } catch (IllegalArgumentException e) {
            LOG.warn("slot={} skipped a malformed {} message at {}: {}", slot, BackfillRequest.PREFIX, at,
                    e.getMessage());
            return null;
        }
        if (!slot.equals(request.slot())) {
            LOG.warn("slot={} skipped backfill request {} at {}: it is for slot {}", slot, request.id(), at,
                    request.slot());
            return null;
        }
        Map<Integer, TableSpec> accepted = new HashMap<>();
        List<TableSpec> outside = new ArrayList<>();
        List<TableSpec> missing = new ArrayList<>();
        for (TableSpec t : request.tables()) {
            int oid = oids.oidOf(t);
            if (oid == 0) {
                missing.add(t);
            } else if (filter.accepts(oid, t.schema(), t.table())) {
                accepted.put(oid, t);
            } else {
                outside.add(t);
            }
        }
        if (!outside.isEmpty()) {
            LOG.warn("slot={} backfill request {} at {}: skipped {}, outside this consumer's tables", slot,
                    request.id(), at, outside);
        }
        if (!missing.isEmpty()) {
            LOG.warn("slot={} backfill request {} at {}: skipped {}, no such table", slot, request.id(), at,
                    missing);
        }
        return accepted.isEmpty() ? null : new Accepted(request, accepted);
    }
}
