package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.RemoteException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests are served in turn by source: a flooding host waits behind itself, and is bounded. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FairShareTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void anotherHostsRequestGoesInWithinATurnOfAFlood() throws Exception {
        FairShare fair = new FairShare(pool, 2, 2, 10_000, Long.MAX_VALUE);
        List<String> done = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<String>> flood = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String name = "flood-" + i;
            flood.add(fair.submit("10.0.0.1", 0, () -> {
                pause(2);
                done.add(name);
                return name;
            }));
        }
        CompletableFuture<String> other = fair.submit("10.0.0.2", 0, () -> {
            done.add("other");
            return "other";
        });
        assertEquals("other", other.get(30, TimeUnit.SECONDS));
        CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        int at = done.indexOf("other");
        // Queued behind 200 of the flood, it runs once a slot frees: after at most the 2 running and
        // the one the freed slot may already have taken.
        assertTrue(at <= 4, "the other host's request ran " + at + "th: " + done.subList(0, Math.min(10, done.size())));
        assertEquals(201, done.size());
    }

    @Test
    void aSourceWithTooMuchWaitingIsRefusedAtOnceAndOthersAreNot() throws Exception {
        FairShare fair = new FairShare(pool, 2, 2, 10, 1 << 20);
        CountDownLatch hold = new CountDownLatch(1);
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(fair.submit("10.0.0.1", 100, () -> {
                await(hold);
                return 1;
            }));
        }
        int refused = 0;
        for (CompletableFuture<Integer> f : sent) {
            if (f.isCompletedExceptionally()) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
                Throwable cause = e.getCause();
                while (cause != null && !(cause instanceof RemoteException)) {
                    cause = cause.getCause();
                }
                assertTrue(cause != null, e.toString());
                assertEquals(DHashMessages.errorCode(DHashException.Kind.UNAVAILABLE), ((RemoteException) cause).code(),
                        e.toString());
                refused++;
            }
        }
        assertEquals(50 - 2 - 10, refused, "2 running, 10 waiting, the rest refused");
        assertEquals(10, fair.waiting("10.0.0.1"));
        CompletableFuture<Integer> other = fair.submit("10.0.0.2", 100, () -> 2);
        assertTrue(!other.isCompletedExceptionally(), "another host is not refused");
        // Bytes bound too: one big request waiting is the most a source may add past the limit.
        CompletableFuture<Integer> big = fair.submit("10.0.0.3", 2 << 20, () -> 3);
        CompletableFuture<Integer> bigger = fair.submit("10.0.0.3", 2 << 20, () -> 3);
        assertTrue(!big.isCompletedExceptionally() && bigger.isCompletedExceptionally(),
                "a second request over the byte bound is refused while the first waits");
        hold.countDown();
        assertEquals(2, other.get(30, TimeUnit.SECONDS));
        assertEquals(3, big.get(30, TimeUnit.SECONDS));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void oneSourceNeverHoldsEverySlot() throws Exception {
        ExecutorService four = Executors.newFixedThreadPool(4);
        try {
            FairShare fair = new FairShare(four, 4, 3, 10_000, Long.MAX_VALUE);
            CountDownLatch hold = new CountDownLatch(1);
            for (int i = 0; i < 20; i++) {
                fair.submit("10.0.0.1", 0, () -> {
                    await(hold);
                    return 1;
                });
            }
            assertEquals(17, fair.waiting("10.0.0.1"), "3 of its 20 run, the fourth slot stays free");
            // Another host's request takes the free slot at once, while the first's still hold theirs.
            assertEquals(2, fair.submit("10.0.0.2", 0, () -> 2).get(10, TimeUnit.SECONDS));
            hold.countDown();
        } finally {
            four.shutdownNow();
        }
    }
}
