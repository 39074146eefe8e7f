package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link BlockStore} must do; one subclass per implementation runs it. */
abstract class BlockStoreContract {
    private static final Id MAX_ID = Id.fromHex("ffffffffffffffffffffffffffffffffffffffff");

    private final List<BlockStore> opened = new ArrayList<>();

    /** A new, empty store with the given limits, its leases on {@code clock}. */
    protected abstract BlockStore create(StoreLimits limits, Clock clock) throws DHashException;

    protected final BlockStore open(StoreLimits limits) throws DHashException {
        return open(limits, Clock.systemUTC());
    }

    protected final BlockStore open(StoreLimits limits, Clock clock) throws DHashException {
        BlockStore store = create(limits, clock);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(BlockStore::close);
    }

    static Id id(String hexPrefix) {
        return Id.fromHex((hexPrefix + "0".repeat(40)).substring(0, 40));
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void putGetReplaceDelete() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        Id key = Id.hash("k");
        assertEquals(Optional.empty(), store.get(key));
        assertFalse(store.contains(key));

        store.put(key, bytes(300, 1), "10.0.0.1:4000");
        assertArrayEquals(bytes(300, 1), store.get(key).orElseThrow());
        assertTrue(store.contains(key));
        assertEquals(1, store.count());
        assertEquals(300, store.bytes());

        store.put(key, bytes(200, 2), "10.0.0.1:4000");
        assertArrayEquals(bytes(200, 2), store.get(key).orElseThrow());
        assertEquals(1, store.count());
        assertEquals(200, store.bytes());
        assertEquals(200, store.usage("10.0.0.1:4000"));

        assertTrue(store.delete(key));
        assertFalse(store.delete(key));
        assertEquals(Optional.empty(), store.get(key));
        assertFalse(store.contains(key));
        assertEquals(0, store.count());
        assertEquals(0, store.bytes());
        assertEquals(0, store.usage("10.0.0.1:4000"));
    }

