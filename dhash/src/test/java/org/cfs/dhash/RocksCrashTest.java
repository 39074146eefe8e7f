package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    /**
     * Starts a writer, kills it once it has acknowledged enough puts, returns what it acknowledged.
     * The kill lands after a different number of puts each round, while the writer goes on with the
     * next one (a fifth of them up to 1 MiB), so it cuts puts at different points.
     */
    private Set<Id> runAndKill(Path dir, int round) throws Exception {
        Path errors = tmp.resolve("writer-" + round + ".err");
        Process writer = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                RocksCrashWriter.class.getName(), dir.toString(), Integer.toString(round))
                .redirectError(errors.toFile())
                .start();
        int killAt = ACKS_BEFORE_KILL + new SplittableRandom(round).nextInt(50);
        Set<Id> acknowledged = new HashSet<>();
        CompletableFuture<Void> enough = new CompletableFuture<>();
        // Joined below: a failure here must fail the test, not leave it counting fewer acknowledgements.
        CompletableFuture<Void> outputRead = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = out.readLine()) != null; ) {
                    // A line cut short by the kill was never fully acknowledged.
                    if (Id.isHex(line)) {
                        synchronized (acknowledged) {
                            acknowledged.add(Id.fromHex(line));
                            if (acknowledged.size() >= killAt) {
                                enough.complete(null);
                            }
                        }
                    }
                }
                outputRead.complete(null);
            } catch (IOException | RuntimeException e) {
                outputRead.completeExceptionally(e);
            }
        }, "crash-writer-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            CompletableFuture.anyOf(enough, outputRead).get(90, TimeUnit.SECONDS);
            if (!enough.isDone()) {
                outputRead.join();
                fail("the writer's output ended after " + acknowledged(acknowledged) + " of " + killAt
                        + " acknowledgements; stderr: " + Files.readString(errors));
            }
            assertTrue(writer.isAlive(), "the writer finished its burst before it could be killed");
        } catch (TimeoutException e) {
            fail("the writer acknowledged only " + acknowledged(acknowledged) + " of " + killAt
                    + " puts in 90 s; alive=" + writer.isAlive() + ", stderr: " + Files.readString(errors));
        } finally {
            // Through the handle, so the JDK sends SIGKILL without closing our end of the pipe:
            // keys printed just before the kill are still read.
            writer.toHandle().destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the killed writer did not exit in 30 s");
        }
        try {
            outputRead.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("the writer's output did not end in 30 s after the kill");
        }
        synchronized (acknowledged) {
            return Set.copyOf(acknowledged);
        }
    }

    private static int acknowledged(Set<Id> acknowledged) {
        synchronized (acknowledged) {
            return acknowledged.size();
        }
    }
}
