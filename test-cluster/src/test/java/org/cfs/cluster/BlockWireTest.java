package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.RemoteException;
import org.cfs.chord.TransportException;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flood benchmark's direct store and fetch speak DHash's wire, and its refusals are told apart. */
class BlockWireTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void storesFetchesAndIsRefusedABadKeyByANode() throws Exception {
        try (LoopbackDHashRing ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults(),
                StoreLimits.defaults(), dir);
             BlockWire wire = new BlockWire("127.0.0.21", TIMEOUT)) {
            ring.growSequentially(1, 1);
            Endpoint node = ring.hosts().get(0).endpoint();
            ContentBlock block = new ContentBlock("flooded".getBytes(StandardCharsets.UTF_8));
            wire.store(node, block.key(), block.encode()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(block.encode(), wire.fetch(node, block.key()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

            Id wrongKey = Id.hash(block.key().toBytes());
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> wire.store(node, wrongKey, block.encode()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(DHashException.Kind.BAD_HASH, BlockWire.refusal(refused.getCause()));
        }
    }

    @Test
    void onlyADHashErrorReplyIsARefusal() {
        assertEquals(DHashException.Kind.UNAVAILABLE, BlockWire.refusal(new CompletionException(
                new TransportException(new RemoteException(100 + DHashException.Kind.UNAVAILABLE.code(), "slow down")))));
        assertNull(BlockWire.refusal(new TransportException(TransportException.Reason.TIMEOUT, "no reply")));
        assertNull(BlockWire.refusal(new TransportException(new RemoteException(RemoteException.NOT_READY, "starting"))));
        assertNull(BlockWire.refusal(new TransportException(new RemoteException(100 + 99, "unknown kind"))));
        assertNull(BlockWire.refusal(new IllegalStateException("not a transport error")));
    }
}
