package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import org.cfs.chord.Id;

/**
 * Coverage-guided fuzzing (Jazzer) of the value {@link RocksBlockStore} keeps per block in its
 * {@code meta} column family ({@code size:u32 | version:u64 | hasPayer:u8 | payer:UTF-8}). A value
 * read back from disk either decodes, and then encodes and decodes again to the same size, version
 * and payer, or is refused as corrupt (DHashException IO); nothing else escapes, within
 * {@link FuzzAllocation}'s bound. Run long with {@code ./lab fuzz rocks-meta}.
 */
class MetaValueDecodeFuzzTest {
    private static final Id KEY = Id.hash("meta");

    @FuzzTest
    void metaValues(byte[] input) {
        FuzzAllocation.bounded(input, () -> decodeAndReencode(input));
    }

    private static void decodeAndReencode(byte[] input) {
        StoreAccounts.Held held;
        long version;
        try {
            held = RocksBlockStore.decodeHeld(input, KEY);
            version = RocksBlockStore.decodeVersion(input, KEY);
        } catch (DHashException e) {
            assertEquals(DHashException.Kind.IO, e.kind(), () -> "refused with " + e);
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(e + " escaped decoding " + HexFormat.of().formatHex(input), e);
            return;
        }
        byte[] again = RocksBlockStore.encodeHeld(held.size(), version, held.payer());
        try {
            assertEquals(held, RocksBlockStore.decodeHeld(again, KEY));
            assertEquals(version, RocksBlockStore.decodeVersion(again, KEY));
        } catch (DHashException e) {
            fail("a re-encoded value was refused: " + e, e);
        }
    }
}
