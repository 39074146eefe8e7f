package org.cfs.fs;

import static org.cfs.fs.CodecAssertions.concat;
import static org.cfs.fs.CodecAssertions.everyTruncationRefused;
import static org.cfs.fs.CodecAssertions.hex;
import static org.cfs.fs.CodecAssertions.refused;
import static org.cfs.fs.CodecAssertions.refusedWithoutAllocating;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/** Chunk-list blocks: golden bytes, round trips, and a refusal for every rule in ChunkListCodec's comment. */
class ChunkListCodecTest {
    private static final CodecAssertions.Decode DECODE = ChunkListCodec::decode;
    private static final Id REF = Id.hash("chunk");

    private static byte[] list(int level, long... lengths) {
        return ChunkListCodec.encode(new ListNode(level, Arrays.stream(lengths).mapToObj(l -> new ChunkRef(REF, l)).toList()));
    }

    @Test
    void goldenNode() throws CorruptBlockException {
        byte[] expected = hex("4c 01 03 00000001" + REF.toHex() + "0000010000000000");
        assertArrayEquals(expected, list(3, 1L << 40));
        assertEquals(new ListNode(3, List.of(new ChunkRef(REF, 1L << 40))), ChunkListCodec.decode(expected));
        assertEquals(FormatVectors.LIST, ChunkListCodec.decode(ChunkListCodec.encode(FormatVectors.LIST)));
    }

    @Test
    void randomNodesRoundTrip() throws CorruptBlockException {
        RandomFormat random = new RandomFormat(12);
        for (int i = 0; i < 2000; i++) {
            ListNode node = random.listNode(40);
            byte[] encoded = ChunkListCodec.encode(node);
            assertEquals(7 + ChunkListCodec.ITEM_BYTES * node.items().size(), encoded.length);
            ListNode back = ChunkListCodec.decode(encoded);
            assertEquals(node, back);
            assertArrayEquals(encoded, ChunkListCodec.encode(back));
        }
    }

    @Test
    void everyTruncationIsRefused() {
        everyTruncationRefused(DECODE, ChunkListCodec.encode(FormatVectors.LIST));
        everyTruncationRefused(DECODE, list(2, 5, 6, 7));
    }

    @Test
    void headerAndTrailingBytesAreChecked() {
        byte[] good = ChunkListCodec.encode(FormatVectors.LIST);
        for (int type : new int[] {0, 'D', 'C', 'V', 'l'}) {
            byte[] b = good.clone();
            b[0] = (byte) type;
            refused(DECODE, b, "expected a chunk list block (type L), got type byte " + type);
        }
        for (int version : new int[] {0, 2, 0xff}) {
            byte[] b = good.clone();
            b[1] = (byte) version;
            refused(DECODE, b, "chunk list block has format version " + version);
        }
        refused(DECODE, Arrays.copyOf(good, good.length + 1), "1 bytes left over");
        // An extra whole item with the count unchanged is trailing bytes too.
        refused(DECODE, concat(good, Arrays.copyOfRange(good, 7, 7 + ChunkListCodec.ITEM_BYTES)), "28 bytes left over");
    }

    @Test
    void countsThatCannotFitAreRefusedBeforeAllocating() {
        byte[] huge = hex("4c 01 00 ffffffff" + "00".repeat(13));
        assertEquals(20, huge.length);
        refusedWithoutAllocating(DECODE, huge, "4294967295 items of at least 28 bytes do not fit the 13 bytes left",
                64 << 10);
        byte[] one = list(0, 10);
        one[6] = 2;
        refused(DECODE, one, "2 items of at least 28 bytes do not fit the 28 bytes left");
        refused(DECODE, hex("4c 01 00 00000000"), "chunk list block has no items");
    }

    @Test
    void lengthsAndLevelsAreBounded() throws CorruptBlockException {
        refused(DECODE, list(0, 0), "chunk " + REF + " has length 0, outside 1..1048576");
        refused(DECODE, list(0, 5, 0), "has length 0");
        refused(DECODE, list(1, 0), "has length 0, outside 1..9223372036854775807");
        refused(DECODE, list(0, Format.MAX_CHUNK + 1), "has length 1048577, outside 1..1048576");
        refused(DECODE, list(0, -1), "chunk length: 18446744073709551615 is not below 2^63");
        refused(DECODE, list(2, Long.MAX_VALUE, 1), "chunk lengths add up to more than 2^63 bytes");
        refused(DECODE, list(Format.MAX_LEVEL + 1, 1), "chunk list block at level 8 is deeper than the limit of 7");
        refused(DECODE, list(0xff, 1), "level 255");
        // The edges themselves are allowed.
        for (byte[] ok : new byte[][] {list(0, 1, Format.MAX_CHUNK), list(Format.MAX_LEVEL, Long.MAX_VALUE),
                list(1, Long.MAX_VALUE - 1, 1), list(1, Format.MAX_CHUNK + 1)}) {
            assertArrayEquals(ok, ChunkListCodec.encode(ChunkListCodec.decode(ok)));
        }
    }
}
