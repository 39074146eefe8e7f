package org.cfs.fs;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates, from HotSpot's per-thread counter, so tests can check that a
 * hostile length is refused before the decoder allocates for it.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {
    }

    /** The thread's allocation counter; differences between two readings are what was allocated. */
    static long now() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** True when the JVM counts allocations (HotSpot does); a test that needs it fails otherwise. */
    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }
}
