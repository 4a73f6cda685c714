package io.pgreplication.camel.benchmarks.support;

import java.lang.management.ManagementFactory;

/** What this JVM's heap holds after full collections: the state of the objects still running. */
public final class Heap {

    private Heap() {
    }

    /** MB used after two full collections. */
    public static double retainedMb() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }
}
