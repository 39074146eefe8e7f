package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process in the middle of a burst of synced puts, three times over one directory, and
 * checks after each kill that the store reopens with every acknowledged block, that every block
 * it holds is intact, and that its counters match what it holds.
 */
class RocksCrashTest {
    private static final int ACKS_BEFORE_KILL = 100;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aKilledWriterLosesNoAcknowledgedBlock() throws Exception {
        Path dir = tmp.resolve("store");
        Set<Id> acknowledged = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            acknowledged.addAll(runAndKill(dir, round));
            try (BlockStore store = RocksBlockStore.open(dir, StoreLimits.defaults())) {
                for (Id key : acknowledged) {
                    assertTrue(store.contains(key), "acknowledged block " + key + " is gone after round " + round);
                }
                long[] held = new long[2];
                List<DHashException> bad = new ArrayList<>();
                store.forEachKey(Id.ZERO, Id.ZERO, key -> {
                    try {
                        byte[] bytes = store.get(key).orElseThrow();
                        Block.decode(bytes, Block.DEFAULT_MAX_DATA).verify(key, 0, Block.DEFAULT_MAX_DATA);
                        held[0]++;
                        held[1] += bytes.length;
                    } catch (DHashException e) {
                        bad.add(e);
                    }
                });
                assertEquals(List.of(), bad);
                assertEquals(held[0], store.count());
                assertEquals(held[1], store.bytes());
                assertEquals(held[1], store.usage(RocksCrashWriter.SOURCE));
                assertTrue(held[0] >= acknowledged.size());
            }
        }
    }

    /** Starts a writer, kills it once it has acknowledged enough puts, returns what it acknowledged. */
    private Set<Id> runAndKill(Path dir, int round) throws Exception {
        Path errors = tmp.resolve("writer-" + round + ".err");
        Process writer = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                RocksCrashWriter.class.getName(), dir.toString(), Integer.toString(round))
                .redirectError(errors.toFile())
                .start();
        Set<Id> acknowledged = new HashSet<>();
        CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
        CountDownLatch finished = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = out.readLine()) != null; ) {
                    // A line cut short by the kill was never fully acknowledged.
                    if (Id.isHex(line)) {
                        synchronized (acknowledged) {
                            acknowledged.add(Id.fromHex(line));
                        }
                        enough.countDown();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                finished.countDown();
            }
        }, "crash-writer-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!enough.await(90, TimeUnit.SECONDS)) {
                fail("the writer acknowledged only " + (ACKS_BEFORE_KILL - enough.getCount())
                        + " puts in 90 s; alive=" + writer.isAlive() + ", stderr: " + Files.readString(errors));
            }
            // Land the kill at a different point of a put each round, large blocks included.
            Thread.sleep(new SplittableRandom(round).nextInt(250));
            assertTrue(writer.isAlive(), "the writer finished its burst before it could be killed");
        } finally {
            // Through the handle, so the JDK sends SIGKILL without closing our end of the pipe:
            // keys printed just before the kill are still read.
            writer.toHandle().destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the killed writer did not exit in 30 s");
        }
        assertTrue(finished.await(30, TimeUnit.SECONDS), "the writer's output did not end in 30 s");
        synchronized (acknowledged) {
            return Set.copyOf(acknowledged);
        }
    }
}
