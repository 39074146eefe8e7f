package org.cfs.cluster.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeException;
import org.cfs.fs.VolumePath;
import org.cfs.fs.Volumes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions and rollback on a real ring: six hosts on loopback (TCP, RocksDB stores), three
 * versions published with {@link Publisher}, then replicas of the volume's signed block put back
 * to version 2 behind DHash's back. A reader that has seen version 3 still reads version 3 while
 * one replica holds it, and refuses with ROLLBACK once none does.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LoopbackVolumeTest {
    private static final int K = 3;
    /** Long enough that maintenance does not touch the planted signed blocks during the test. */
    private static final DHashConfig CONFIG = DHashConfig.defaults().withReplicas(K)
            .withMaintenanceInterval(Duration.ofMinutes(30));
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aReaderThatHasSeenVersion3NeverGoesBackToVersion2() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("dir"));
        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), CONFIG,
                StoreLimits.defaults(), dir.resolve("ring"))) {
            ring.growSequentially(6, 1);
            ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                    () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
            Endpoint via = ring.hosts().get(0).endpoint();
            DHash writerDHash = ring.client(via);
            Blocks writer = Blocks.of(writerDHash);
            SigningKey key = SigningKey.generate(new SecureRandom());
            byte[] label = "versions".getBytes(StandardCharsets.UTF_8);
            Publisher publisher = new Publisher(writer, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                    new FastCdc(4096, 16384, 65536), new Publisher.Listener() {
                    });
            Id volume = Publisher.volumeId(key, label);

            List<byte[]> signedBlocks = new ArrayList<>();
            for (int v = 1; v <= 3; v++) {
                Files.writeString(tree.resolve("dir/file.txt"), "version " + v);
                Publication p = publisher.publish(tree, key, label, Publisher.Options.defaults()
                        .withMessage("version " + v));
                assertEquals(v, p.version());
                SignedBlock signed = (SignedBlock) writerDHash.getIncludingExpired(volume)
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(v - 1, signed.seq());
                signedBlocks.add(signed.encode());
            }

            DHash readerDHash = ring.client(ring.hosts().get(3).endpoint());
            Blocks reader = Blocks.of(readerDHash);
            SeenVersions seen = SeenVersions.inMemory();
            Volumes volumes = new Volumes(reader, seen, Clock.systemUTC(), TIMEOUT, 1 << 20);
            assertEquals("version 3", read(volumes.open(volume)));
            assertEquals(3, seen.highest(volume).version());
            Snapshot first = volumes.open(volume, 1);
            assertEquals(1, first.version());
            assertEquals("version 1", read(first));
            assertEquals("version 2", read(volumes.open(volume, 2)));

            List<ChordHost> replicas = replicaHosts(ring, readerDHash, volume);
            assertEquals(K, replicas.size(), "replica hosts of the volume id");
            byte[] version2 = signedBlocks.get(1);

            // One stale replica: the reader asks every replica and takes the newest.
            ring.store(replicas.get(0)).put(volume, version2, null);
            assertArrayEquals(version2, ring.store(replicas.get(0)).get(volume).orElseThrow());
            Snapshot newest = volumes.open(volume);
            assertEquals(3, newest.version());
            assertEquals("version 3", read(newest));
            // The reader also gives version 3 back to the replica that was behind; let that land
            // before planting version 2 everywhere, or it would undo the plant.
            byte[] version3 = signedBlocks.get(2);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!Arrays.equals(version3, ring.store(replicas.get(0)).get(volume).orElseThrow())
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertArrayEquals(version3, ring.store(replicas.get(0)).get(volume).orElseThrow(),
                    "the reader repairs the replica that served version 2");

            // Every replica stale: the reader refuses, naming both versions.
            for (ChordHost host : replicas) {
                ring.store(host).put(volume, version2, null);
            }
            VolumeException e = assertThrows(VolumeException.class, () -> volumes.open(volume),
                    () -> "every replica host set to version 2; held: " + held(ring, volume, signedBlocks, replicas));
            assertEquals(VolumeException.Kind.ROLLBACK, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("serves version 2"), e.getMessage());
            assertTrue(e.getMessage().contains("has seen version 3"), e.getMessage());

            // A reader that has not seen version 3 takes version 2 as the newest and reads through the chain.
            Volumes fresh = new Volumes(reader, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 1 << 20);
            assertEquals(2, fresh.open(volume).version());
            assertEquals("version 1", read(fresh.open(volume, 1)));
        }
    }

    /** Which version each host stores, for failure messages. */
    private static String held(LoopbackDHashRing ring, Id volume, List<byte[]> versions, List<ChordHost> replicas) {
        StringBuilder out = new StringBuilder();
        for (ChordHost host : ring.hosts()) {
            String v;
            try {
                v = ring.store(host).get(volume).map(b -> {
                    for (int i = 0; i < versions.size(); i++) {
                        if (Arrays.equals(b, versions.get(i))) {
                            return "version " + (i + 1);
                        }
                    }
                    return "other";
                }).orElse("none");
            } catch (Exception ex) {
                v = ex.toString();
            }
            out.append(host.endpoint()).append(replicas.contains(host) ? " (replica): " : ": ").append(v).append("; ");
        }
        return out.toString();
    }

    private static List<ChordHost> replicaHosts(LoopbackDHashRing ring, DHash client, Id key) throws Exception {
        BlockStat stat = client.stat(key).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<ChordHost> out = new ArrayList<>();
        for (BlockStat.Holder h : stat.nodes()) {
            if (h.replica()) {
                ring.hosts().stream().filter(c -> c.endpoint().equals(h.node().endpoint())).findFirst()
                        .filter(c -> !out.contains(c)).ifPresent(out::add);
            }
        }
        return out;
    }

    private static String read(Snapshot s) throws Exception {
        try (InputStream in = s.open(VolumePath.parse("dir/file.txt")).stream(4)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
