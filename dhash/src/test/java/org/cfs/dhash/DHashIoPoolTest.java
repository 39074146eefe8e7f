package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The I/O pool a node owns lets many synced writes wait on the disk together, so RocksDB can group them. */
class DHashIoPoolTest {
    @Test
    void runsSixteenBlockingWritesAtOnce() throws Exception {
        ExecutorService pool = DHash.ioPool("dhash-io-test");
        try {
            CountDownLatch allInside = new CountDownLatch(16);
            List<Future<Boolean>> writes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                // Each stands for a write waiting on its sync: it returns only once all 16 are waiting.
                writes.add(pool.submit(() -> {
                    allInside.countDown();
                    return allInside.await(10, TimeUnit.SECONDS);
                }));
            }
            for (Future<Boolean> w : writes) {
                assertTrue(w.get(20, TimeUnit.SECONDS), "16 writes were not all in progress at once");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
