package org.cfs.fs;

import static org.cfs.fs.CodecAssertions.everyTruncationRefused;
import static org.cfs.fs.CodecAssertions.hex;
import static org.cfs.fs.CodecAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/** The signed block's payload: golden bytes, round trips and refusals. */
class VolumeRootTest {
    private static final CodecAssertions.Decode DECODE = VolumeRoot::decode;
    private static final Id COMMIT = Id.hash("commit");

    @Test
    void goldenRoot() throws CorruptBlockException {
        byte[] expected = hex("56 01" + COMMIT.toHex() + "7fffffffffffffff");
        assertEquals(VolumeRoot.BYTES, expected.length);
        assertArrayEquals(expected, new VolumeRoot(COMMIT, Long.MAX_VALUE).encode());
        assertEquals(new VolumeRoot(COMMIT, Long.MAX_VALUE), VolumeRoot.decode(expected));
    }

    @Test
    void randomRootsRoundTrip() throws CorruptBlockException {
        RandomFormat random = new RandomFormat(14);
        for (int i = 0; i < 1000; i++) {
            VolumeRoot root = random.volumeRoot();
            assertEquals(root, VolumeRoot.decode(root.encode()));
        }
    }

    @Test
    void malformedRootsAreRefused() {
        byte[] good = FormatVectors.ROOT.encode();
        everyTruncationRefused(DECODE, good);
        refused(DECODE, Arrays.copyOf(good, good.length + 1), "volume root: 1 bytes left over");
        byte[] type = good.clone();
        type[0] = 'C';
        refused(DECODE, type, "expected a volume root (type V), got type byte 67");
        byte[] version = good.clone();
        version[1] = 2;
        refused(DECODE, version, "volume root has format version 2");
        refused(DECODE, hex("56 01" + COMMIT.toHex() + "0000000000000000"),
                "volume root names version 0; versions start at 1");
        refused(DECODE, hex("56 01" + COMMIT.toHex() + "8000000000000000"), "version: 9223372036854775808 is not below 2^63");
    }
}
