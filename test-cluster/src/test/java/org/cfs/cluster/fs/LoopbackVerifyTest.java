package org.cfs.cluster.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumePath;
import org.cfs.fs.VolumeVerifier;
import org.cfs.fs.Volumes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cfs verify --replicas} on a real ring: six hosts on loopback with three replicas, a
 * published volume, and a replica deleted from one host's store behind DHash's back.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LoopbackVerifyTest {
    private static final int K = 3;
    /** Long enough that maintenance does not restore the deleted replica during the test. */
    private static final DHashConfig CONFIG = DHashConfig.defaults().withReplicas(K)
            .withMaintenanceInterval(Duration.ofMinutes(30));
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void verifyCountsTheReplicaHostsOfEveryBlock() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        byte[] data = new byte[200_000];
        new SplittableRandom(3).nextBytes(data);
        Files.write(tree.resolve("sub/data.bin"), data);
        Files.write(tree.resolve("note"), "note".getBytes(StandardCharsets.UTF_8));

        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), CONFIG,
                StoreLimits.defaults(), dir.resolve("ring"))) {
            ring.growSequentially(6, 1);
            ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                    () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
            DHash client = ring.on(ring.hosts().get(0));
            Blocks blocks = Blocks.of(client);
            Publication p = new Publisher(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                    new FastCdc(4096, 16384, 65536), new Publisher.Listener() {
                    }).publish(tree, SigningKey.generate(new SecureRandom()), "ring".getBytes(StandardCharsets.UTF_8),
                    Publisher.Options.defaults());
            Snapshot s = new Volumes(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 1 << 20)
                    .open(p.volume());

            // A put succeeds once 2 of the 3 replica hosts stored the block; under load the third
            // store may time out, and maintenance (every 30 min here) would not mend it during the
            // test. Such blocks are put again, so the test starts from k copies of every block.
            VolumeVerifier.Report healthy = null;
            for (int attempt = 0; attempt < 3 && (healthy == null || !healthy.healthy()); attempt++) {
                if (healthy != null) {
                    for (VolumeVerifier.Problem under : healthy.underReplicatedBlocks()) {
                        client.put(client.get(under.key()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    }
                }
                healthy = VolumeVerifier.verify(s, VolumeVerifier.Options.defaults().withReplicas(K),
                        new VolumeVerifier.Listener() {
                        });
            }
            assertTrue(healthy.healthy(), healthy.toString());
            assertTrue(healthy.blocks() > 5, healthy.toString());
            assertEquals(Map.of(K, healthy.blocks()), healthy.holders());

            Id chunk = s.open(VolumePath.parse("sub/data.bin")).chunks().get(1).ref();
            BlockStat stat = client.stat(chunk).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            BlockStat.Holder one = stat.nodes().stream().filter(h -> h.replica() && h.stored()).findFirst()
                    .orElseThrow();
            ChordHost host = ring.hosts().stream().filter(h -> h.endpoint().equals(one.node().endpoint())).findFirst()
                    .orElseThrow();
            assertTrue(ring.store(host).delete(chunk));

            VolumeVerifier.Report thin = VolumeVerifier.verify(s, VolumeVerifier.Options.defaults().withReplicas(K),
                    new VolumeVerifier.Listener() {
                    });
            assertFalse(thin.healthy());
            assertEquals(0, thin.missing());
            assertEquals(1, thin.underReplicated());
            VolumeVerifier.Problem p1 = thin.underReplicatedBlocks().get(0);
            assertEquals(chunk, p1.key());
            assertEquals(VolumePath.parse("sub/data.bin"), p1.path());
            assertTrue(p1.reason().startsWith("held by 2 of 3 replica hosts"), p1.reason());
            assertEquals(List.of(2, 3), List.copyOf(thin.holders().keySet()));
        }
    }
}
