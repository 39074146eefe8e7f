package org.cfs.dhash;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.cfs.chord.Id;

/**
 * An Ed25519 key pair that signs {@link SignedBlock}s. Both halves are the 32-byte encodings of
 * RFC 8032; the private half is the seed, so it alone is enough to restore the pair.
 */
public record SigningKey(byte[] publicKey, byte[] privateKey) {
    static final int KEY_BYTES = 32;

    /** Refuses a pair whose halves do not belong together: its blocks would never verify. */
    public SigningKey {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(privateKey, "privateKey");
        if (privateKey.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "an Ed25519 private key is " + KEY_BYTES + " bytes, got " + privateKey.length);
        }
        if (publicKey.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "an Ed25519 public key is " + KEY_BYTES + " bytes, got " + publicKey.length);
        }
        if (!MessageDigest.isEqual(publicKey, derivePublic(privateKey))) {
            throw new IllegalArgumentException("public key " + HexFormat.of().formatHex(publicKey)
                    + " does not belong to the given private key");
        }
    }

    /** A fresh key pair. */
    public static SigningKey generate(SecureRandom random) {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
        return new SigningKey(key.generatePublicKey().getEncoded(), key.getEncoded());
    }

    /** The pair whose private half is {@code privateKey} (32 bytes). */
    public static SigningKey fromPrivate(byte[] privateKey) {
        if (privateKey.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "an Ed25519 private key is " + KEY_BYTES + " bytes, got " + privateKey.length);
        }
        return new SigningKey(derivePublic(privateKey), privateKey.clone());
    }

    /** The key of this signer's block with the given label: H(publicKey || label). */
    public Id keyFor(byte[] label) {
        return SignedBlock.keyOf(publicKey, label);
    }

    /** The 64-byte Ed25519 signature of {@code message}. */
    byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(privateKey, 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    private static byte[] derivePublic(byte[] privateKey) {
        return new Ed25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey other && MessageDigest.isEqual(privateKey, other.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** Names the public half only, so the private key never reaches a log. */
    @Override
    public String toString() {
        return "SigningKey[publicKey=" + HexFormat.of().formatHex(publicKey) + "]";
    }
}
