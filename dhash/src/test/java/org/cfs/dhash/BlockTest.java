package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

class BlockTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX = Block.DEFAULT_MAX_DATA;
    private static final long EXPIRY = 1_700_000_000_000L;
    private static final long BEFORE_EXPIRY = EXPIRY - 1;

    /** The golden signer: private key 00 01 02 .. 1f. */
    private static SigningKey goldenKey() {
        byte[] seed = new byte[32];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) i;
        }
        return SigningKey.fromPrivate(seed);
    }

    private static SignedBlock goldenSigned() {
        return SignedBlock.sign(goldenKey(), utf8("root"), 7, EXPIRY, utf8("hello, cfs"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static DHashException.Kind decodeFailure(byte[] encoded, int max) {
        return assertThrows(DHashException.class, () -> Block.decode(encoded, max)).kind();
    }

    private static DHashException.Kind verifyFailure(Block block, Id key) {
        return assertThrows(DHashException.class, () -> block.verify(key, BEFORE_EXPIRY, MAX)).kind();
    }

    // The format is pinned by these vectors; they were checked against an independent
    // implementation (Python's hashlib and cryptography). Changing them breaks every stored block.

    @Test
    void goldenContentBlock() throws DHashException {
        ContentBlock block = new ContentBlock(utf8("hello, cfs"));
        assertEquals("31056238ca2257467854c66518e78588c068f8b1", block.key().toHex());
        assertEquals("0168656c6c6f2c20636673", HEX.formatHex(block.encode()));
        assertEquals(block, Block.decode(HEX.parseHex("0168656c6c6f2c20636673"), MAX));
    }

    @Test
    void goldenSignedBlock() throws DHashException {
        SignedBlock block = goldenSigned();
        assertEquals("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
                HEX.formatHex(block.publicKey()));
        assertEquals("55b9005acad455187b4f14b26d7986852e291a54", block.key().toHex());
        String encoded = "02"
                + "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8" // public key
                + "04" + "726f6f74"                                                        // label "root"
                + "0000000000000007"                                                      // seq 7
                + "0000018bcfe56800"                                                      // expiry
                + "0000000a" + "68656c6c6f2c20636673"                                     // payload
                + "96eabf595d57a5f64856888dfd3e97d8fdaeec150d9c376640bf73ad6bed7cf8"      // signature
                + "065a15fbefaa13a15764f4303333d22cef611933e71b81272a408286d3aeda06";
        assertEquals(encoded, HEX.formatHex(block.encode()));
        assertEquals(block, Block.decode(HEX.parseHex(encoded), MAX));
        block.verify(block.key(), BEFORE_EXPIRY, MAX);
    }

    @Test
    void signingKeysAreRfc8032Ed25519() {
        // RFC 8032 section 7.1, test 1: the empty message.
        SigningKey key = SigningKey.fromPrivate(
                HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HEX.formatHex(key.publicKey()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HEX.formatHex(key.sign(new byte[0])));
    }

    @Test
    void contentBlocksRoundTrip() throws DHashException {
        SplittableRandom r = new SplittableRandom(1);
        for (int size : new int[] {0, 1, 1000, MAX}) {
            ContentBlock block = new ContentBlock(random(r, size));
            byte[] encoded = block.encode();
            assertEquals(block.size(), encoded.length);
            Block decoded = Block.decode(encoded, MAX);
            assertEquals(block, decoded);
            assertEquals(BlockType.CHASH, decoded.type());
            assertEquals(block.key(), decoded.key());
            decoded.verify(block.key(), BEFORE_EXPIRY, MAX);
        }
    }

    @Test
    void signedBlocksRoundTrip() throws DHashException {
        SplittableRandom r = new SplittableRandom(2);
        SigningKey key = SigningKey.generate(new SecureRandom());
        for (int labelLength : new int[] {0, 1, 255}) {
            for (int payloadLength : new int[] {0, 77, MAX}) {
                byte[] label = random(r, labelLength);
                SignedBlock block = SignedBlock.sign(key, label, Long.MAX_VALUE, Long.MAX_VALUE,
                        random(r, payloadLength));
                byte[] encoded = block.encode();
                assertEquals(block.size(), encoded.length);
                Block decoded = Block.decode(encoded, MAX);
                assertEquals(block, decoded);
                assertEquals(BlockType.PKEY, decoded.type());
                assertEquals(key.keyFor(label), decoded.key());
                decoded.verify(key.keyFor(label), BEFORE_EXPIRY, MAX);
            }
        }
    }

    @Test
    void everyTruncationOfASignedBlockIsMalformed() {
        byte[] encoded = goldenSigned().encode();
        for (int length = 0; length < encoded.length; length++) {
            assertEquals(DHashException.Kind.MALFORMED, decodeFailure(Arrays.copyOf(encoded, length), MAX),
                    "truncated to " + length);
        }
    }

    @Test
    void truncatedContentBlocksDecodeButNoLongerMatchTheirKey() throws DHashException {
        ContentBlock block = new ContentBlock(utf8("hello, cfs"));
        byte[] encoded = block.encode();
        assertEquals(DHashException.Kind.MALFORMED, decodeFailure(new byte[0], MAX));
        for (int length = 1; length < encoded.length; length++) {
            Block shorter = Block.decode(Arrays.copyOf(encoded, length), MAX);
            assertEquals(DHashException.Kind.BAD_HASH, verifyFailure(shorter, block.key()));
        }
    }

    @Test
    void trailingBytesAfterASignedBlockAreMalformed() {
        byte[] encoded = goldenSigned().encode();
        assertEquals(DHashException.Kind.MALFORMED, decodeFailure(Arrays.copyOf(encoded, encoded.length + 1), MAX));
    }

    @Test
    void everyMutationIsRefusedByDecodeOrByVerify() {
        for (Block original : new Block[] {new ContentBlock(utf8("hello, cfs")), goldenSigned()}) {
            byte[] encoded = original.encode();
            for (int at = 0; at < encoded.length; at++) {
                for (int mask : new int[] {0x01, 0x10, 0x80, 0xff}) {
                    byte[] mutated = encoded.clone();
                    mutated[at] ^= (byte) mask;
                    String where = original.type() + " byte " + at + " ^ " + mask;
                    Block decoded;
                    try {
                        decoded = Block.decode(mutated, MAX);
                    } catch (DHashException e) {
                        assertTrue(Set.of(DHashException.Kind.MALFORMED, DHashException.Kind.TOO_LARGE)
                                .contains(e.kind()), where + ": " + e);
                        continue;
                    } catch (RuntimeException e) {
                        throw new AssertionError(where + " threw " + e, e);
                    }
                    assertThrows(DHashException.class,
                            () -> decoded.verify(original.key(), BEFORE_EXPIRY, MAX), where);
                }
            }
        }
    }

    @Test
    void randomBytesDecodeOrFailAsMalformedOrTooLarge() {
        SplittableRandom r = new SplittableRandom(3);
        byte[] header = goldenSigned().encode();
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes = random(r, r.nextInt(300));
            if (bytes.length > 0 && r.nextBoolean()) {
                // Half the cases start like a real signed block, to reach the length checks.
                int keep = r.nextInt(Math.min(bytes.length, header.length) + 1);
                System.arraycopy(header, 0, bytes, 0, keep);
            }
            int max = r.nextBoolean() ? MAX : r.nextInt(64);
            try {
                Block.decode(bytes, max);
            } catch (DHashException e) {
                assertTrue(e.kind() == DHashException.Kind.MALFORMED || e.kind() == DHashException.Kind.TOO_LARGE,
                        e.toString());
            } catch (RuntimeException e) {
                fail("decoding " + HEX.formatHex(bytes) + " threw " + e, e);
            }
        }
    }

    @Test
    void decodeRefusesAClaimedPayloadBeforeAllocatingIt() {
        byte[] encoded = goldenSigned().encode();
        int payloadLengthAt = 1 + 32 + 1 + 4 + 16;
        Arrays.fill(encoded, payloadLengthAt, payloadLengthAt + 4, (byte) 0xff);
        DHashException tooLarge = assertThrows(DHashException.class, () -> Block.decode(encoded, MAX));
        assertEquals(DHashException.Kind.TOO_LARGE, tooLarge.kind());
        assertEquals("block of 4294967295 bytes exceeds the 1048576-byte limit", tooLarge.getMessage());
        Arrays.fill(encoded, payloadLengthAt, payloadLengthAt + 1, (byte) 0x7f);
        assertEquals(DHashException.Kind.MALFORMED, decodeFailure(encoded, Integer.MAX_VALUE));
    }

    @Test
    void decodeRefusesDataOverTheLimit() {
        byte[] encoded = new byte[1 + 3 * MAX];
        encoded[0] = 1;
        DHashException e = assertThrows(DHashException.class, () -> Block.decode(encoded, MAX));
        assertEquals(DHashException.Kind.TOO_LARGE, e.kind());
        assertEquals("block of 3145728 bytes exceeds the 1048576-byte limit", e.getMessage());
        assertEquals(DHashException.Kind.MALFORMED, decodeFailure(new byte[] {3, 0}, MAX));
    }

    @Test
    void verifyRefusesAContentBlockUnderTheWrongKey() {
        ContentBlock block = new ContentBlock(utf8("hello, cfs"));
        Id other = Id.hash("other");
        DHashException e = assertThrows(DHashException.class, () -> block.verify(other, 0, MAX));
        assertEquals(DHashException.Kind.BAD_HASH, e.kind());
        assertEquals("block bytes hash to " + block.key() + " not to the key " + other, e.getMessage());
    }

    @Test
    void verifyRefusesOversizedBlocks() throws DHashException {
        ContentBlock big = new ContentBlock(new byte[MAX + 1]);
        DHashException e = assertThrows(DHashException.class, () -> big.verify(big.key(), 0, MAX));
        assertEquals(DHashException.Kind.TOO_LARGE, e.kind());
        assertEquals("block of 1048577 bytes exceeds the 1048576-byte limit", e.getMessage());
        big.verify(big.key(), 0, MAX + 1);

        SignedBlock signed = SignedBlock.sign(goldenKey(), utf8("big"), 1, EXPIRY, new byte[101]);
        assertEquals(DHashException.Kind.TOO_LARGE,
                assertThrows(DHashException.class, () -> signed.verify(signed.key(), 0, 100)).kind());
    }

    @Test
    void verifyRefusesEveryAlteredFieldOfASignedBlock() throws DHashException {
        SignedBlock b = goldenSigned();
        Id key = b.key();
        b.verify(key, BEFORE_EXPIRY, MAX);

        SignedBlock payload = new SignedBlock(b.publicKey(), b.label(), b.seq(), b.expiresAtMillis(),
                flipBit(b.payload(), 3), b.signature());
        SignedBlock signature = new SignedBlock(b.publicKey(), b.label(), b.seq(), b.expiresAtMillis(),
                b.payload(), flipBit(b.signature(), 100));
        SignedBlock seq = new SignedBlock(b.publicKey(), b.label(), b.seq() ^ 1, b.expiresAtMillis(),
                b.payload(), b.signature());
        SignedBlock expiry = new SignedBlock(b.publicKey(), b.label(), b.seq(), b.expiresAtMillis() + 1,
                b.payload(), b.signature());
        for (SignedBlock altered : new SignedBlock[] {payload, signature, seq, expiry}) {
            assertEquals(DHashException.Kind.BAD_SIGNATURE, verifyFailure(altered, key), altered.toString());
        }

        // Label and public key name the block, so under the old key they fail the hash check and
        // under their own key the signature check.
        SignedBlock label = new SignedBlock(b.publicKey(), flipBit(b.label(), 0), b.seq(), b.expiresAtMillis(),
                b.payload(), b.signature());
        for (int bit : new int[] {0, 17, 255}) {
            SignedBlock publicKey = new SignedBlock(flipBit(b.publicKey(), bit), b.label(), b.seq(),
                    b.expiresAtMillis(), b.payload(), b.signature());
            assertEquals(DHashException.Kind.BAD_HASH, verifyFailure(publicKey, key));
            assertEquals(DHashException.Kind.BAD_SIGNATURE, verifyFailure(publicKey, publicKey.key()));
        }
        assertEquals(DHashException.Kind.BAD_HASH, verifyFailure(label, key));
        assertEquals(DHashException.Kind.BAD_SIGNATURE, verifyFailure(label, label.key()));
    }

    @Test
    void verifyRefusesAnExpiredSignedBlock() throws DHashException {
        SignedBlock b = goldenSigned();
        b.verify(b.key(), EXPIRY - 1, MAX);
        DHashException e = assertThrows(DHashException.class, () -> b.verify(b.key(), EXPIRY, MAX));
        assertEquals(DHashException.Kind.EXPIRED, e.kind());
        assertTrue(e.getMessage().contains("expired at 2023-11-14T22:13:20Z"), e.getMessage());
    }

    @Test
    void signedBlocksCheckTheirFields() {
        SignedBlock b = goldenSigned();
        assertThrows(IllegalArgumentException.class, () -> new SignedBlock(b.publicKey(), b.label(), -1,
                b.expiresAtMillis(), b.payload(), b.signature()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBlock(b.publicKey(), new byte[256], 1,
                b.expiresAtMillis(), b.payload(), b.signature()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBlock(new byte[31], b.label(), 1,
                b.expiresAtMillis(), b.payload(), b.signature()));
        assertThrows(IllegalArgumentException.class, () -> new SignedBlock(b.publicKey(), b.label(), 1,
                b.expiresAtMillis(), b.payload(), new byte[63]));
        assertThrows(IllegalArgumentException.class,
                () -> SignedBlock.sign(goldenKey(), new byte[256], 1, EXPIRY, new byte[0]));

        byte[] encoded = b.encode();
        encoded[1 + 32 + 1 + 4] |= (byte) 0x80;
        assertEquals(DHashException.Kind.MALFORMED, decodeFailure(encoded, MAX));
    }

    @Test
    void signingKeysRestoreFromTheirPrivateHalfAndHideIt() {
        SigningKey key = SigningKey.generate(new SecureRandom());
        SigningKey restored = SigningKey.fromPrivate(key.privateKey().clone());
        assertEquals(key, restored);
        assertArrayEquals(key.publicKey(), restored.publicKey());
        assertEquals(SignedBlock.sign(key, utf8("x"), 1, EXPIRY, new byte[0]).key(), key.keyFor(utf8("x")));
        assertFalse(key.toString().contains(HEX.formatHex(key.privateKey())), key.toString());
        assertTrue(key.toString().contains(HEX.formatHex(key.publicKey())), key.toString());
        assertNotEquals(key, SigningKey.generate(new SecureRandom()));

        SigningKey other = SigningKey.generate(new SecureRandom());
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> new SigningKey(other.publicKey(), key.privateKey()));
        assertTrue(mismatch.getMessage().contains("does not belong"), mismatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromPrivate(new byte[31]));
    }

    @Test
    void errorKindsHaveStableDistinctCodes() {
        assertEquals(1, DHashException.Kind.BAD_HASH.code());
        assertEquals(12, DHashException.Kind.IO.code());
        for (DHashException.Kind kind : DHashException.Kind.values()) {
            assertEquals(kind, DHashException.Kind.fromCode(kind.code()));
        }
        assertThrows(IllegalArgumentException.class, () -> DHashException.Kind.fromCode(0));
        assertDoesNotThrow(() -> new DHashException(DHashException.Kind.IO, "disk", new RuntimeException()));
    }

    private static byte[] flipBit(byte[] bytes, int bit) {
        byte[] out = bytes.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }
}
