package io.pgreplication.camel.it.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.pgreplication.camel.it.TestDatabase;

/**
 * The data check every fault test ends with, and the one place the reliability table is printed (to stdout and
 * appended to {@code target/reliability-report.md}, which docs/reliability.md is made from).
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

    private ReliabilityReport() {
    }

    public static Result check(TestDatabase db, String table, String sink) {
        List<String> row = List.of(db.queryString(
                "SELECT concat_ws(',',"
                + " (SELECT coalesce(sum(seq), 0) FROM " + table + "),"
                + " (SELECT count(*) FROM (SELECT DISTINCT id, seq FROM " + sink + ") d),"
                + " (SELECT count(*) FROM " + table + " t, generate_series(1, t.seq) g(s)"
                + "   WHERE NOT EXISTS (SELECT 1 FROM " + sink + " k WHERE k.id = t.id AND k.seq = g.s)),"
                + " (SELECT count(*) FROM " + sink + ") - (SELECT count(*) FROM (SELECT DISTINCT id, seq FROM "
                + sink + ") d))").split(","));
        return new Result(Long.parseLong(row.get(0)), Long.parseLong(row.get(1)), Long.parseLong(row.get(2)),
                Long.parseLong(row.get(3)));
    }

    /** Prints one line of the reliability table. */
    public static synchronized void print(String fault, int injected, Result r) {
        String line = "| " + fault + " | " + injected + " | " + r.written() + " | " + r.delivered() + " | " + r.lost()
                      + " | " + r.duplicated() + " |\n";
        System.out.print("RELIABILITY " + line);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot write " + FILE + ": " + e);
        }
    }
}
