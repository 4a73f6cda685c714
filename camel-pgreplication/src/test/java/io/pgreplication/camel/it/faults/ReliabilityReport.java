package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.pgreplication.camel.it.TestDatabase;

/**
 * The data check every fault test ends with, and the one place the reliability table is printed (to stdout and
 * to {@code target/reliability-report.md}, one table per test run, which docs/reliability.md is made from).
 */
public final class ReliabilityReport {

    private static final Path FILE = Path.of(System.getProperty("faults.report", "target/reliability-report.md"));
    private static final String HEADER = "| fault | injected | written | delivered | lost | duplicated |\n"
                                         + "|---|---:|---:|---:|---:|---:|\n";

    /**
     * written: changes the source proves committed (sum of final seq); delivered: distinct (id, seq) pairs in the
     * sink; lost: committed pairs missing from the sink; duplicated: sink rows beyond the distinct pairs.
     */
    public record Result(long written, long delivered, long lost, long duplicated) {
    }

    private static boolean started;

    private ReliabilityReport() {
    }

    public static Result check(TestDatabase db, String table, String sink) {
        return check(db, table, sink, null);
    }

    /**
     * The check, leaving out the changes a fault legitimately took away: {@code gap} names a table
     * {@code (id, after_seq, until_seq)} whose changes {@code after_seq < seq <= until_seq} of key {@code id} are not
     * counted (e.g. written while the publication did not exist).
     */
    public static Result check(TestDatabase db, String table, String sink, String gap) {
        return check(db, table, sink, gap, false);
    }

    /**
     * The check after an initial snapshot: a key's changes before its snapshot value arrive only as that value, so
     * each key counts from the lowest seq the sink holds (from 1 for a key the sink never saw: it counts as lost).
     */
    public static Result checkAfterSnapshot(TestDatabase db, String table, String sink) {
        return check(db, table, sink, null, true);
    }

    private static Result check(TestDatabase db, String table, String sink, String gap, boolean fromLowest) {
        // Joins and anti-joins only: the sink holds tens of thousands of rows and has no index.
        String with = "WITH lo AS (SELECT id, min(seq) AS lo FROM " + sink + " GROUP BY id),"
                      + " committed AS (SELECT t.id, g.s AS seq FROM " + table + " t LEFT JOIN lo USING (id),"
                      + " generate_series(" + (fromLowest ? "coalesce(lo.lo, 1)" : "1") + ", t.seq) g(s)"
                      + (gap == null ? "" : " WHERE NOT EXISTS (SELECT 1 FROM " + gap + " x WHERE x.id = t.id"
                                            + " AND g.s > x.after_seq AND g.s <= x.until_seq)") + "),"
                      + " matched AS (SELECT k.id, k.seq FROM " + sink + " k JOIN committed c USING (id, seq)) ";
        String[] row = db.queryString(with + "SELECT concat_ws(',', (SELECT count(*) FROM committed),"
                                      + " (SELECT count(*) FROM (SELECT DISTINCT id, seq FROM matched) d),"
                                      + " (SELECT count(*) FROM committed c WHERE NOT EXISTS (SELECT 1 FROM " + sink
                                      + " k WHERE k.id = c.id AND k.seq = c.seq)),"
                                      + " (SELECT count(*) FROM matched)"
                                      + " - (SELECT count(*) FROM (SELECT DISTINCT id, seq FROM matched) d))")
                .split(",");
        return new Result(Long.parseLong(row[0]), Long.parseLong(row[1]), Long.parseLong(row[2]),
                Long.parseLong(row[3]));
    }

    /** Prints one line of the reliability table. */
    public static void print(String fault, int injected, Result r) {
        print(fault, injected, r.written(), r.delivered(), String.valueOf(r.lost()), r.duplicated());
    }

    /** A line whose lost column is a note: a fault that destroys data by design (an invalidated slot). */
    public static synchronized void print(String fault, int injected, long written, long delivered, String lost,
                                          long duplicated) {
        String line = "| " + fault + " | " + injected + " | " + written + " | " + delivered + " | " + lost + " | "
                      + duplicated + " |\n";
        System.out.print("RELIABILITY " + line);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            if (!started) {
                // One table per test run: the first line of this JVM replaces the file of an earlier run.
                started = true;
                Files.writeString(FILE, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot write " + FILE + ": " + e);
        }
    }
}
