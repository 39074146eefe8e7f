package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.cfs.chord.ChordHost;
import org.cfs.chord.NodeRef;
import org.junit.jupiter.api.Test;

/**
 * The two repair policies side by side: EXACT keeps k copies on the first k successors and hands
 * any other copy over; CARBONITE keeps copies anywhere in the owner's successor list and copies a
 * block only while fewer than k of them are reachable.
 */
class CarboniteRepairTest {
    private final SimDHashNodes ring = new SimDHashNodes(11);
    private final List<ChordHost> hosts = ring.hosts;
    private final List<DHash> dhash = ring.dhash;
    private final List<MemoryBlockStore> stores = ring.stores;

    private void grow(DHashConfig.Repair repair) {
        ring.grow(8, DHashConfig.defaults().withMaintenanceInterval(Duration.ofSeconds(2)).withRepair(repair),
                StoreLimits.defaults());
    }

    /** The block's replica hosts in ring order, its owner first: the first k hold it, the rest may. */
    private List<NodeRef> ringOrder(Block block) {
        return BlockClient.replicaHosts(ring.await(hosts.get(0).vnodes().get(0).lookup(block.key())).replicaSet(),
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
        assertTrue(ring.await(dhash.get(0).put(block)).complete());
        ring.storeOf(ringOrder(block).get(3)).put(block.key(), block.encode(), null);
        return block;
    }

    @Test
    void underCarboniteACopyPastTheFirstKStaysAndATransientFailureMakesNoNewCopy() throws Exception {
        grow(DHashConfig.Repair.CARBONITE);
        ContentBlock block = putWithExtraCopy();
        List<NodeRef> order = ringOrder(block);
        ring.net.clock().runFor(Duration.ofSeconds(20));
        assertTrue(ring.storeOf(order.get(3)).contains(block.key()), "the fourth copy was kept");
        long before = copiesMade();

        ring.net.crash(order.get(1).endpoint());
        ring.net.clock().runFor(Duration.ofSeconds(60));
        assertEquals(before, copiesMade(), "three reachable copies remain, so nothing was copied");
        assertFalse(ring.storeOf(order.get(4)).contains(block.key()), "no copy went to the next successor");
        assertEquals(4, holders(block), "the crashed host's copy still counts on its disk");
    }

    @Test
    void underExactTheCopyPastTheFirstKIsHandedOverAndATransientFailureIsCopiedAround() throws Exception {
        grow(DHashConfig.Repair.EXACT);
        ContentBlock block = putWithExtraCopy();
        List<NodeRef> order = ringOrder(block);
        ring.net.clock().runFor(Duration.ofSeconds(20));
        assertFalse(ring.storeOf(order.get(3)).contains(block.key()), "the fourth copy was handed over and deleted");
        long before = copiesMade();

        ring.net.crash(order.get(1).endpoint());
        ring.net.clock().runFor(Duration.ofSeconds(60));
        assertTrue(copiesMade() > before, "the host that became third got a copy");
        assertTrue(ring.storeOf(order.get(3)).contains(block.key()), "the new third successor holds it");
    }

    @Test
    void underCarboniteBlocksBelowKReachableCopiesAreCopiedToTheFirstHostsThatLackThem() throws Exception {
        grow(DHashConfig.Repair.CARBONITE);
        byte[] data = new byte[1024];
        new SecureRandom().nextBytes(data);
        ContentBlock block = new ContentBlock(data);
        assertTrue(ring.await(dhash.get(0).put(block)).complete());
        List<NodeRef> order = ringOrder(block);
        assertTrue(ring.storeOf(order.get(0)).delete(block.key()));
        assertTrue(ring.storeOf(order.get(2)).delete(block.key()));
        ring.net.clock().runFor(Duration.ofSeconds(20));
        for (NodeRef n : order.subList(0, 3)) {
            assertTrue(ring.storeOf(n).contains(block.key()), n + " holds it again");
        }
        assertEquals(3, holders(block), "k copies, no more");
    }

    @Test
    void underCarboniteAReplicaBehindIsBroughtToTheNewestSignedVersion() throws Exception {
        grow(DHashConfig.Repair.CARBONITE);
        SigningKey key = SigningKey.generate(new SecureRandom());
        long expiry = SimDHashNodes.CLOCK.millis() + 3_600_000;
        byte[] name = "root".getBytes(StandardCharsets.UTF_8);
        SignedBlock v1 = SignedBlock.sign(key, name, 1, expiry, "v1".getBytes(StandardCharsets.UTF_8));
        SignedBlock v2 = SignedBlock.sign(key, name, 2, expiry, "v2".getBytes(StandardCharsets.UTF_8));
        PutResult put = ring.await(dhash.get(0).put(v1));
        ring.storeOf(put.holders().get(2)).put(v2.key(), v2.encode(), null);
        ring.net.clock().runFor(Duration.ofSeconds(20));
        for (NodeRef holder : put.holders()) {
            SignedBlock held = (SignedBlock) Block.decode(ring.storeOf(holder).get(v1.key()).orElseThrow(), Integer.MAX_VALUE);
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
