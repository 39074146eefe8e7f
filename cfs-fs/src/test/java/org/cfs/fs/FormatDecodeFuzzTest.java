package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * Coverage-guided fuzzing (Jazzer) of the file-system formats of docs/FORMAT.md, one target per
 * decoder. A block either decodes to a value that re-encodes to exactly its bytes, or is refused
 * with CorruptBlockException; nothing else escapes, and no run allocates more than a fixed
 * allowance plus a small multiple of the input. Run long with {@code ./lab fuzz directory} (or
 * {@code chunk-list}, {@code commit}, {@code volume-root}).
 */
class FormatDecodeFuzzTest {
    /** Covers a refusal that shows a 255-byte name (DirectoryCodec.show, about 100 KB) and its stack trace. */
    private static final long ALLOCATION_BASE = 512 << 10;
    private static final long ALLOCATION_PER_BYTE = 64;

    @FuzzTest
    void directories(byte[] input) {
        bounded(input, DirectoryCodec::decode, node -> DirectoryCodec.encode((DirNode) node));
    }

    @FuzzTest
    void chunkLists(byte[] input) {
        bounded(input, ChunkListCodec::decode, node -> ChunkListCodec.encode((ListNode) node));
    }

    @FuzzTest
    void commits(byte[] input) {
        bounded(input, Commit::decode, commit -> ((Commit) commit).encode());
    }

    @FuzzTest
    void volumeRoots(byte[] input) {
        bounded(input, VolumeRoot::decode, root -> ((VolumeRoot) root).encode());
    }

    /**
     * Decodes and re-encodes within the allocation bound. A run over the bound is repeated once and
     * only the repeat counts: the first input down a path loads and instruments classes.
     */
    private static void bounded(byte[] input, CodecAssertions.Decode decode, Function<Object, byte[]> encode) {
        long bound = ALLOCATION_BASE + ALLOCATION_PER_BYTE * input.length;
        long allocated = allocation(input, decode, encode);
        if (allocated > bound) {
            allocated = allocation(input, decode, encode);
        }
        if (allocated > bound) {
            fail("a run on " + input.length + " bytes allocated " + allocated + " bytes: "
                    + HexFormat.of().formatHex(input));
        }
    }

    private static long allocation(byte[] input, CodecAssertions.Decode decode, Function<Object, byte[]> encode) {
        long before = Allocation.now();
        decodeAndReencode(input, decode, encode);
        return Allocation.now() - before;
    }

    private static void decodeAndReencode(byte[] input, CodecAssertions.Decode decode, Function<Object, byte[]> encode) {
        Object decoded;
        try {
            decoded = decode.decode(input);
        } catch (CorruptBlockException expected) {
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(e + " escaped decoding " + HexFormat.of().formatHex(input), e);
            return;
        }
        assertArrayEquals(input, encode.apply(decoded), "the block re-encodes differently");
    }
}
