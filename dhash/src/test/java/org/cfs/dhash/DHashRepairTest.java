package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.sim.SimNetwork;
import org.cfs.chord.wire.Message;
import org.junit.jupiter.api.Test;

/** How DHash copes with copies that are wrong: unpaid "maintenance" copies, stale versions, corrupt bytes. */
class DHashRepairTest {
    private static final Clock CLOCK = SimDHashNodes.CLOCK;
    private final DHashConfig config = DHashConfig.defaults().withMaintenanceInterval(Duration.ofSeconds(2));
    private final SimDHashNodes ring = new SimDHashNodes(8);
    private final SimNetwork net = ring.net;
    private final List<ChordHost> hosts = ring.hosts;
    private final List<DHash> dhash = ring.dhash;
    private final List<MemoryBlockStore> stores = ring.stores;

    private void grow(int count, StoreLimits limits) {
        ring.grow(count, config, limits);
    }

    @Test
    void aReaderTellsItsLookupsOfEveryNodeThatServedABadCopy() throws Exception {
        grow(5, StoreLimits.defaults());
        ContentBlock block = new ContentBlock("the good copy".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ChordHost reader = hosts.get(0);
        List<NodeRef> distrusted = new ArrayList<>();
        BlockClient client = new BlockClient(key -> reader.vnodes().get(0).lookup(key), null, distrusted::add,
                reader.transport(), reader.scheduler(), config, CLOCK, reader.roundTrips());
        assertTrue(ring.await(client.put(block)).complete());
        List<NodeRef> replicas = BlockClient.replicaHosts(ring.await(reader.vnodes().get(0).lookup(block.key())).replicaSet(),
                config.replicas());
        byte[] corrupt = new ContentBlock("a bad copy".getBytes(java.nio.charset.StandardCharsets.UTF_8)).encode();
        for (NodeRef liar : replicas) {
            ring.storeOf(liar).put(block.key(), corrupt, null);
        }
        CompletableFuture<Fetch> read = client.fetch(block.key());
        for (int i = 0; i < 20_000 && !read.isDone(); i++) {
            net.clock().runFor(Duration.ofMillis(10));
        }
        assertTrue(read.isCompletedExceptionally(), "every copy is bad");
        assertEquals(java.util.Set.copyOf(replicas), java.util.Set.copyOf(distrusted),
                "every host that served a bad copy, and no other");
        assertEquals(replicas.size(), distrusted.size());
    }

    @Test
    void copiesClaimedAsMaintenanceBySomeoneElseAreChargedToTheirQuota() throws Exception {
        grow(3, new StoreLimits(ByteSize.ofMiB(1), 0.125));
        Endpoint intruder = new Endpoint("intruder", 1);
        Transport raw = net.attach(intruder, (from, m) -> CompletableFuture.failedFuture(
                new RemoteException(RemoteException.UNSUPPORTED, "intruder")));
        SecureRandom random = new SecureRandom();
        int refused = 0;
        for (int i = 0; i < 20; i++) {
            byte[] data = new byte[100 << 10];
            random.nextBytes(data);
            ContentBlock b = new ContentBlock(data);
            CompletableFuture<Message> r = raw.request(hosts.get(0).endpoint(),
                    new DHashMessages.StoreBlock(b.key(), b.encode(), true), Duration.ofSeconds(5));
            Throwable e = ring.await(r.handle((ok, err) -> err));
            if (e != null) {
                TransportException te = TransportException.unwrap(e);
                assertEquals(DHashMessages.errorCode(DHashException.Kind.OVER_QUOTA), te.remote().code(), te.toString());
                refused++;
            }
        }
        assertEquals(19, refused, "one 100 KiB copy fits the 128 KiB quota, the rest are refused");
        assertEquals(100 << 10, stores.get(0).usage("intruder"), 1024.0);
        assertTrue(stores.get(0).count() <= 1);
    }

    /** v1 of a signed block on its three replicas, and v2 on only one of them, as when the others missed an update. */
    private record Diverged(SignedBlock v1, PutResult put) {
    }

    private Diverged putV1ThenV2OnOneReplica() throws Exception {
        grow(8, StoreLimits.defaults());
        SigningKey key = SigningKey.generate(new SecureRandom());
        long expiry = CLOCK.millis() + 3_600_000;
        SignedBlock v1 = SignedBlock.sign(key, "root".getBytes(), 1, expiry, "v1".getBytes());
        SignedBlock v2 = SignedBlock.sign(key, "root".getBytes(), 2, expiry, "v2".getBytes());
        PutResult put = ring.await(dhash.get(0).put(v1));
        assertEquals(3, put.holders().size());
        ring.storeOf(put.holders().get(2)).put(v2.key(), v2.encode(), null);
        return new Diverged(v1, put);
    }

    private void assertEveryReplicaHoldsV2(Diverged d) throws DHashException {
        for (NodeRef holder : d.put().holders()) {
            SignedBlock held = (SignedBlock) Block.decode(ring.storeOf(holder).get(d.v1().key()).orElseThrow(),
                    Integer.MAX_VALUE);
            assertEquals(2, held.seq(), "replica " + holder + " still behind");
        }
    }

    @Test
    void aSignedBlockThatReachedOneReplicaWinsOnReadAndIsCopiedToTheOthers() throws Exception {
        Diverged d = putV1ThenV2OnOneReplica();
        for (int reader = 3; reader < 8; reader++) {
            Block read = ring.await(dhash.get(reader).get(d.v1().key()));
            assertEquals(2, ((SignedBlock) read).seq(), "a reader went backwards");
        }
        net.clock().runFor(Duration.ofSeconds(5));
        assertEveryReplicaHoldsV2(d);
    }

    @Test
    void aCorruptCopyIsReportedDroppedAndRestoredByMaintenance() throws Exception {
        grow(8, StoreLimits.defaults());
        ContentBlock block = new ContentBlock("the real bytes".getBytes());
        PutResult put = ring.await(dhash.get(0).put(block));
        NodeRef victim = put.holders().get(0);
        byte[] garbage = new ContentBlock("other bytes".getBytes()).encode();
        ring.storeOf(victim).put(block.key(), garbage, null);

        for (int reader = 1; reader < 8; reader++) {
            assertArrayEquals(block.data(), ((ContentBlock) ring.await(dhash.get(reader).get(block.key()))).data());
        }
        net.clock().runFor(Duration.ofSeconds(20));
        assertArrayEquals(block.encode(), ring.storeOf(victim).get(block.key()).orElseThrow(),
                "the corrupt copy was replaced by a good one");
        assertEquals(3, ring.await(dhash.get(5).stat(block.key())).storedReplicas());
    }

    @Test
    void maintenanceAloneBringsReplicasThatAreBehindToTheNewestSignedVersion() throws Exception {
        Diverged d = putV1ThenV2OnOneReplica();
        // Nobody reads it, so only maintenance can spread v2.
        net.clock().runFor(Duration.ofSeconds(20));
        assertEveryReplicaHoldsV2(d);
    }

    @Test
    void copiesLostFromReplicasAreCountedUnderKUntilMaintenanceRestoresThem() throws Exception {
        grow(5, StoreLimits.defaults());
        byte[] data = new byte[4096];
        new SecureRandom().nextBytes(data);
        ContentBlock block = new ContentBlock(data);
        PutResult put = ring.await(dhash.get(0).put(block));
        assertEquals(3, put.holders().size());
        DHash owner = dhashOf(put.holders().get(0));
        awaitUnderK(owner, 0, "before any copy is lost");
        assertTrue(ring.storeOf(put.holders().get(1)).delete(block.key()));
        assertTrue(ring.storeOf(put.holders().get(2)).delete(block.key()));
        awaitUnderK(owner, 1, "with two of three copies lost");
        awaitUnderK(owner, 0, "once maintenance copied them back");
        for (NodeRef holder : put.holders()) {
            assertTrue(ring.storeOf(holder).contains(block.key()), holder + " holds the block again");
        }
    }

    @Test
    void aReplicaHostItsPredecessorThinksDeadKeepsItsCopies() throws Exception {
        grow(6, StoreLimits.defaults());
        TreeMap<Id, Integer> ringOrder = new TreeMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            ringOrder.put(hosts.get(i).vnodes().get(0).self().id(), i);
        }
        SplittableRandom random = new SplittableRandom(3);
        List<Id> mine = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] data = new byte[512];
            random.nextBytes(data);
            ContentBlock block = new ContentBlock(data);
            ring.await(dhash.get(i % hosts.size()).put(block));
            if (replicaHosts(ringOrder, block.key()).contains(0) && stores.get(0).contains(block.key())) {
                mine.add(block.key());
            }
        }
        assertTrue(mine.size() > 1, "host 0 holds copies as a replica host: " + mine.size());
        // Host 0 stops answering its predecessor only: the predecessor drops it from its successor
        // list, so lookups answer replica sets that pass over host 0 while it is alive.
        var below = ringOrder.lowerEntry(hosts.get(0).vnodes().get(0).self().id());
        String predecessor = hosts.get((below != null ? below : ringOrder.lastEntry()).getValue()).endpoint().host();
        net.interpose(hosts.get(0).endpoint(), handler -> (fromHost, request) -> fromHost.equals(predecessor)
                ? new CompletableFuture<>() : handler.handle(fromHost, request));
        for (int step = 1; step <= 600; step++) {
            net.clock().runFor(Duration.ofMillis(100));
            for (Id key : mine) {
                assertTrue(stores.get(0).contains(key), "host 0 still holds " + key.shortHex() + " at " + step / 10.0 + " s");
            }
        }
    }

    /** The indexes of the first k hosts at or after {@code key} in {@code ringOrder} (one vnode each). */
    private List<Integer> replicaHosts(TreeMap<Id, Integer> ringOrder, Id key) {
        List<Integer> at = new ArrayList<>();
        Id cursor = key;
        for (int r = 0; r < config.replicas(); r++) {
            var next = ringOrder.ceilingEntry(cursor);
            next = next != null ? next : ringOrder.firstEntry();
            at.add(next.getValue());
            cursor = next.getKey().plus(Id.powerOfTwo(0));
        }
        return at;
    }

    private DHash dhashOf(NodeRef node) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).endpoint().equals(node.endpoint())) {
                return dhash.get(i);
            }
        }
        throw new AssertionError("no host at " + node);
    }

    /** Runs virtual time, at most 60 s, until the owner's last round counted {@code expected} keys under k. */
    private void awaitUnderK(DHash owner, long expected, String when) {
        for (int i = 0; i < 600 && owner.replicasUnderK() != expected; i++) {
            net.clock().runFor(Duration.ofMillis(100));
        }
        assertEquals(expected, owner.replicasUnderK(), "keys under k " + when);
    }
}
