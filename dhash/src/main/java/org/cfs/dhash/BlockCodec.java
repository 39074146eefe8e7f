package org.cfs.dhash;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The block encoding, as stored and sent. Integers are big-endian; an encoding has no trailing
 * bytes.
 *
 * <pre>
 * block   = chash | pkey
 * chash   = 0x01 data                              ; the rest of the bytes; key = H(data)
 * pkey    = 0x02 pubkey:32 labelLen:u8 label:labelLen seq:u64 expiry:i64
 *           payloadLen:u32 payload:payloadLen sig:64  ; key = H(pubkey || label)
 * </pre>
 *
 * {@code seq} is below 2^63; {@code expiry} is Unix milliseconds. Decoding checks every length
 * against the bytes present and the data limit before it allocates anything.
 */
final class BlockCodec {
    /** The type byte. */
    static final int CHASH_OVERHEAD = 1;
    /** Everything in a signed block but its label and payload. */
    static final int PKEY_OVERHEAD = 1 + SigningKey.KEY_BYTES + 1 + 2 * Long.BYTES + Integer.BYTES
            + SignedBlock.SIGNATURE_BYTES;

    private static final int LABEL_LENGTH_AT = 1 + SigningKey.KEY_BYTES;

    private BlockCodec() {
    }

    static byte[] encode(ContentBlock block) {
        byte[] data = block.data();
        byte[] out = new byte[CHASH_OVERHEAD + data.length];
        out[0] = (byte) BlockType.CHASH.code();
        System.arraycopy(data, 0, out, CHASH_OVERHEAD, data.length);
        return out;
    }

    static byte[] encode(SignedBlock block) {
        return ByteBuffer.allocate(block.size())
                .put((byte) BlockType.PKEY.code())
                .put(block.publicKey())
                .put((byte) block.label().length)
                .put(block.label())
                .putLong(block.seq())
                .putLong(block.expiresAtMillis())
                .putInt(block.payload().length)
                .put(block.payload())
                .put(block.signature())
                .array();
    }

    /**
     * The version of an encoded block without decoding it: a signed block's sequence plus one, 0
     * for a content-hash block (whose bytes never change) or for bytes too short to say.
     */
    static long version(byte[] encoded) {
        if (encoded.length < PKEY_OVERHEAD || encoded[0] != BlockType.PKEY.code()) {
            return 0;
        }
        int seqAt = LABEL_LENGTH_AT + 1 + (encoded[LABEL_LENGTH_AT] & 0xff);
        if (encoded.length < seqAt + Long.BYTES) {
            return 0;
        }
        return ByteBuffer.wrap(encoded, seqAt, Long.BYTES).getLong() + 1;
    }

    /**
     * The expiry of an encoded signed block without decoding it, in Unix milliseconds;
     * {@link Long#MAX_VALUE} for a content-hash block (which never expires) or bytes too short to say.
     */
    static long expiresAtMillis(byte[] encoded) {
        if (encoded.length < PKEY_OVERHEAD || encoded[0] != BlockType.PKEY.code()) {
            return Long.MAX_VALUE;
        }
        int expiryAt = LABEL_LENGTH_AT + 1 + (encoded[LABEL_LENGTH_AT] & 0xff) + Long.BYTES;
        if (encoded.length < expiryAt + Long.BYTES) {
            return Long.MAX_VALUE;
        }
        return ByteBuffer.wrap(encoded, expiryAt, Long.BYTES).getLong();
    }

    static Block decode(byte[] encoded, int maxDataBytes) throws DHashException {
        Objects.requireNonNull(encoded, "encoded");
        if (maxDataBytes < 0) {
            throw new IllegalArgumentException("the data limit must not be negative, got " + maxDataBytes);
        }
        if (encoded.length == 0) {
            throw malformed("an empty array is not a block");
        }
        int type = encoded[0] & 0xff;
        if (type == BlockType.CHASH.code()) {
            checkDataSize(encoded.length - CHASH_OVERHEAD, maxDataBytes);
            return new ContentBlock(Arrays.copyOfRange(encoded, CHASH_OVERHEAD, encoded.length));
        }
        if (type == BlockType.PKEY.code()) {
            return decodeSigned(encoded, maxDataBytes);
        }
        throw malformed("unknown block type " + type);
    }

    private static SignedBlock decodeSigned(byte[] encoded, int maxDataBytes) throws DHashException {
        if (encoded.length < PKEY_OVERHEAD) {
            throw malformed("a signed block is at least " + PKEY_OVERHEAD + " bytes, got " + encoded.length);
        }
        int labelLength = encoded[LABEL_LENGTH_AT] & 0xff;
        if (encoded.length < PKEY_OVERHEAD + labelLength) {
            throw malformed("a signed block with a " + labelLength + "-byte label is at least "
                    + (PKEY_OVERHEAD + labelLength) + " bytes, got " + encoded.length);
        }
        ByteBuffer in = ByteBuffer.wrap(encoded, LABEL_LENGTH_AT + 1 + labelLength,
                encoded.length - LABEL_LENGTH_AT - 1 - labelLength);
        long seq = in.getLong();
        long expiresAtMillis = in.getLong();
        long payloadLength = Integer.toUnsignedLong(in.getInt());
        checkDataSize(payloadLength, maxDataBytes);
        long expected = PKEY_OVERHEAD + labelLength + payloadLength;
        if (encoded.length != expected) {
            throw malformed("a signed block with a " + labelLength + "-byte label and a " + payloadLength
                    + "-byte payload is " + expected + " bytes, got " + encoded.length);
        }
        if (seq < 0) {
            throw malformed("sequence number " + Long.toUnsignedString(seq) + " is not below 2^63");
        }
        byte[] publicKey = Arrays.copyOfRange(encoded, 1, LABEL_LENGTH_AT);
        byte[] label = Arrays.copyOfRange(encoded, LABEL_LENGTH_AT + 1, LABEL_LENGTH_AT + 1 + labelLength);
        byte[] payload = new byte[(int) payloadLength];
        in.get(payload);
        byte[] signature = new byte[SignedBlock.SIGNATURE_BYTES];
        in.get(signature);
        return new SignedBlock(publicKey, label, seq, expiresAtMillis, payload, signature);
    }

    /** Refuses data or a payload over the limit, naming both sizes. */
    static void checkDataSize(long dataBytes, int maxDataBytes) throws DHashException {
        if (dataBytes > maxDataBytes) {
            throw new DHashException(DHashException.Kind.TOO_LARGE,
                    "block of " + dataBytes + " bytes exceeds the " + maxDataBytes + "-byte limit");
        }
    }

    private static DHashException malformed(String why) {
        return new DHashException(DHashException.Kind.MALFORMED, why);
    }
}
