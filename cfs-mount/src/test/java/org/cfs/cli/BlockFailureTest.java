package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.TransportException;
import org.cfs.dhash.DHashException;
import org.junit.jupiter.api.Test;

class BlockFailureTest {
    private static final Id KEY = Id.hash("block");
    private static final Endpoint VIA = new Endpoint("127.0.0.1", 7000);

    @Test
    void everyKindIsOneLineNamingTheBlockAndTheKind() {
        for (DHashException.Kind kind : DHashException.Kind.values()) {
            String line = BlockFailure.line(KEY, new DHashException(kind, "detail of " + kind), 3);
            String words = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
            assertTrue(line.contains("block " + KEY.toHex()), line);
            assertTrue(line.contains("(" + words + ")"), line);
            assertEquals(1, line.lines().count(), line);
        }
    }

    @Test
    void notFoundNamesTheReplicaCount() {
        assertEquals("block " + KEY + " is held by none of the 5 replica hosts (not found)",
                BlockFailure.line(KEY, new DHashException(DHashException.Kind.NOT_FOUND, "x"), 5));
    }

    @Test
    void refusalsWithNumbersKeepDHashsDetail() {
        String line = BlockFailure.line(KEY, new DHashException(DHashException.Kind.STALE,
                "block 1f2e has sequence 2 here; refusing older sequence 1"), 3);
        assertEquals("the ring holds a newer version of block " + KEY
                + " (stale): block 1f2e has sequence 2 here; refusing older sequence 1", line);
    }

    @Test
    void aWrappedRefusalIsFoundUnderCompletionExceptions() {
        Throwable wrapped = new java.util.concurrent.CompletionException(
                new DHashException(DHashException.Kind.OVER_QUOTA, "quota"));
        CommandFailedException e = BlockFailure.of(KEY, wrapped, VIA, 3);
        assertTrue(e.getMessage().startsWith("the replica hosts refused block " + KEY), e.getMessage());
        assertTrue(e.getMessage().endsWith("(over quota)"), e.getMessage());
    }

    @Test
    void aLookupThatNeverReachedTheRingSaysSo() {
        CommandFailedException e = BlockFailure.of(KEY,
                new TransportException(TransportException.Reason.UNREACHABLE, "connection refused"), VIA, 3);
        assertEquals("finding the replica hosts of block " + KEY + " via 127.0.0.1:7000 failed:"
                + " connection refused", e.getMessage());
    }
}
