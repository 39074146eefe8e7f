package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksBlockStoreTest extends BlockStoreContract {
    @TempDir
    Path tmp;

    private final AtomicInteger stores = new AtomicInteger();

    @Override
    protected BlockStore create(StoreLimits limits, Clock clock) throws DHashException {
        return RocksBlockStore.open(tmp.resolve("store-" + stores.incrementAndGet()), limits, clock);
    }

    @Test
    void metaValuesHaveTheDocumentedLayoutAndValuesFromBeforeLeasesStillDecode() throws DHashException {
        Id key = Id.hash("m");
        HexFormat hex = HexFormat.of();
        long refreshed = 0x0000_01a0_b1c2_d3e4L;
        assertEquals("0000002a" + "0000000000000007" + "03" + "000001a0b1c2d3e4" + hex.formatHex("10.0.0.1".getBytes()),
                hex.formatHex(RocksBlockStore.encodeMeta(42, 7, refreshed, "10.0.0.1")));
        assertEquals("0000002a" + "0000000000000000" + "02" + "000001a0b1c2d3e4",
                hex.formatHex(RocksBlockStore.encodeMeta(42, 0, refreshed, null)));
        assertEquals(new RocksBlockStore.Meta(42, 7, refreshed, "10.0.0.1"), RocksBlockStore.decodeMeta(
                RocksBlockStore.encodeMeta(42, 7, refreshed, "10.0.0.1"), key, 5));

        long openedAt = 1_790_000_000_000L;
        byte[] oldPaid = hex.parseHex("0000002a" + "0000000000000007" + "01" + hex.formatHex("10.0.0.1".getBytes()));
        byte[] oldUnpaid = hex.parseHex("0000002a" + "0000000000000000" + "00");
        assertEquals(new RocksBlockStore.Meta(42, 7, openedAt, "10.0.0.1"),
                RocksBlockStore.decodeMeta(oldPaid, key, openedAt), "no refresh time: the store's opening");
        assertEquals(new RocksBlockStore.Meta(42, 0, openedAt, null), RocksBlockStore.decodeMeta(oldUnpaid, key, openedAt));
        assertEquals(new StoreAccounts.Held(42, "10.0.0.1"), RocksBlockStore.decodeHeld(oldPaid, key));
        assertEquals(7, RocksBlockStore.decodeVersion(oldPaid, key));
    }

    @Test
    void damagedMetadataValuesAreRefusedAsCorruptNamingTheBlock() throws DHashException {
        Id key = Id.hash("m");
        byte[] good = RocksBlockStore.encodeMeta(42, 7, 1000, "10.0.0.1");
        assertEquals(new StoreAccounts.Held(42, "10.0.0.1"), RocksBlockStore.decodeHeld(good, key));
        assertEquals(7, RocksBlockStore.decodeVersion(good, key));
        byte[] noPayer = RocksBlockStore.encodeMeta(42, 7, 1000, null);
        byte[] negative = good.clone();
        negative[0] = (byte) 0x80;
        byte[] badFlags = good.clone();
        badFlags[12] = 4 | 3;
        byte[] trailing = Arrays.copyOf(noPayer, noPayer.length + 1);
        byte[] oldTrailing = HexFormat.of().parseHex("0000002a" + "0000000000000007" + "00" + "ff");
        for (byte[] damaged : List.of(new byte[0], Arrays.copyOf(good, 12), Arrays.copyOf(noPayer, 20), negative,
                badFlags, trailing, oldTrailing)) {
            DHashException e = assertThrows(DHashException.class, () -> RocksBlockStore.decodeHeld(damaged, key));
            assertEquals(DHashException.Kind.IO, e.kind());
            assertTrue(e.getMessage().contains(key.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
            assertThrows(DHashException.class, () -> RocksBlockStore.decodeVersion(damaged, key));
            assertThrows(DHashException.class, () -> RocksBlockStore.decodeMeta(damaged, key, 0));
        }
    }

    @Test
    void aReopenedStoreServesEverythingWithTheSameCounters() throws DHashException {
        Path dir = tmp.resolve("host");
        SplittableRandom r = new SplittableRandom(5);
        Map<Id, byte[]> expected = new HashMap<>();
        long count;
        long bytes;
        Map<String, Long> usage = new HashMap<>();
        try (BlockStore store = RocksBlockStore.open(dir, StoreLimits.defaults())) {
            for (int i = 0; i < 120; i++) {
                Id key = Id.hash("block/" + r.nextInt(80));
                byte[] block = bytes(r.nextInt(3) == 0 ? 10_000 + r.nextInt(100_000) : r.nextInt(3000), i);
                store.put(key, block, i % 4 == 0 ? null : "host-" + i % 3 + ":4000");
                expected.put(key, block);
            }
            for (int i = 0; i < 10; i++) {
                Id key = Id.hash("block/" + i);
                if (store.delete(key)) {
                    expected.remove(key);
                }
            }
            count = store.count();
            bytes = store.bytes();
            for (int s = 0; s < 3; s++) {
                usage.put("host-" + s + ":4000", store.usage("host-" + s + ":4000"));
            }
            assertEquals(expected.size(), count);
            assertEquals(expected.values().stream().mapToLong(b -> b.length).sum(), bytes);
        }
        StoreLimits smaller = new StoreLimits(ByteSize.ofGiB(1), 0.5);
        try (BlockStore store = RocksBlockStore.open(dir, smaller)) {
            assertEquals(smaller, store.limits());
            assertEquals(count, store.count());
            assertEquals(bytes, store.bytes());
            usage.forEach((source, used) -> assertEquals(used, store.usage(source), source));
            for (Map.Entry<Id, byte[]> e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), store.get(e.getKey()).orElseThrow());
            }
            assertEquals(expected.size(), store.keys(Id.ZERO, Id.ZERO, 1000).size());
        }
    }

    @Test
    void aReopenedStoreKeepsWhenEachBlockWasLastRefreshed() throws DHashException {
        Path dir = tmp.resolve("host");
        ManualClock clock = new ManualClock(T0);
        ContentBlock old = content(600, 1);
        try (BlockStore store = RocksBlockStore.open(dir, LEASED_A_DAY, clock)) {
            put(store, old, "a");
        }
        clock.advance(Duration.ofHours(20));
        try (BlockStore store = RocksBlockStore.open(dir, LEASED_A_DAY, clock)) {
            clock.advance(Duration.ofHours(5));
            put(store, content(500, 2), "b");
            assertFalse(store.contains(old.key()), "refreshed 25 hours ago, not 5 when the store reopened");
            assertEquals(0, store.usage("a"));
        }
        try (BlockStore store = RocksBlockStore.open(dir, LEASED_A_DAY, clock)) {
            clock.advance(Duration.ofHours(23));
            assertEquals(DHashException.Kind.STORE_FULL,
                    assertThrows(DHashException.class, () -> put(store, content(600, 3), "c")).kind());
            assertEquals(500, store.usage("b"));
        }
    }

    @Test
    void aDirectoryOpenTwiceIsRefusedWithTheReason() throws DHashException {
        Path dir = tmp.resolve("host");
        try (BlockStore first = RocksBlockStore.open(dir, StoreLimits.defaults())) {
            first.put(Id.hash("x"), new byte[] {1}, null);
            DHashException e = assertThrows(DHashException.class,
                    () -> RocksBlockStore.open(dir, StoreLimits.defaults()));
            assertEquals(DHashException.Kind.IO, e.kind());
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("lock"), e.getMessage());
            assertArrayEquals(new byte[] {1}, first.get(Id.hash("x")).orElseThrow());
        }
    }

    @Test
    void aPathThatIsAFileIsRefusedWithTheReason() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        DHashException e = assertThrows(DHashException.class,
                () -> RocksBlockStore.open(file.resolve("store"), StoreLimits.defaults()));
        assertEquals(DHashException.Kind.IO, e.kind());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void countersWrittenByConcurrentWritersSurviveAReopen() throws Exception {
        Path dir = tmp.resolve("host");
        Map<String, Long> usage = new HashMap<>();
        try (BlockStore store = RocksBlockStore.open(dir, StoreLimits.defaults())) {
            List<Callable<Void>> writers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                writers.add(() -> {
                    SplittableRandom r = new SplittableRandom(thread);
                    for (int i = 0; i < 80; i++) {
                        Id key = Id.hash("shared/" + r.nextInt(50));
                        if (r.nextInt(4) == 0) {
                            store.delete(key);
                        } else {
                            store.put(key, bytes(1 + r.nextInt(5000), i), "s" + r.nextInt(3));
                        }
                    }
                    return null;
                });
            }
            runAll(writers);
            for (int s = 0; s < 3; s++) {
                usage.put("s" + s, store.usage("s" + s));
            }
        }
        try (BlockStore store = RocksBlockStore.open(dir, StoreLimits.defaults())) {
            long count = 0;
            long bytes = 0;
            for (Id key : store.keys(Id.ZERO, Id.ZERO, 1000)) {
                count++;
                bytes += store.get(key).orElseThrow().length;
            }
            assertEquals(count, store.count());
            assertEquals(bytes, store.bytes());
            assertEquals(bytes, usage.values().stream().mapToLong(Long::longValue).sum());
            usage.forEach((source, used) -> assertEquals(used, store.usage(source), source));
        }
    }
}
