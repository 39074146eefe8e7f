package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import org.cfs.chord.Id;

/**
 * Coverage-guided fuzzing (Jazzer) of the value {@link RocksBlockStore} keeps per block in its
 * {@code meta} column family ({@code size:u32 version:u64 flags:u8 [refreshed:i64] [payer]}, or the
 * layout before leases). A value read back from disk either decodes, and then encodes and decodes
 * again to the same size, version, refresh time and payer, or is refused as corrupt (DHashException
 * IO); nothing else escapes, within {@link FuzzAllocation}'s bound. Run long with
 * {@code ./lab fuzz rocks-meta}.
 */
class MetaValueDecodeFuzzTest {
    private static final Id KEY = Id.hash("meta");
    /** What a value without a refresh time reads as: the time its store opened. */
    private static final long OPENED_AT = 1_790_000_000_000L;

    @FuzzTest
    void metaValues(byte[] input) {
        FuzzAllocation.bounded(input, () -> decodeAndReencode(input));
    }

    private static void decodeAndReencode(byte[] input) {
        RocksBlockStore.Meta meta;
        long version;
        try {
            meta = RocksBlockStore.decodeMeta(input, KEY, OPENED_AT);
            version = RocksBlockStore.decodeVersion(input, KEY);
            assertEquals(meta.held(), RocksBlockStore.decodeHeld(input, KEY));
        } catch (DHashException e) {
            assertEquals(DHashException.Kind.IO, e.kind(), () -> "refused with " + e);
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(e + " escaped decoding " + HexFormat.of().formatHex(input), e);
            return;
        }
        assertEquals(version, meta.version());
        byte[] again = RocksBlockStore.encodeMeta(meta.size(), meta.version(), meta.refreshedAtMillis(), meta.payer());
        try {
            assertEquals(meta, RocksBlockStore.decodeMeta(again, KEY, OPENED_AT + 1));
            assertEquals(version, RocksBlockStore.decodeVersion(again, KEY));
        } catch (DHashException e) {
            fail("a re-encoded value was refused: " + e, e);
        }
    }
}
