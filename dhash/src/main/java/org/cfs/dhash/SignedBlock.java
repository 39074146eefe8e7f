package org.cfs.dhash;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.cfs.chord.Id;

/**
 * A block named by its signer and a label, {@code key = H(publicKey || label)}, whose payload the
 * signer may replace by signing a higher sequence number. Holders keep the highest {@code seq}
 * they have seen, and readers discard it after {@code expiresAtMillis}.
 *
 * <p>The Ed25519 signature covers a digest, not the payload itself, so that verifying reads the
 * payload once (to hash it) and the signed message is always 32 bytes:
 * {@code SHA-256("cfs-pkey-v1" || publicKey || labelLen:u8 || label || seq:u64 || expiry:i64 ||
 * SHA-256(payload))}, integers big-endian.
 *
 * @param publicKey the signer's Ed25519 public key, 32 bytes
 * @param label up to 255 bytes chosen by the signer; one key can sign many labels
 * @param seq the version, 0 to 2^63-1, so that comparing it as a {@code long} orders versions
 * @param expiresAtMillis when readers stop accepting this version, in Unix milliseconds
 * @param payload the content, at most the store's data limit
 * @param signature the Ed25519 signature of the digest, 64 bytes
 */
public record SignedBlock(byte[] publicKey, byte[] label, long seq, long expiresAtMillis, byte[] payload,
        byte[] signature) implements Block {
    static final int MAX_LABEL_BYTES = 255;
    static final int SIGNATURE_BYTES = 64;
    private static final byte[] DOMAIN = "cfs-pkey-v1".getBytes(StandardCharsets.US_ASCII);

    public SignedBlock {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(signature, "signature");
        if (publicKey.length != SigningKey.KEY_BYTES) {
            throw new IllegalArgumentException(
                    "an Ed25519 public key is " + SigningKey.KEY_BYTES + " bytes, got " + publicKey.length);
        }
        checkLabel(label);
        if (seq < 0) {
            throw new IllegalArgumentException("sequence number " + seq + " is negative; it runs 0 to 2^63-1");
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException(
                    "an Ed25519 signature is " + SIGNATURE_BYTES + " bytes, got " + signature.length);
        }
    }

    /** Signs {@code payload} as version {@code seq} of {@code key}'s block named {@code label}. */
    public static SignedBlock sign(SigningKey key, byte[] label, long seq, long expiresAtMillis, byte[] payload) {
        checkLabel(label);
        byte[] digest = digest(key.publicKey(), label, seq, expiresAtMillis, payload);
        return new SignedBlock(key.publicKey(), label, seq, expiresAtMillis, payload, key.sign(digest));
    }

    /** H(publicKey || label): the public key has a fixed length, so no separator is needed. */
    static Id keyOf(byte[] publicKey, byte[] label) {
        checkLabel(label);
        byte[] named = Arrays.copyOf(publicKey, publicKey.length + label.length);
        System.arraycopy(label, 0, named, publicKey.length, label.length);
        return Id.hash(named);
    }

    @Override
    public Id key() {
        return keyOf(publicKey, label);
    }

    @Override
    public BlockType type() {
        return BlockType.PKEY;
    }

    @Override
    public byte[] encode() {
        return BlockCodec.encode(this);
    }

    @Override
    public int size() {
        return BlockCodec.PKEY_OVERHEAD + label.length + payload.length;
    }

    @Override
    public void verify(Id claimedKey, long nowMillis, int maxDataBytes) throws DHashException {
        BlockCodec.checkDataSize(payload.length, maxDataBytes);
        Id actual = key();
        if (!actual.equals(claimedKey)) {
            throw new DHashException(DHashException.Kind.BAD_HASH,
                    "public key and label hash to " + actual + " not to the key " + claimedKey);
        }
        if (!signatureValid()) {
            throw new DHashException(DHashException.Kind.BAD_SIGNATURE, "the signature on block " + actual
                    + " (sequence " + seq + ") does not verify under public key "
                    + HexFormat.of().formatHex(publicKey));
        }
        if (expiresAtMillis <= nowMillis) {
            throw new DHashException(DHashException.Kind.EXPIRED, "block " + actual + " (sequence " + seq
                    + ") expired at " + Instant.ofEpochMilli(expiresAtMillis) + ", it is now "
                    + Instant.ofEpochMilli(nowMillis));
        }
    }

    private boolean signatureValid() {
        Ed25519PublicKeyParameters key;
        try {
            key = new Ed25519PublicKeyParameters(publicKey, 0);
        } catch (IllegalArgumentException notAPoint) {
            return false;
        }
        byte[] digest = digest(publicKey, label, seq, expiresAtMillis, payload);
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(digest, 0, digest.length);
        return verifier.verifySignature(signature);
    }

    private static byte[] digest(byte[] publicKey, byte[] label, long seq, long expiresAtMillis, byte[] payload) {
        MessageDigest sha256 = sha256();
        byte[] payloadHash = sha256.digest(payload);
        sha256.update(DOMAIN);
        sha256.update(publicKey);
        sha256.update((byte) label.length);
        sha256.update(label);
        sha256.update(ByteBuffer.allocate(2 * Long.BYTES).putLong(seq).putLong(expiresAtMillis).array());
        sha256.update(payloadHash);
        return sha256.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    private static void checkLabel(byte[] label) {
        if (label.length > MAX_LABEL_BYTES) {
            throw new IllegalArgumentException(
                    "a label is at most " + MAX_LABEL_BYTES + " bytes, got " + label.length);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedBlock other && seq == other.seq && expiresAtMillis == other.expiresAtMillis
                && Arrays.equals(publicKey, other.publicKey) && Arrays.equals(label, other.label)
                && Arrays.equals(payload, other.payload) && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(publicKey), Arrays.hashCode(label), seq, expiresAtMillis,
                Arrays.hashCode(payload), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "SignedBlock[publicKey=" + HexFormat.of().formatHex(publicKey) + ", label="
                + HexFormat.of().formatHex(label) + ", seq=" + seq + ", expiresAt="
                + Instant.ofEpochMilli(expiresAtMillis) + ", " + payload.length + " payload bytes]";
    }
}
