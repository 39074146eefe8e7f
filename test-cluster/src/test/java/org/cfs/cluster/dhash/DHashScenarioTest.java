package org.cfs.cluster.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.BlockLoad;
import org.cfs.cluster.DHashCluster;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.Fetch;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One DHash story, every transport: 8 hosts of 2 vnodes keep k = 3 copies of each block, every
 * host reads every block, two replica hosts crash and maintenance restores k copies, a signed
 * block's newest sequence wins wherever it is held, and corrupt copies are passed over and
 * replaced. One subclass per {@link DHashCluster} runs it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
abstract class DHashScenarioTest {
    private static final int HOSTS = 8;
    private static final int VNODES = 2;
    private static final int K = 3;
    private static final int BLOCKS = 60;
    /** Operations started at once: enough to overlap, few enough not to swamp a loaded machine. */
    private static final int WINDOW = 32;
    /** Bounds in the cluster's time: generous, since they only decide when a broken run gives up. */
    private static final Duration OPERATION_BOUND = Duration.ofMinutes(1);
    private static final Duration CONVERGENCE_BOUND = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final DHashConfig CONFIG = DHashConfig.defaults().withReplicas(K)
            .withMaintenanceInterval(Duration.ofSeconds(2));

    private final SplittableRandom random = new SplittableRandom(17);
    private DHashCluster cluster;

    /** A new cluster of no hosts whose hosts will run DHash with {@code config}. */
    protected abstract DHashCluster create(DHashConfig config) throws Exception;

    @BeforeEach
    void startRing() throws Exception {
        cluster = create(CONFIG);
        cluster.growSequentially(HOSTS, VNODES);
        assertTrue(cluster.stabilize(CONVERGENCE_BOUND, Duration.ofMillis(250)).isPresent(),
                () -> "ring did not converge: " + cluster.mismatches());
    }

    @AfterEach
    void closeRing() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyHostReadsEveryBlockThroughTwoReplicaCrashesAndMaintenanceRestoresKCopies() {
        List<ContentBlock> blocks = BlockLoad.mixedBlocks(BLOCKS, 7);
        List<CompletableFuture<PutResult>> puts = all(blocks, b -> randomLive().put(b));
        for (int i = 0; i < BLOCKS; i++) {
            PutResult r = await(puts.get(i));
            assertTrue(r.complete() && r.holders().stream().map(NodeRef::endpoint).distinct().count() == K,
                    "put of " + blocks.get(i).key() + " reached " + r.holders());
        }
        long copies = cluster.hosts().stream().mapToLong(h -> cluster.store(h).count()).sum();
        assertEquals((long) K * BLOCKS, copies, "every block on exactly " + K + " hosts");
        assertEveryHostReads(blocks);

        // Two of one block's three replica hosts at once: that block is down to a single copy.
        List<ChordHost> victims = replicaHosts(blocks.get(0).key()).subList(0, 2);
        victims.forEach(cluster::crash);
        assertEveryHostReads(blocks);

        assertTrue(cluster.stabilize(CONVERGENCE_BOUND, Duration.ofMillis(250)).isPresent(),
                () -> "ring did not reconverge: " + cluster.mismatches());
        Set<Id> lacking = new LinkedHashSet<>(blocks.stream().map(ContentBlock::key).toList());
        eventually(() -> {
            List<Id> keys = List.copyOf(lacking);
            List<CompletableFuture<BlockStat>> stats = all(keys, k -> randomLive().stat(k));
            for (int i = 0; i < keys.size(); i++) {
                if (BlockLoad.failure(stats.get(i)) == null && stats.get(i).join().storedReplicas() == K) {
                    lacking.remove(keys.get(i));
                }
            }
            return lacking.isEmpty();
        }, () -> lacking.size() + " blocks still lack a replica after the crash, e.g. " + lacking.iterator().next());
    }

