package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ByteSize;
import org.cfs.dhash.DHashMessages.Probe;
import org.cfs.dhash.DHashMessages.Probed;
import org.junit.jupiter.api.Test;

/** How a node's server restarts the lease of blocks it holds: a writer's probe or put, not maintenance. */
class BlockServerLeaseTest {
    private final ManualClock clock = new ManualClock(BlockStoreContract.T0);
    private final MemoryBlockStore store = new MemoryBlockStore(
            new StoreLimits(ByteSize.of(1000), 1.0, Duration.ofDays(1)), clock);
    private final BlockServer server = new BlockServer(store, new BlockCache(1 << 20), DHashConfig.defaults(), clock,
            Runnable::run, (keys, host) -> CompletableFuture.completedFuture(false));

    private Probed probe(ContentBlock block, boolean refresh) {
        return (Probed) server.handle("10.0.0.1:4000", new Probe(block.key(), refresh)).join();
    }

    /** Advances past the lease of anything not refreshed since {@code hours} ago, then asks for room. */
    private boolean collectsAfter(int hours, ContentBlock block) throws DHashException {
        clock.advance(Duration.ofHours(hours));
        try {
            store.put(BlockStoreContract.content(600, 99).key(), BlockStoreContract.content(600, 99).encode(), "x");
        } catch (DHashException e) {
            assertEquals(DHashException.Kind.STORE_FULL, e.kind());
        }
        return !store.contains(block.key());
    }

    @Test
    void aProbeWithRefreshRestartsTheLeaseAndChargesTheAsker() throws DHashException {
        ContentBlock block = BlockStoreContract.content(500, 1);
        server.store(block.key(), block.encode(), "10.0.0.9:4000");
        clock.advance(Duration.ofHours(20));
        assertTrue(probe(block, true).stored());
        assertEquals(500, store.usage("10.0.0.1:4000"));
        assertEquals(0, store.usage("10.0.0.9:4000"));
        assertFalse(probe(BlockStoreContract.content(10, 2), true).stored());
        assertFalse(collectsAfter(10, block), "refreshed 10 hours ago");
        assertTrue(collectsAfter(14, block));
    }

    @Test
    void aProbeWithoutRefreshLeavesTheLeaseAlone() throws DHashException {
        ContentBlock block = BlockStoreContract.content(500, 1);
        server.store(block.key(), block.encode(), "10.0.0.9:4000");
        clock.advance(Duration.ofHours(20));
        assertTrue(probe(block, false).stored());
        assertEquals(500, store.usage("10.0.0.9:4000"));
        assertTrue(collectsAfter(4, block));
    }

    @Test
    void aWritersPutOfTheSameBytesRefreshes() throws DHashException {
        ContentBlock block = BlockStoreContract.content(500, 1);
        server.store(block.key(), block.encode(), "10.0.0.9:4000");
        clock.advance(Duration.ofHours(20));
        server.store(block.key(), block.encode(), "10.0.0.1:4000");
        assertEquals(500, store.usage("10.0.0.1:4000"));
        assertEquals(0, store.usage("10.0.0.9:4000"));
        assertFalse(collectsAfter(10, block));
        assertTrue(collectsAfter(14, block));
    }

    @Test
    void aMaintenanceCopyOfAHeldBlockDoesNotKeepItAlive() throws DHashException {
        ContentBlock block = BlockStoreContract.content(500, 1);
        server.store(block.key(), block.encode(), "10.0.0.9:4000");
        clock.advance(Duration.ofHours(20));
        server.store(block.key(), block.encode(), null);
        assertEquals(500, store.usage("10.0.0.9:4000"));
        assertTrue(collectsAfter(4, block));
    }
}
