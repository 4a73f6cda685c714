package io.pgreplication.camel.session;

import java.lang.management.ManagementFactory;

import io.pgreplication.camel.lsn.Lsn;

/**
 * The message of a session stopped by an {@link Error}: what happened and where, what the slot holds, and for an
 * OutOfMemoryError the settings memory depends on (batchSize, maxBatchBytes) and the heap, so the fix is in the
 * message (docs/user-guide.md, "Memory").
 */
final class FatalErrors {

    private FatalErrors() {
    }

    /** An exception explaining {@code error}, with {@code error} as its cause. */
    static IllegalStateException explain(SessionOptions options, Throwable error, boolean snapshot, Lsn confirmed) {
        Throwable cause = error;
        while (!(cause instanceof Error) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        SessionOptions.Batching batching = options.batching();
        String settings = "batchSize=" + batching.size() + ", maxBatchBytes=" + size(batching.maxBytes())
                          + ", snapshotParallelism=" + options.snapshot().parallelism() + "; " + heap();
        String where = snapshot ? "while taking the initial snapshot" : "while streaming";
        String slotState = snapshot
                ? "No slot was made, so the snapshot is taken again when the route is restarted"
                : "The slot stays " + (confirmed.isValid() ? "at " + confirmed : "where it was (this consumer"
                                                                                  + " confirmed nothing)")
                  + ", past nothing a route has not completed; a restart of the route streams again from there";
        String advice = cause instanceof OutOfMemoryError
                ? "The batches being read and those queued for or inside routes take about 2 x maxBatchBytes of"
                  + " values (more with snapshotParallelism), plus what the routes make of them: lower maxBatchBytes"
                  + " or batchSize, or give the JVM more heap (-Xmx). Now: " + settings
                : "Now: " + settings;
        return new IllegalStateException("slot=" + options.slot() + ": " + cause + " " + where + ". The consumer"
                                         + " stopped streaming and does not retry: an Error of the JVM is not a"
                                         + " passing fault. " + slotState + ". " + advice, error);
    }

    /** A size in the option's syntax: 64MB, 512kB or bytes. */
    static String size(long bytes) {
        if (bytes % (1 << 30) == 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        if (bytes % (1 << 10) == 0) {
            return (bytes >> 10) + "kB";
        }
        return String.valueOf(bytes);
    }

    /** The heap limit: the -Xmx given (or that none was) and the maximum the JVM reports. */
    private static String heap() {
        String xmx = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAMPercentage"))
                .reduce((a, b) -> b).orElse("no -Xmx");
        return xmx + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB";
    }
}
