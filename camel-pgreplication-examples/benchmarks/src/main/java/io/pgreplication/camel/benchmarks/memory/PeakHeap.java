package io.pgreplication.camel.benchmarks.memory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The peak of the heap used, from the collector's own reports: the heap only grows between collections, so its peak
 * is the largest "used before a collection" (or what is used now, if larger). Summing each pool's peak instead
 * overstates it, since the pools peak at different moments. Also the largest heap left after a collection: the most
 * the program held alive at once, garbage excluded.
 */
final class PeakHeap {

    private final AtomicLong peakBeforeGc = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong gcMillis = new AtomicLong();

    /** Starts listening to every collector of this JVM. */
    PeakHeap() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                peakBeforeGc.accumulateAndGet(used(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
                peakAfterGc.accumulateAndGet(used(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
                collections.incrementAndGet();
                gcMillis.addAndGet(info.getGcInfo().getDuration());
            }, null, null);
        }
    }

    /** The peak of the heap used so far, in MB. */
    long peakMb() {
        long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return Math.max(peakBeforeGc.get(), now) >> 20;
    }

    /** The most the heap held after a collection, in MB. */
    long peakLiveMb() {
        return peakAfterGc.get() >> 20;
    }

    long collections() {
        return collections.get();
    }

    long gcMillis() {
        return gcMillis.get();
    }

    /** Heap pools only: the notification reports every pool, metaspace and code cache included. */
    private static long used(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pools.get(pool.getName());
            if (usage != null && pool.getType() == java.lang.management.MemoryType.HEAP) {
                used += usage.getUsed();
            }
        }
        return used;
    }
}