    @Test
    void theNewestSignedSequenceIsReadWhereverItIsHeld() {
        SigningKey signer = SigningKey.generate(new SecureRandom());
        byte[] label = "root".getBytes(StandardCharsets.UTF_8);
        long expiry = cluster.wallClock().millis() + 3_600_000;
        SignedBlock two = SignedBlock.sign(signer, label, 2, expiry, payload(500));
        assertTrue(await(randomLive().put(two)).complete());
        assertRefused(DHashException.Kind.STALE, randomLive().put(SignedBlock.sign(signer, label, 1, expiry, payload(500))));
        assertRefused(DHashException.Kind.CONFLICT,
                randomLive().put(SignedBlock.sign(signer, label, 2, expiry, payload(500))));
        assertEveryHostReads(two);

        // Sequence 3 reached only the replica a fresh client asks last, as when an update is cut short.
        List<ChordHost> replicas = replicaHosts(two.key());
        SignedBlock three = SignedBlock.sign(signer, label, 3, expiry, payload(500));
        put(cluster.store(replicas.get(K - 1)), three.key(), three.encode());
        assertEquals(three, await(cluster.client(randomLiveHost().endpoint()).get(two.key())),
                "a fresh client asks every replica of a signed block and keeps the highest sequence");
        assertEveryHostReads(three);
        eventually(() -> replicas.stream().allMatch(h -> Arrays.equals(three.encode(), stored(h, three.key()))),
                () -> "sequence 3 did not spread to every replica: " + replicas);

        SignedBlock four = SignedBlock.sign(signer, label, 4, expiry, payload(500));
        assertTrue(await(randomLive().put(four)).complete());
        assertEveryHostReads(four);
    }

    @Test
    void corruptCopiesArePassedOverReportedAndReplacedByTheGoodOne() {
        ContentBlock block = BlockLoad.block(20_000, random);
        assertTrue(await(randomLive().put(block)).complete());
        List<ChordHost> replicas = replicaHosts(block.key());
        byte[] corrupt = BlockLoad.block(20_000, random).encode();
        for (ChordHost h : replicas.subList(0, K - 1)) {
            put(cluster.store(h), block.key(), corrupt);
        }
        Fetch read = await(cluster.client(randomLiveHost().endpoint()).fetch(block.key()));
        assertArrayEquals(block.data(), assertInstanceOf(ContentBlock.class, read.block()).data());
        assertEquals(replicas.get(K - 1).endpoint(), read.servedBy().endpoint(),
                "a fresh client asks in ring order, so it passed over the two corrupt copies");
        // A replica told of a bad copy checks and drops it; maintenance then copies the good one back.
        eventually(() -> replicas.stream().allMatch(h -> Arrays.equals(block.encode(), stored(h, block.key()))),
                () -> "the corrupt copies were not replaced on " + replicas);

        ContentBlock lost = BlockLoad.block(20_000, random);
        assertTrue(await(randomLive().put(lost)).complete());
        List<ChordHost> holders = replicaHosts(lost.key());
        for (ChordHost h : holders) {
            put(cluster.store(h), lost.key(), corrupt);
        }
        DHashException e = refusal(cluster.client(randomLiveHost().endpoint()).get(lost.key()));
        assertEquals(DHashException.Kind.BAD_HASH, e.kind(), e::toString);
        assertTrue(e.getMessage().contains("bad copy"), e.getMessage());
        eventually(() -> holders.stream().allMatch(h -> stored(h, lost.key()) == null),
                () -> "a corrupt copy is still held on one of " + holders);
    }

