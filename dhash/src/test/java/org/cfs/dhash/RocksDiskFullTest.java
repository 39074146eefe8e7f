package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RocksDB store on a real full disk (a small tmpfs mounted for the test, as root): the write
 * that does not fit is refused, reads go on, and once space is freed writes are accepted again
 * without reopening by hand, with the counters right. Without root (no mount) the test is
 * skipped, unless {@code CFS_REQUIRE_FUSE=1} (CI's flag for tests that must run), where it fails.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RocksDiskFullTest {
    private static final int BLOCK = 256 << 10;

    @TempDir
    Path base;
    private Path disk;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectories(base.resolve("disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            String why = "cannot mount a tmpfs (needs root): " + out.trim();
            if ("1".equals(System.getenv("CFS_REQUIRE_FUSE"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process p = new ProcessBuilder("umount", disk.toString()).inheritIO().start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "umount " + disk);
        }
    }

    @Test
    void writesResumeByThemselvesOnceSpaceIsFreed() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<byte[]> stored = new ArrayList<>();
        try (RocksBlockStore store = RocksBlockStore.open(disk.resolve("blocks"),
                new StoreLimits(ByteSize.ofMiB(1024), 1.0))) {
            // Leave about 8 MiB: the store fills it within a few dozen blocks.
            Path filler = disk.resolve("filler");
            long leave = 8L << 20;
            writeZeros(filler, Files.getFileStore(disk).getUsableSpace() - leave);
            DHashException full = null;
            for (int i = 0; i < 200 && full == null; i++) {
                byte[] block = block(random);
                try {
                    store.put(Id.hash(block), block, null);
                    stored.add(block);
                } catch (DHashException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "the disk never filled");
            assertEquals(DHashException.Kind.IO, full.kind(), full.toString());
            assertTrue(!stored.isEmpty(), "nothing fitted before the disk filled");
            assertEquals(stored.size(), store.count());

            // Full: reads go on, writes are refused at once with the reason.
            assertArrayEquals(stored.get(0), store.get(Id.hash(stored.get(0))).orElseThrow());
            byte[] waiting = block(random);
            DHashException refused = assertThrows(DHashException.class, () -> store.put(Id.hash(waiting), waiting, null));
            assertTrue(refused.getMessage().contains("refuses writes") || refused.getMessage().contains("cannot store"),
                    refused.getMessage());

            // Space freed: within a few reopen intervals a write goes through, without reopening by hand.
            Files.delete(filler);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            DHashException last = null;
            boolean accepted = false;
            while (!accepted && System.nanoTime() < deadline) {
                try {
                    store.put(Id.hash(waiting), waiting, null);
                    accepted = true;
                } catch (DHashException e) {
                    last = e;
                    Thread.sleep(250);
                }
            }
            assertTrue(accepted, "writes still refused after space was freed: " + last);
            stored.add(waiting);
            assertEquals(stored.size(), store.count(), "the counters read back on reopening");
            for (byte[] b : stored) {
                assertArrayEquals(b, store.get(Id.hash(b)).orElseThrow());
            }
            assertTrue(store.delete(Id.hash(waiting)), "deletes work again too");
        }
    }

    private static byte[] block(SplittableRandom random) {
        byte[] b = new byte[BLOCK];
        random.nextBytes(b);
        return b;
    }

    private static void writeZeros(Path file, long bytes) throws IOException {
        byte[] zeros = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
    }
}
