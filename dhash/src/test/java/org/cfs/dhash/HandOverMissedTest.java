package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/**
 * A hand-over that cannot put every block on its k hosts names exactly the blocks it could not:
 * one host's store is full and refuses every batch, so the keys whose hosts once the leaver is
 * gone include that one are missed, and every other key is handed over.
 */
class HandOverMissedTest {
    private static final int HOSTS = 5;
    private static final int K = 3;
    private static final int BLOCKS = 600;
    private final SimDHashNodes sim = new SimDHashNodes(8);
    private final DHashConfig config = DHashConfig.defaults().withReplicas(K).withMaintenanceInterval(Duration.ofDays(1));

    @Test
    void theKeysAFullHostRefusedAreNamedAndNoOthers() throws Exception {
        sim.grow(HOSTS, config, new StoreLimits(ByteSize.ofMiB(1), 1.0));
        List<ChordHost> hosts = sim.hosts;
        List<DHash> nodes = sim.dhash;
        List<MemoryBlockStore> stores = sim.stores;

        List<ChordHost> ring = new ArrayList<>(hosts);
        ring.sort(Comparator.comparing(h -> h.vnodes().get(0).self().id()));
        ChordHost leaving = hosts.get(0);
        int at = ring.indexOf(leaving);
        // The host that takes the leaver's place for the keys it owns: a holder of those alone.
        ChordHost full = ring.get((at + K) % HOSTS);
        MemoryBlockStore fullStore = stores.get(hosts.indexOf(full));

        SecureRandom random = new SecureRandom();
        MemoryBlockStore leaverStore = stores.get(0);
        Set<Id> expectedMissed = new HashSet<>();
        for (int i = 0; i < BLOCKS; i++) {
            byte[] data = new byte[64];
            random.nextBytes(data);
            ContentBlock block = new ContentBlock(data);
            leaverStore.put(block.key(), block.encode(), null);
            if (holdersOnceGone(ring, leaving, block.key()).contains(full)) {
                expectedMissed.add(block.key());
            }
        }
        assertTrue(!expectedMissed.isEmpty() && expectedMissed.size() < BLOCKS, "some keys, not all, need the full host");
        fillUp(fullStore);

        HandOver done = sim.await(nodes.get(0).handOver(Duration.ofSeconds(30)));
        assertEquals(BLOCKS, done.held());
        assertEquals(expectedMissed, new HashSet<>(done.missed()));
        assertEquals(BLOCKS - expectedMissed.size(), done.handedOver());
    }

    /** Fills {@code store} to its capacity, so that it refuses any further block. */
    private static void fillUp(MemoryBlockStore store) throws DHashException {
        long left = store.limits().capacity().bytes() - store.bytes();
        byte[] filler = new byte[(int) left];
        store.put(Id.hash("filler"), filler, null);
        assertEquals(store.limits().capacity().bytes(), store.bytes());
    }

    /** The k hosts after the key's owner, skipping the leaver: who holds the key once it is gone. */
    private static List<ChordHost> holdersOnceGone(List<ChordHost> ring, ChordHost leaving, Id key) {
        int owner = 0;
        while (owner < ring.size() && ring.get(owner).vnodes().get(0).self().id().compareTo(key) < 0) {
            owner++;
        }
        List<ChordHost> out = new ArrayList<>();
        for (int i = 0; i < ring.size() && out.size() < K; i++) {
            ChordHost h = ring.get((owner + i) % ring.size());
            if (h != leaving) {
                out.add(h);
            }
        }
        return out;
    }
}
