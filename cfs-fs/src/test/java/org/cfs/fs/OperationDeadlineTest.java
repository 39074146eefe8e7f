package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Volumes#withinTimeout}: a path six directories deep, every directory block slow to come
 * but each within the timeout, resolves when each read has a timeout of its own and fails as
 * UNAVAILABLE when the whole operation has one, as a mount's operations do.
 */
class OperationDeadlineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** Each get's delay: a third of the timeout, so six reads take about twice it. */
    private static final long DELAY_MILLIS = 350;

    @TempDir
    Path dir;

    @Test
    void aDeepPathWaitsTheTimeoutOnceInAllWithinAnOperation() throws Exception {
        Clock clock = Clock.systemUTC();
        MemoryBlocks stored = new MemoryBlocks(clock);
        Path tree = Files.createDirectories(dir.resolve("a/b/c/d/e"));
        Files.writeString(tree.resolve("f.txt"), "deep\n");
        SigningKey key = SigningKey.generate(new SecureRandom());
        Id volume = new Publisher(stored, SeenVersions.inMemory(), clock, Duration.ofSeconds(20),
                FastCdc.defaults(), new Publisher.Listener() { })
                .publish(dir, key, "deadline".getBytes(StandardCharsets.UTF_8), Publisher.Options.defaults()).volume();
        Blocks slow = new ForwardingBlocks(stored) {
            @Override
            public CompletableFuture<Block> get(Id k) {
                return CompletableFuture.supplyAsync(() -> k,
                        CompletableFuture.delayedExecutor(DELAY_MILLIS, TimeUnit.MILLISECONDS))
                        .thenCompose(inner()::get);
            }
        };
        VolumePath deep = VolumePath.parse("/a/b/c/d/e/f.txt");

        Volumes each = new Volumes(slow, SeenVersions.inMemory(), clock, TIMEOUT, 1 << 20);
        Snapshot s1 = each.open(volume);
        assertEquals(5, s1.stat(deep).size(), "each read within its own timeout: the path resolves");

        Volumes whole = new Volumes(slow, SeenVersions.inMemory(), clock, TIMEOUT, 1 << 20);
        Snapshot s2 = whole.open(volume);
        VolumeException e = assertThrows(VolumeException.class, () -> whole.withinTimeout(() -> s2.stat(deep)));
        assertEquals(VolumeException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
    }
}