    /** Every live host reads every block and gets its bytes. */
    private void assertEveryHostReads(List<ContentBlock> blocks) {
        List<String> problems = new ArrayList<>();
        for (ChordHost host : cluster.hosts()) {
            DHash reader = cluster.on(host);
            List<CompletableFuture<Block>> reads = all(blocks, b -> reader.get(b.key()));
            for (int i = 0; i < blocks.size(); i++) {
                String problem = BlockLoad.failure(reads.get(i));
                if (problem == null && !(reads.get(i).join() instanceof ContentBlock c
                        && Arrays.equals(c.data(), blocks.get(i).data()))) {
                    problem = "block " + blocks.get(i).key() + " read back different";
                }
                if (problem != null) {
                    problems.add(host.endpoint() + ": " + problem);
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " reads failed, e.g. "
                + problems.subList(0, Math.min(5, problems.size())));
    }

    /** Every live host reads {@code expected} under its key. */
    private void assertEveryHostReads(SignedBlock expected) {
        for (ChordHost host : cluster.hosts()) {
            assertEquals(expected, await(cluster.on(host).get(expected.key())), "read through " + host.endpoint());
        }
    }

    /** The hosts holding {@code key}'s replicas, in ring order from its owner. */
    private List<ChordHost> replicaHosts(Id key) {
        BlockStat stat = await(randomLive().stat(key));
        List<ChordHost> hosts = stat.nodes().stream().filter(BlockStat.Holder::replica)
                .map(h -> cluster.hosts().stream().filter(c -> c.endpoint().equals(h.node().endpoint()))
                        .findFirst().orElseThrow(() -> new AssertionError(h.node() + " is not a live host")))
                .toList();
        assertEquals(K, hosts.size(), stat::toString);
        return hosts;
    }

    /**
     * Starts {@code operation} on every item, {@link #WINDOW} at a time, waiting in the cluster's
     * time for each batch to finish; the futures in item order, every one completed.
     */
    private <T, R> List<CompletableFuture<R>> all(List<T> items, Function<T, CompletableFuture<R>> operation) {
        List<CompletableFuture<R>> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += WINDOW) {
            List<CompletableFuture<R>> batch = items.subList(from, Math.min(items.size(), from + WINDOW)).stream()
                    .map(operation).toList();
            cluster.awaitDone(CompletableFuture.allOf(batch.stream().map(f -> f.handle((r, e) -> null))
                    .toArray(CompletableFuture[]::new)), OPERATION_BOUND);
            out.addAll(batch);
        }
        return out;
    }

    /** Lets the cluster's time pass until {@code condition} holds, at most {@link #CONVERGENCE_BOUND}. */
    private void eventually(BooleanSupplier condition, Supplier<String> failure) {
        long polls = CONVERGENCE_BOUND.dividedBy(POLL);
        for (long i = 0; i < polls && !condition.getAsBoolean(); i++) {
            cluster.advance(POLL);
        }
        assertTrue(condition.getAsBoolean(), failure);
    }

    private <T> T await(CompletableFuture<T> f) {
        cluster.awaitDone(f, OPERATION_BOUND);
        return f.join();
    }

    private void assertRefused(DHashException.Kind kind, CompletableFuture<?> operation) {
        DHashException e = refusal(operation);
        assertEquals(kind, e.kind(), e::toString);
    }

    private DHashException refusal(CompletableFuture<?> operation) {
        cluster.awaitDone(operation.handle((r, e) -> null), OPERATION_BOUND);
        Throwable cause = operation.handle((r, e) -> e).join();
        assertNotNull(cause, () -> "expected a refusal, got " + operation.join());
        while (!(cause instanceof DHashException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return assertInstanceOf(DHashException.class, cause, cause::toString);
    }

    /** The bytes {@code host} stores under {@code key}, or null. */
    private byte[] stored(ChordHost host, Id key) {
        try {
            Optional<byte[]> bytes = cluster.store(host).get(key);
            return bytes.orElse(null);
        } catch (DHashException e) {
            throw new AssertionError("store of " + host.endpoint() + " failed: " + e.getMessage(), e);
        }
    }

    /** Writes into a store behind its server's back, as a disk error or a cut-short update would. */
    private static void put(BlockStore store, Id key, byte[] bytes) {
        try {
            store.put(key, bytes, null);
        } catch (DHashException e) {
            throw new AssertionError("store refused " + key + ": " + e.getMessage(), e);
        }
    }

    private ChordHost randomLiveHost() {
        List<ChordHost> hosts = cluster.hosts();
        return hosts.get(random.nextInt(hosts.size()));
    }

    private DHash randomLive() {
        return cluster.on(randomLiveHost());
    }

    private byte[] payload(int size) {
        byte[] p = new byte[size];
        random.nextBytes(p);
        return p;
    }
}
