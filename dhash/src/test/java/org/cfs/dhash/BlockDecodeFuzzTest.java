package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import java.util.Set;
import org.cfs.chord.Id;

/**
 * Coverage-guided fuzzing (Jazzer) of the block encoding: {@code Block.decode} under a small and
 * the default data limit, then {@code verify} against the block's own key and a wrong one. Decoding
 * either returns a block that re-encodes to exactly the input, or throws DHashException MALFORMED
 * or TOO_LARGE; verifying throws only DHashException; all within {@link FuzzAllocation}'s bound.
 * Run long with {@code ./lab fuzz blocks}.
 */
class BlockDecodeFuzzTest {
    /** Small enough that the fuzzer's inputs reach TOO_LARGE as well as the default limit's paths. */
    private static final int SMALL_LIMIT = 256;
    private static final long EXPIRY_CHECKED_AT = 1_700_000_000_000L;
    private static final Set<DHashException.Kind> DECODE_REFUSALS =
            Set.of(DHashException.Kind.MALFORMED, DHashException.Kind.TOO_LARGE);
    private static final Set<DHashException.Kind> VERIFY_REFUSALS = Set.of(DHashException.Kind.TOO_LARGE,
            DHashException.Kind.BAD_HASH, DHashException.Kind.BAD_SIGNATURE, DHashException.Kind.EXPIRED);

    @FuzzTest
    void blocks(byte[] input) {
        FuzzAllocation.bounded(input, () -> {
            decodeAndVerify(input, SMALL_LIMIT);
            decodeAndVerify(input, Block.DEFAULT_MAX_DATA);
        });
    }

    private static void decodeAndVerify(byte[] input, int limit) {
        long version = BlockCodec.version(input);
        Block block;
        try {
            block = Block.decode(input, limit);
        } catch (DHashException e) {
            assertTrue(DECODE_REFUSALS.contains(e.kind()), () -> "decode refused with " + e.kind() + ": " + e);
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(e + " escaped decoding " + HexFormat.of().formatHex(input), e);
            return;
        }
        assertArrayEquals(input, block.encode(), "the block re-encodes differently");
        assertEquals(input.length, block.size());
        assertEquals(block instanceof SignedBlock signed ? signed.seq() + 1 : 0, version);
        Id key = block.key();
        verify(block, key, limit);
        DHashException wrongKey = verify(block, Id.hash(input), limit);
        assertEquals(DHashException.Kind.BAD_HASH, wrongKey == null ? null : wrongKey.kind(),
                "verified against a key it does not hash to");
    }

    /** The refusal, or null if the block verified. */
    private static DHashException verify(Block block, Id key, int limit) {
        try {
            block.verify(key, EXPIRY_CHECKED_AT, limit);
            return null;
        } catch (DHashException e) {
            assertTrue(VERIFY_REFUSALS.contains(e.kind()), () -> "verify refused with " + e.kind() + ": " + e);
            return e;
        } catch (RuntimeException e) {
            return fail(e + " escaped verifying " + block, e);
        }
    }
}
