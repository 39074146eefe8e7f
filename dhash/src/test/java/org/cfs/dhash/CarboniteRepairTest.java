package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.chord.sim.SimNetwork;
import org.junit.jupiter.api.Test;

/**
 * The two repair policies side by side: EXACT keeps k copies on the first k successors and hands
 * any other copy over; CARBONITE keeps copies anywhere in the owner's successor list and copies a
 * block only while fewer than k of them are reachable.
 */
class CarboniteRepairTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final SimNetwork net = new SimNetwork(11, Duration.ofMillis(2), Duration.ofMillis(20));
    private final List<ChordHost> hosts = new ArrayList<>();
    private final List<DHash> dhash = new ArrayList<>();
    private final List<MemoryBlockStore> stores = new ArrayList<>();

    private void grow(int count, DHashConfig.Repair repair) {
        DHashConfig config = DHashConfig.defaults().withMaintenanceInterval(Duration.ofSeconds(2)).withRepair(repair);
        for (int i = 0; i < count; i++) {
            Endpoint e = new Endpoint("h" + i, 4000);
            ChordHost h = ChordHost.builder().config(ChordConfig.defaults().withSuccessors(6))
                    .scheduler(net.scheduler(e)).random(net.split())
                    .transport(handler -> net.attach(e, handler)).build();
            MemoryBlockStore store = new MemoryBlockStore(StoreLimits.defaults());
            dhash.add(DHash.node(h, store, config, CLOCK, Runnable::run, net.split()));
            stores.add(store);
            await(h.start(hosts.isEmpty() ? null : hosts.get(0).endpoint()));
            hosts.add(h);
        }
        net.clock().runFor(Duration.ofSeconds(60));
    }

    private <T> T await(CompletableFuture<T> f) {
        for (int i = 0; i < 20_000 && !f.isDone(); i++) {
            net.clock().runFor(Duration.ofMillis(10));
        }
        assertTrue(f.isDone(), "not done within 200 virtual seconds");
        return f.join();
    }

    private MemoryBlockStore storeOf(NodeRef node) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).endpoint().equals(node.endpoint())) {
                return stores.get(i);
            }
        }
        throw new AssertionError("no host at " + node);
    }

    /** The block's replica hosts in ring order, its owner first: the first k hold it, the rest may. */
    private List<NodeRef> ringOrder(Block block) {
        return BlockClient.replicaHosts(await(hosts.get(0).vnodes().get(0).lookup(block.key())).replicaSet(),
                Integer.MAX_VALUE);
    }

    /** Blocks every host's maintenance has copied so far: pulled, pushed and handed off. */
    private long copiesMade() {
        return dhash.stream().mapToLong(d -> d.stats().pulled() + d.stats().pushed() + d.stats().handedOff()).sum();
    }

    private long holders(Block block) throws DHashException {
        long n = 0;
        for (MemoryBlockStore s : stores) {
            n += s.contains(block.key()) ? 1 : 0;
        }
        return n;
    }

    private ContentBlock putWithExtraCopy() throws Exception {
        byte[] data = new byte[2048];
        new SecureRandom().nextBytes(data);
        ContentBlock block = new ContentBlock(data);
        assertTrue(await(dhash.get(0).put(block)).complete());
        storeOf(ringOrder(block).get(3)).put(block.key(), block.encode(), null);
        return block;
    }

    @Test
    void underCarboniteACopyPastTheFirstKStaysAndATransientFailureMakesNoNewCopy() throws Exception {
        grow(8, DHashConfig.Repair.CARBONITE);
        ContentBlock block = putWithExtraCopy();
        List<NodeRef> order = ringOrder(block);
        net.clock().runFor(Duration.ofSeconds(20));
        assertTrue(storeOf(order.get(3)).contains(block.key()), "the fourth copy was kept");
        long before = copiesMade();

        net.crash(order.get(1).endpoint());
        net.clock().runFor(Duration.ofSeconds(60));
        assertEquals(before, copiesMade(), "three reachable copies remain, so nothing was copied");
        assertFalse(storeOf(order.get(4)).contains(block.key()), "no copy went to the next successor");
        assertEquals(4, holders(block), "the crashed host's copy still counts on its disk");
    }

    @Test
    void underExactTheCopyPastTheFirstKIsHandedOverAndATransientFailureIsCopiedAround() throws Exception {
        grow(8, DHashConfig.Repair.EXACT);
        ContentBlock block = putWithExtraCopy();
        List<NodeRef> order = ringOrder(block);
        net.clock().runFor(Duration.ofSeconds(20));
        assertFalse(storeOf(order.get(3)).contains(block.key()), "the fourth copy was handed over and deleted");
        long before = copiesMade();

        net.crash(order.get(1).endpoint());
        net.clock().runFor(Duration.ofSeconds(60));
        assertTrue(copiesMade() > before, "the host that became third got a copy");
        assertTrue(storeOf(order.get(3)).contains(block.key()), "the new third successor holds it");
    }

    @Test
    void underCarboniteBlocksBelowKReachableCopiesAreCopiedToTheFirstHostsThatLackThem() throws Exception {
        grow(8, DHashConfig.Repair.CARBONITE);
        byte[] data = new byte[1024];
        new SecureRandom().nextBytes(data);
        ContentBlock block = new ContentBlock(data);
        assertTrue(await(dhash.get(0).put(block)).complete());
        List<NodeRef> order = ringOrder(block);
        assertTrue(storeOf(order.get(0)).delete(block.key()));
        assertTrue(storeOf(order.get(2)).delete(block.key()));
        net.clock().runFor(Duration.ofSeconds(20));
        for (NodeRef n : order.subList(0, 3)) {
            assertTrue(storeOf(n).contains(block.key()), n + " holds it again");
        }
        assertEquals(3, holders(block), "k copies, no more");
    }

    @Test
    void underCarboniteAReplicaBehindIsBroughtToTheNewestSignedVersion() throws Exception {
        grow(8, DHashConfig.Repair.CARBONITE);
        SigningKey key = SigningKey.generate(new SecureRandom());
        long expiry = CLOCK.millis() + 3_600_000;
        byte[] name = "root".getBytes(StandardCharsets.UTF_8);
        SignedBlock v1 = SignedBlock.sign(key, name, 1, expiry, "v1".getBytes(StandardCharsets.UTF_8));
        SignedBlock v2 = SignedBlock.sign(key, name, 2, expiry, "v2".getBytes(StandardCharsets.UTF_8));
        PutResult put = await(dhash.get(0).put(v1));
        storeOf(put.holders().get(2)).put(v2.key(), v2.encode(), null);
        net.clock().runFor(Duration.ofSeconds(20));
        for (NodeRef holder : put.holders()) {
            SignedBlock held = (SignedBlock) Block.decode(storeOf(holder).get(v1.key()).orElseThrow(), Integer.MAX_VALUE);
            assertEquals(2, held.seq(), "replica " + holder + " still behind");
        }
    }

    @Test
    void aConfigWithoutARepairPolicyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DHashConfig.defaults().withRepair(null));
        assertTrue(e.getMessage().contains("repair is null"), e.getMessage());
    }
}
