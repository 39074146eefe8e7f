package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;

/**
 * The allocation bound of the fuzz targets: one run on an input may allocate a fixed allowance (a
 * refusal's message and stack trace) plus a small multiple of the input, never an amount a length
 * or count in the input asks for. HotSpot's per-thread counter measures it.
 */
final class FuzzAllocation {
    private static final long BASE = 256 << 10;
    private static final long PER_BYTE = 64;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzAllocation() {
    }

    /**
     * Runs {@code run} on {@code input} and fails, naming the input, if it allocated more than the
     * bound. A run over the bound is repeated once and only the repeat counts: the first input down
     * a path loads and instruments classes, which is not the decoder allocating.
     */
    static void bounded(byte[] input, Runnable run) {
        long allocated = allocation(run);
        if (allocated > BASE + PER_BYTE * input.length) {
            allocated = allocation(run);
        }
        if (allocated > BASE + PER_BYTE * input.length) {
            fail("a run on " + input.length + " bytes allocated " + allocated + " bytes: "
                    + HexFormat.of().formatHex(input));
        }
    }

    private static long allocation(Runnable run) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        run.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
