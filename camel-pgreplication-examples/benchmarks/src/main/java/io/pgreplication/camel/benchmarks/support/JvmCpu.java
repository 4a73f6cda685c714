package io.pgreplication.camel.benchmarks.support;

import java.lang.management.ManagementFactory;

/** CPU time of this JVM, all threads together: what the Java client costs, next to its wall-clock time. */
public final class JvmCpu {

    private JvmCpu() {
    }

    /** Process CPU seconds so far, or NaN where the JVM does not report it. */
    public static double seconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /** Seconds the JIT compilers have spent compiling so far, or NaN where the JVM does not report it. */
    public static double jitSeconds() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() / 1e3
                : Double.NaN;
    }
}