    @Test
    void versionsAreZeroForContentBlocksAndTheSequencePlusOneForSignedOnes() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        SigningKey signer = SigningKey.generate(new java.security.SecureRandom());
        ContentBlock content = new ContentBlock("content".getBytes());
        SignedBlock v4 = SignedBlock.sign(signer, "root".getBytes(), 4, Long.MAX_VALUE, "four".getBytes());
        SignedBlock v9 = SignedBlock.sign(signer, "root".getBytes(), 9, Long.MAX_VALUE, "nine".getBytes());
        store.put(content.key(), content.encode(), null);
        store.put(v4.key(), v4.encode(), null);
        java.util.Map<Id, Long> seen = new java.util.HashMap<>();
        store.forEachVersion(Id.ZERO, Id.ZERO, (key, version) -> seen.put(key, version) == null);
        assertEquals(java.util.Map.of(content.key(), 0L, v4.key(), 5L), seen);
        store.put(v9.key(), v9.encode(), null);
        seen.clear();
        store.forEachVersion(Id.ZERO, Id.ZERO, (key, version) -> seen.put(key, version) == null);
        assertEquals(10L, seen.get(v9.key()));
        int[] visited = {0};
        store.forEachVersion(Id.ZERO, Id.ZERO, (key, version) -> ++visited[0] < 1);
        assertEquals(1, visited[0], "a visitor returning false stops the walk");
    }

    @Test
    void keysWalkTheRingFromTheStartWithWrapAroundAndLimit() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        List<Id> all = List.of(Id.ZERO, id("10"), id("40"), id("80"), id("c0"), id("f0"), MAX_ID);
        for (Id key : all) {
            store.put(key, new byte[] {1}, null);
        }
        assertEquals(List.of(id("c0"), id("f0"), MAX_ID, Id.ZERO, id("10"), id("40")),
                store.keys(id("80"), id("40"), 100));
        assertEquals(List.of(id("c0"), id("f0")), store.keys(id("80"), id("40"), 2));
        assertEquals(List.of(id("80")), store.keys(id("40"), id("80"), 100));
        assertEquals(List.of(id("80"), id("c0")), store.keys(id("7f"), id("c0"), 100));
        assertEquals(List.of(), store.keys(id("81"), id("bf"), 100));
        assertEquals(List.of(Id.ZERO), store.keys(MAX_ID, Id.ZERO, 100));
        assertEquals(List.of(MAX_ID, Id.ZERO), store.keys(id("f0"), Id.ZERO, 100));
        assertEquals(List.of(id("80"), id("c0"), id("f0"), MAX_ID, Id.ZERO, id("10"), id("40")),
                store.keys(id("40"), id("40"), 100), "(x, x] is the whole ring, ending at x");
        assertEquals(List.of(id("10"), id("40"), id("80"), id("c0"), id("f0"), MAX_ID, Id.ZERO),
                store.keys(Id.ZERO, Id.ZERO, 100));
        assertThrows(IllegalArgumentException.class, () -> store.keys(Id.ZERO, Id.ZERO, 0));
    }

    @Test
    void rangeScansAgreeWithTheRingOrder() throws DHashException {
        SplittableRandom r = new SplittableRandom(4);
        BlockStore store = open(StoreLimits.defaults());
        List<Id> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Id key = randomId(r);
            all.add(key);
            store.put(key, new byte[] {(byte) i}, null);
        }
        for (int i = 0; i < 300; i++) {
            Id from = r.nextInt(4) == 0 ? all.get(r.nextInt(all.size())) : randomId(r);
            Id to = r.nextInt(4) == 0 ? all.get(r.nextInt(all.size())) : randomId(r);
            List<Id> expected = all.stream()
                    .filter(k -> k.inHalfOpen(from, to))
                    .sorted(Comparator.comparing(k -> from.distanceTo(k)))
                    .toList();
            List<Id> visited = new ArrayList<>();
            store.forEachKey(from, to, visited::add);
            assertEquals(expected, visited, "(" + from + ", " + to + "]");
            int limit = 1 + r.nextInt(50);
            assertEquals(expected.subList(0, Math.min(limit, expected.size())), store.keys(from, to, limit));
        }
    }

    @Test
    void blockScansVisitTheRangesBlocksInRingOrderUntilStopped() throws DHashException {
        SplittableRandom r = new SplittableRandom(5);
        BlockStore store = open(StoreLimits.defaults());
        Map<Id, byte[]> all = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            all.put(randomId(r), bytes(1 + r.nextInt(6000), i));
        }
        Map<Id, byte[]> batch = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            if (batch.size() < 100) {
                batch.put(e.getKey(), e.getValue());
            } else {
                store.put(e.getKey(), e.getValue(), null);
            }
        }
        store.putAll(batch, null);
        for (int i = 0; i < 200; i++) {
            List<Id> keys = new ArrayList<>(all.keySet());
            Id from = r.nextInt(4) == 0 ? keys.get(r.nextInt(keys.size())) : randomId(r);
            Id to = r.nextInt(4) == 0 ? keys.get(r.nextInt(keys.size())) : randomId(r);
            List<Id> expected = keys.stream()
                    .filter(k -> k.inHalfOpen(from, to))
                    .sorted(Comparator.comparing(k -> from.distanceTo(k)))
                    .toList();
            int stopAfter = r.nextInt(3) == 0 ? 1 + r.nextInt(20) : Integer.MAX_VALUE;
            List<Id> visited = new ArrayList<>();
            store.forEachBlock(from, to, (key, block) -> {
                assertArrayEquals(all.get(key), block, key.toString());
                visited.add(key);
                return visited.size() < stopAfter;
            });
            assertEquals(expected.subList(0, Math.min(stopAfter, expected.size())), visited,
                    "(" + from + ", " + to + "], stopping after " + stopAfter);
        }
        Id deleted = all.keySet().iterator().next();
        store.delete(deleted);
        List<Id> left = new ArrayList<>();
        store.forEachBlock(Id.ZERO, Id.ZERO, (key, block) -> left.add(key));
        assertEquals(199, left.size());
        assertFalse(left.contains(deleted), "a deleted block is not visited");
    }

    @Test
    void aFullStoreRefusesAndStoresNothing() throws DHashException {
        BlockStore store = open(new StoreLimits(ByteSize.of(1000), 1.0));
        store.put(id("01"), bytes(600, 1), "a");
        DHashException full = assertThrows(DHashException.class, () -> store.put(id("02"), bytes(401, 2), "b"));
        assertEquals(DHashException.Kind.STORE_FULL, full.kind());
        assertTrue(full.getMessage().contains("1001") && full.getMessage().contains("1000"), full.getMessage());
        assertFalse(store.contains(id("02")));
        assertEquals(1, store.count());
        assertEquals(600, store.bytes());
        assertEquals(0, store.usage("b"));
        assertArrayEquals(bytes(600, 1), store.get(id("01")).orElseThrow());

        store.put(id("02"), bytes(400, 2), null);
        assertEquals(1000, store.bytes());
        store.put(id("01"), bytes(500, 3), "a");
        assertEquals(900, store.bytes(), "a replace is charged only its growth");
        assertEquals(DHashException.Kind.STORE_FULL,
                assertThrows(DHashException.class, () -> store.put(id("03"), bytes(101, 4), null)).kind());
    }

    @Test
    void putAllStoresEveryBlockAndCountsThemOnce() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        store.put(id("02"), bytes(50, 9), "a");
        Map<Id, byte[]> batch = new LinkedHashMap<>();
        for (int i = 1; i <= 200; i++) {
            batch.put(id(String.format("%02x", i)), bytes(i, i));
        }
        store.putAll(batch, null);
        assertEquals(200, store.count());
        assertEquals(200 * 201 / 2, store.bytes());
        assertEquals(0, store.usage("a"), "the replaced block's payer is credited");
        for (var e : batch.entrySet()) {
            assertArrayEquals(e.getValue(), store.get(e.getKey()).orElseThrow());
        }
        assertEquals(200, store.keys(Id.ZERO, Id.ZERO, 1000).size());
        store.putAll(Map.of(), "a");
        assertEquals(200, store.count());
    }

    @Test
    void aRefusedPutAllStoresNoneOfItsBlocks() throws DHashException {
        BlockStore store = open(new StoreLimits(ByteSize.of(1000), 1.0));
        store.put(id("01"), bytes(600, 1), "a");
        Map<Id, byte[]> batch = new LinkedHashMap<>();
        batch.put(id("02"), bytes(300, 2));
        batch.put(id("03"), bytes(101, 3));
        DHashException full = assertThrows(DHashException.class, () -> store.putAll(batch, "b"));
        assertEquals(DHashException.Kind.STORE_FULL, full.kind());
        assertFalse(store.contains(id("02")));
        assertEquals(1, store.count());
        assertEquals(600, store.bytes());
        assertEquals(0, store.usage("b"));
        store.putAll(Map.of(id("02"), bytes(300, 2), id("03"), bytes(100, 3)), "b");
        assertEquals(1000, store.bytes());
        assertEquals(400, store.usage("b"));
    }

    @Test
    void aSourceOverItsQuotaIsRefusedAndOthersAreNot() throws DHashException {
        BlockStore store = open(new StoreLimits(ByteSize.of(10_000), 0.1));
        assertEquals(1000, store.limits().quota().bytes());
        store.put(id("01"), bytes(600, 1), "a");
        DHashException over = assertThrows(DHashException.class, () -> store.put(id("02"), bytes(500, 2), "a"));
        assertEquals(DHashException.Kind.OVER_QUOTA, over.kind());
        assertTrue(over.getMessage().contains("1100") && over.getMessage().contains("1000"), over.getMessage());
        assertFalse(store.contains(id("02")));
        assertEquals(600, store.usage("a"));
        assertEquals(600, store.bytes());

        store.put(id("02"), bytes(500, 2), "b");
        store.put(id("03"), bytes(5000, 3), null);
        store.put(id("01"), bytes(1000, 4), "a");
        assertEquals(1000, store.usage("a"));
        store.put(id("01"), bytes(1000, 5), "a");
        assertEquals(1000, store.usage("a"), "a put that does not grow usage is never refused");
        assertEquals(500, store.usage("b"));
        assertEquals(6500, store.bytes());
        assertEquals(3, store.count());
    }

    @Test
    void replacingCreditsWhoPaidAndNullSourcesAreNotCharged() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        Id key = id("42");
        store.put(key, bytes(300, 1), "a");
        store.put(key, bytes(200, 2), "b");
        assertEquals(0, store.usage("a"));
        assertEquals(200, store.usage("b"));
        store.put(key, bytes(100, 3), null);
        assertEquals(0, store.usage("b"));
        assertEquals(100, store.bytes());
        store.put(key, bytes(50, 4), "a");
        assertEquals(50, store.usage("a"));
        store.put(id("43"), bytes(70, 5), null);
        assertEquals(50, store.usage("a"));
        assertEquals(120, store.bytes());
        assertTrue(store.delete(key));
        assertEquals(0, store.usage("a"));
        assertEquals(70, store.bytes());
        assertEquals(1, store.count());
    }

    @Test
    void concurrentPutsNeverOvershootTheCapacity() throws Exception {
        BlockStore store = open(new StoreLimits(ByteSize.of(50 * 100), 1.0));
        AtomicInteger refused = new AtomicInteger();
        List<Callable<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            writers.add(() -> {
                for (int i = 0; i < 20; i++) {
                    try {
                        store.put(Id.hash(thread + "/" + i), bytes(100, i), "s" + thread % 3);
                    } catch (DHashException e) {
                        assertEquals(DHashException.Kind.STORE_FULL, e.kind());
                        refused.incrementAndGet();
                    }
                }
                return null;
            });
        }
        runAll(writers);
        assertEquals(50, store.count());
        assertEquals(5000, store.bytes());
        assertEquals(110, refused.get());
        assertEquals(store.bytes(), store.usage("s0") + store.usage("s1") + store.usage("s2"));
        assertEquals(50, store.keys(Id.ZERO, Id.ZERO, 1000).size());
    }

    @Test
    void concurrentPutsReplacesAndDeletesKeepTheCountersExact() throws Exception {
        BlockStore store = open(StoreLimits.defaults());
        List<Callable<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            writers.add(() -> {
                SplittableRandom r = new SplittableRandom(thread);
                for (int i = 0; i < 60; i++) {
                    Id key = Id.hash("shared/" + r.nextInt(40));
                    if (r.nextInt(5) == 0) {
                        store.delete(key);
                    } else {
                        store.put(key, bytes(1 + r.nextInt(2000), i), r.nextBoolean() ? null : "s" + r.nextInt(3));
                    }
                }
                return null;
            });
        }
        runAll(writers);
        long[] scanned = new long[2];
        for (Id key : store.keys(Id.ZERO, Id.ZERO, 1000)) {
            scanned[0]++;
            scanned[1] += store.get(key).orElseThrow().length;
        }
        assertEquals(scanned[0], store.count());
        assertEquals(scanned[1], store.bytes());
        assertTrue(store.usage("s0") + store.usage("s1") + store.usage("s2") <= store.bytes());
    }

    @Test
    void aClosedStoreRefusesWithIoAndClosesOnce() throws DHashException {
        BlockStore store = open(StoreLimits.defaults());
        store.put(id("01"), bytes(10, 1), null);
        store.close();
        store.close();
        assertEquals(DHashException.Kind.IO, assertThrows(DHashException.class, () -> store.get(id("01"))).kind());
        assertEquals(DHashException.Kind.IO,
                assertThrows(DHashException.class, () -> store.put(id("02"), bytes(1, 2), null)).kind());
        assertEquals(DHashException.Kind.IO,
                assertThrows(DHashException.class, () -> store.keys(Id.ZERO, Id.ZERO, 1)).kind());
        assertEquals(DHashException.Kind.IO, assertThrows(DHashException.class,
                () -> store.forEachBlock(Id.ZERO, Id.ZERO, (key, block) -> true)).kind());
    }

    static final long T0 = 1_790_000_000_000L;
    static final StoreLimits LEASED_A_DAY = new StoreLimits(ByteSize.of(1000), 1.0, Duration.ofDays(1));

    /** A content block of {@code n} encoded bytes. */
    static ContentBlock content(int n, int seed) {
        return new ContentBlock(bytes(n - BlockCodec.CHASH_OVERHEAD, seed));
    }

    static void put(BlockStore store, Block block, String source) throws DHashException {
        store.put(block.key(), block.encode(), source);
    }

    @Test
    void signedBlocksALeasePastTheirExpiryAreCollectedWhenAPutNeedsSpace() throws DHashException {
        ManualClock clock = new ManualClock(T0);
        BlockStore store = open(LEASED_A_DAY, clock);
        SignedBlock root = SignedBlock.sign(SigningKey.generate(new SecureRandom()), "root".getBytes(), 3,
                T0 + Duration.ofHours(1).toMillis(), bytes(400 - BlockCodec.PKEY_OVERHEAD - 4, 1));
        ContentBlock live = content(500, 2);
        put(store, root, "a");
        clock.advance(Duration.ofDays(1));
        put(store, live, "b");
        ContentBlock next = content(300, 3);
        assertEquals(DHashException.Kind.STORE_FULL, assertThrows(DHashException.class, () -> put(store, next, "c")).kind(),
                "expired, but its publisher may still need it for a lease");

        clock.advance(Duration.ofHours(1));
        put(store, next, "c");
        assertFalse(store.contains(root.key()), "a lease past its expiry");
        assertTrue(store.contains(live.key()), "within its lease");
        assertEquals(0, store.usage("a"));
        assertEquals(500, store.usage("b"));
        assertEquals(2, store.count());
        assertEquals(800, store.bytes());
    }

    @Test
    void contentBlocksPastTheirLeaseAreCollectedAndFreshOnesAreNot() throws DHashException {
        ManualClock clock = new ManualClock(T0);
        BlockStore store = open(LEASED_A_DAY, clock);
        ContentBlock old = content(400, 1);
        ContentBlock young = content(400, 2);
        put(store, old, "a");
        clock.advance(Duration.ofHours(12));
        put(store, young, "b");
        clock.advance(Duration.ofHours(12).minusMillis(1));
        ContentBlock big = content(600, 3);
        assertEquals(DHashException.Kind.STORE_FULL, assertThrows(DHashException.class,
                () -> put(store, big, "c")).kind(), "a millisecond short of a day is within the lease");
        clock.advance(Duration.ofMillis(1));
        put(store, content(500, 4), "c");
        assertFalse(store.contains(old.key()));
        assertEquals(0, store.usage("a"), "the collected block's payer is credited");
        assertTrue(store.contains(young.key()));

        DHashException full = assertThrows(DHashException.class, () -> put(store, big, "c"));
        assertEquals(DHashException.Kind.STORE_FULL, full.kind(), "a store of live blocks still refuses");
        assertEquals(900, store.bytes());
        assertEquals(2, store.count());
    }

    @Test
    void aPutAllThatNeedsSpaceCollectsToo() throws DHashException {
        ManualClock clock = new ManualClock(T0);
        BlockStore store = open(LEASED_A_DAY, clock);
        put(store, content(700, 1), "a");
        clock.advance(Duration.ofDays(2));
        ContentBlock one = content(400, 2);
        ContentBlock two = content(400, 3);
        store.putAll(Map.of(one.key(), one.encode(), two.key(), two.encode()), null);
        assertEquals(800, store.bytes());
        assertEquals(0, store.usage("a"));
    }

    @Test
    void aRefreshRestartsTheLeaseAndMovesTheCharge() throws DHashException {
        ManualClock clock = new ManualClock(T0);
        BlockStore store = open(LEASED_A_DAY, clock);
        ContentBlock kept = content(600, 1);
        put(store, kept, "a");
        assertFalse(store.refresh(content(10, 9).key(), "b"), "nothing held, nothing refreshed");
        assertEquals(600, store.bytes());
        clock.advance(Duration.ofHours(20));
        assertTrue(store.refresh(kept.key(), "b"));
        assertEquals(0, store.usage("a"));
        assertEquals(600, store.usage("b"));
        assertArrayEquals(kept.encode(), store.get(kept.key()).orElseThrow());

        clock.advance(Duration.ofHours(10));
        assertEquals(DHashException.Kind.STORE_FULL,
                assertThrows(DHashException.class, () -> put(store, content(500, 2), "c")).kind(),
                "30 hours after its put but 10 after its refresh, the block is kept");
        store.put(kept.key(), kept.encode(), "a");
        assertEquals(600, store.usage("a"), "a put of the same block refreshes it as well");
        clock.advance(Duration.ofHours(24));
        put(store, content(500, 2), "c");
        assertFalse(store.contains(kept.key()));
        assertEquals(0, store.usage("a"));
    }

    @Test
    void aSourceOverItsQuotaIsAcceptedOnceItsOwnDeadBlocksAreCollected() throws DHashException {
        ManualClock clock = new ManualClock(T0);
        BlockStore store = open(new StoreLimits(ByteSize.of(10_000), 0.1, Duration.ofDays(1)), clock);
        put(store, content(900, 1), "a");
        DHashException over = assertThrows(DHashException.class, () -> put(store, content(200, 2), "a"));
        assertEquals(DHashException.Kind.OVER_QUOTA, over.kind());
        clock.advance(Duration.ofDays(1).plusMillis(1));
        put(store, content(200, 2), "a");
        assertEquals(200, store.usage("a"));
        assertEquals(1, store.count());
    }

    static Id randomId(SplittableRandom r) {
        byte[] b = new byte[Id.BYTES];
        r.nextBytes(b);
        return Id.fromBytes(b, 0);
    }

    /** Runs the tasks on their own threads, bounded in time, and rethrows the first failure. */
    static void runAll(List<Callable<Void>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<Void>> results = pool.invokeAll(tasks, 60, TimeUnit.SECONDS);
            for (Future<Void> result : results) {
                result.get(0, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
