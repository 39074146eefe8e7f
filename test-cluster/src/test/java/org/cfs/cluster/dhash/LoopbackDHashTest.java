package org.cfs.cluster.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.BlockWire;
import org.cfs.cluster.BlockLoad;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHash over real TCP: 16 hosts in this JVM, each on a loopback address and a RocksDB store of its
 * own. The setup puts 2,000 blocks of 1 KiB..1 MiB; the tests check every refusal a server owes a
 * bad writer, and bring a host back on its port and data directory. The refusal tests run before the
 * restart so they see the whole ring; each test needs only the setup. What DHash does the same
 * on every transport (reads, crashes and repair, signed updates, corrupt copies) is in
 * {@link DHashScenarioTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LoopbackDHashTest {
    private static final int HOSTS = 16;
    private static final int VNODES = 1;
    private static final int BLOCKS = 2000;
    private static final int K = 3;
    private static final Duration WIRE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAINTENANCE = Duration.ofSeconds(2);
    private static final Duration REJOIN_BOUND = Duration.ofSeconds(30);
    private static final DHashConfig CONFIG = DHashConfig.defaults().withReplicas(K).withMaintenanceInterval(MAINTENANCE);

    @TempDir
    static Path dir;

    private final SplittableRandom random = new SplittableRandom(7);
    private LoopbackDHashRing ring;
    private List<ContentBlock> blocks;

    @BeforeAll
    void startRingAndPutBlocks() throws Exception {
        ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), CONFIG, StoreLimits.defaults(), dir.resolve("ring"));
        long t0 = System.nanoTime();
        ring.growSequentially(HOSTS, VNODES);
        ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
        System.out.printf("loopback dhash: %d hosts up and stable in %.1f s%n", HOSTS, seconds(t0));

        blocks = BlockLoad.mixedBlocks(BLOCKS, 7);
        long bytes = blocks.stream().mapToLong(b -> b.data().length).sum();
        long t1 = System.nanoTime();
        List<CompletableFuture<PutResult>> puts = BlockLoad.inWindow(blocks, b -> randomLive().put(b));
        double putSeconds = seconds(t1);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            String problem = BlockLoad.failure(puts.get(i));
            if (problem == null) {
                PutResult r = puts.get(i).join();
                problem = r.complete() && distinctHosts(r.holders()) == K ? null
                        : "put of " + blocks.get(i).key() + " reached only " + r.holders();
            }
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " of " + BLOCKS + " puts failed, e.g. "
                + problems.subList(0, Math.min(5, problems.size())));
        System.out.printf("loopback dhash: put %d blocks (%.1f MB, 1 KiB..1 MiB) on %d replicas each in %.1f s:"
                + " %.0f blocks/s, %.1f MB/s of data%n", BLOCKS, bytes / 1e6, K, putSeconds, BLOCKS / putSeconds,
                bytes / 1e6 / putSeconds);
    }

    /** The kind of DHash refusal {@code reply} ends in; fails if it is stored or ends otherwise. */
    private static DHashException.Kind wireRefusal(CompletableFuture<?> reply) throws Exception {
        try {
            reply.get(WIRE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            throw new AssertionError("the node took what it should have refused");
        } catch (ExecutionException e) {
            DHashException.Kind kind = BlockWire.refusal(e.getCause());
            if (kind == null) {
                throw new AssertionError("expected a DHash error reply, got " + e.getCause(), e.getCause());
            }
            return kind;
        }
    }

    @AfterAll
    void closeRing() {
        if (ring != null) {
            ring.close();
        }
    }

    @Test
    @Order(1)
    void bytesThatDoNotHashToTheirKeyAreRefusedByEveryReplica() throws Exception {
        ContentBlock claimed = BlockLoad.block(4096, random);
        ContentBlock actual = BlockLoad.block(4096, random);
        List<NodeRef> replicas = replicas(await(randomLive().stat(claimed.key())));
        assertEquals(K, replicas.size());
        try (BlockWire wire = new BlockWire("127.0.0.1", WIRE_TIMEOUT)) {
            for (NodeRef r : replicas) {
                assertEquals(DHashException.Kind.BAD_HASH,
                        wireRefusal(wire.store(r.endpoint(), claimed.key(), actual.encode(), false)), "from a writer at " + r);
                assertEquals(DHashException.Kind.BAD_HASH,
                        wireRefusal(wire.store(r.endpoint(), claimed.key(), actual.encode(), true)), "as a replica at " + r);
                assertEquals(DHashException.Kind.MALFORMED,
                        wireRefusal(wire.store(r.endpoint(), claimed.key(), "not a block".getBytes(StandardCharsets.UTF_8),
                                false)), "garbage at " + r);
            }
        }
        assertNothingHeld(claimed.key());
        assertNothingHeld(actual.key());
    }

    @Test
    @Order(1)
    void aForgedOrExpiredSignedBlockIsRefusedAndNotStored() throws Exception {
        SigningKey signer = SigningKey.generate(new SecureRandom());
        SignedBlock good = SignedBlock.sign(signer, label("forged"), 1, inAnHour(), payload(2000));
        byte[] signature = good.signature().clone();
        signature[0] ^= 1;
        SignedBlock badSignature = new SignedBlock(good.publicKey(), good.label(), 1, good.expiresAtMillis(),
                good.payload(), signature);
        assertRefused(DHashException.Kind.BAD_SIGNATURE, randomLive().put(badSignature));
        SignedBlock otherPayload = new SignedBlock(good.publicKey(), good.label(), 1, good.expiresAtMillis(),
                payload(2000), good.signature());
        assertRefused(DHashException.Kind.BAD_SIGNATURE, randomLive().put(otherPayload));
        assertNothingHeld(good.key());

        SignedBlock expired = SignedBlock.sign(signer, label("expired"), 1, System.currentTimeMillis() - 1000,
                payload(100));
        assertRefused(DHashException.Kind.EXPIRED, randomLive().put(expired));
        assertNothingHeld(expired.key());
    }

    @Test
    @Order(1)
    void aBlockOverTheSizeLimitIsRefusedAndNotStored() throws Exception {
        ContentBlock big = new ContentBlock(new byte[Block.DEFAULT_MAX_DATA + 1]);
        assertRefused(DHashException.Kind.TOO_LARGE, randomLive().put(big));
        assertNothingHeld(big.key());
        SignedBlock bigSigned = SignedBlock.sign(SigningKey.generate(new SecureRandom()), label("big"), 1,
                inAnHour(), new byte[Block.DEFAULT_MAX_DATA + 1]);
        assertRefused(DHashException.Kind.TOO_LARGE, randomLive().put(bigSigned));
        assertNothingHeld(bigSigned.key());
    }

    @Test
    @Order(1)
    void aWriterOverItsQuotaIsRefusedAndNothingIsStored() throws Exception {
        StoreLimits tiny = new StoreLimits(ByteSize.ofMiB(1), 0.125);
        try (LoopbackDHashRing small = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), CONFIG, tiny,
                dir.resolve("quota"))) {
            small.growSequentially(K, 1);
            small.stabilize(Duration.ofSeconds(30), Duration.ofMillis(100)).orElseThrow();
            DHash writer = small.on(small.hosts().get(0));
            ContentBlock first = BlockLoad.block(100 << 10, random);
            assertTrue(await(writer.put(first)).complete(), "100 KiB fits the 128 KiB quota");
            ContentBlock second = BlockLoad.block(100 << 10, random);
            assertRefused(DHashException.Kind.OVER_QUOTA, writer.put(second));
            BlockStat stat = await(writer.stat(second.key()));
            assertTrue(stat.nodes().stream().noneMatch(h -> h.stored() || h.cached()), stat::toString);
            for (ChordHost h : small.hosts()) {
                assertEquals(1, small.store(h).count(), "only the first block at " + h.endpoint());
            }
            assertTrue(await(writer.put(BlockLoad.block(16 << 10, random))).complete(), "what still fits is stored");
        }
    }

    @Test
    @Order(2)
    void aHostRestartedOnItsPortAndDataDirectoryServesItsBlocksAgain() throws Exception {
        ChordHost victim = ring.hosts().get(3);
        Endpoint at = victim.endpoint();
        RocksBlockStore before = ring.store(victim);
        long count = before.count();
        long bytes = before.bytes();
        // The setup's blocks it holds, to look for after the restart.
        List<Id> held = new ArrayList<>();
        for (ContentBlock b : blocks) {
            if (before.contains(b.key())) {
                held.add(b.key());
            }
        }
        assertFalse(held.isEmpty(), "the host holds blocks");
        ring.crash(victim);
        // Come back only once the others have dropped it, so this is a rejoin, not a blip they never saw.
        ring.stabilize(REJOIN_BOUND, Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not drop the crashed host: " + ring.mismatches()));

        long t0 = System.nanoTime();
        ChordHost back = ring.restart(at, VNODES);
        assertEquals(at, back.endpoint());
        RocksBlockStore reopened = ring.store(back);
        assertEquals(count, reopened.count(), "blocks after reopening " + ring.dataDir(at));
        assertEquals(bytes, reopened.bytes());
        for (Id key : held) {
            assertTrue(reopened.contains(key), () -> key + " is back in " + ring.dataDir(at));
        }
        try (BlockWire wire = new BlockWire("127.0.0.1", WIRE_TIMEOUT)) {
            for (Id key : held) {
                Block.decode(wire.fetch(at, key).get(WIRE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS),
                                Block.DEFAULT_MAX_DATA)
                        .verify(key, System.currentTimeMillis(), Block.DEFAULT_MAX_DATA);
            }
        }
        System.out.printf("loopback dhash: %s rejoined on its data directory in %.1f s and served its %d blocks%n",
                at, seconds(t0), held.size());

        Set<Id> pending = new HashSet<>(held);
        long deadline = System.nanoTime() + REJOIN_BOUND.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            List<Id> keys = new ArrayList<>(pending);
            List<CompletableFuture<BlockStat>> stats = BlockLoad.inWindow(keys, k -> randomLive().stat(k));
            for (int i = 0; i < keys.size(); i++) {
                if (BlockLoad.failure(stats.get(i)) == null && storedAt(stats.get(i).join(), at)) {
                    pending.remove(keys.get(i));
                }
            }
            if (!pending.isEmpty()) {
                ring.advance(Duration.ofMillis(250));
            }
        }
        assertTrue(pending.isEmpty(), () -> pending.size() + " of its " + held.size()
                + " blocks are not reported as stored replicas on " + at);
        System.out.printf("loopback dhash: stat reports %s as a stored replica of all %d %.1f s after restart%n",
                at, held.size(), seconds(t0));
    }

    /** Every node around {@code key} answers, and none stores or caches it. */
    private void assertNothingHeld(Id key) throws Exception {
        BlockStat stat = await(randomLive().stat(key));
        assertEquals(K, replicas(stat).size(), stat::toString);
        for (BlockStat.Holder h : stat.nodes()) {
            assertNull(h.error(), () -> h.node() + " did not answer: " + h.error());
            assertFalse(h.stored() || h.cached(), () -> h.node() + " holds " + key);
        }
    }

    private static boolean storedAt(BlockStat stat, Endpoint at) {
        return stat.storedReplicas() == K && stat.nodes().stream()
                .anyMatch(h -> h.replica() && h.stored() && h.node().endpoint().equals(at));
    }

    private static List<NodeRef> replicas(BlockStat stat) {
        return stat.nodes().stream().filter(BlockStat.Holder::replica).map(BlockStat.Holder::node).toList();
    }

    private static void assertRefused(DHashException.Kind kind, CompletableFuture<?> operation) throws Exception {
        DHashException e = refusal(operation);
        assertEquals(kind, e.kind(), e::toString);
    }

    private static DHashException refusal(CompletableFuture<?> operation) throws Exception {
        Object result;
        try {
            result = operation.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (!(cause instanceof DHashException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return assertInstanceOf(DHashException.class, cause, e::toString);
        }
        throw new AssertionError("expected a refusal, got " + result);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private ChordHost randomLiveHost() {
        List<ChordHost> hosts = ring.hosts();
        return hosts.get(random.nextInt(hosts.size()));
    }

    private DHash randomLive() {
        return ring.on(randomLiveHost());
    }

    private static long distinctHosts(List<NodeRef> nodes) {
        return nodes.stream().map(NodeRef::endpoint).distinct().count();
    }

    private byte[] payload(int size) {
        byte[] p = new byte[size];
        random.nextBytes(p);
        return p;
    }

    private static byte[] label(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static long inAnHour() {
        return System.currentTimeMillis() + 3_600_000;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
