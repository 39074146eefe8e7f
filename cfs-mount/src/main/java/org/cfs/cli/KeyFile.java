package org.cfs.cli;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.cfs.dhash.SigningKey;

/**
 * The on-disk form of a signing key: unencrypted PKCS#8 in PEM ({@code BEGIN PRIVATE KEY}), the
 * form {@code openssl genpkey -algorithm ed25519} writes, so keys move between cfs and openssl.
 */
final class KeyFile {
    /** Far above the 119 bytes of an Ed25519 key: a larger file is not one, and is not read whole. */
    static final int MAX_BYTES = 4096;

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private KeyFile() {
    }

    /** The PEM text of {@code key}'s private half (from which the public half follows). */
    static byte[] encode(SigningKey key) {
        byte[] der;
        try {
            der = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, key.privateKey()))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot encode Ed25519 keys", e);
        }
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return (BEGIN + "\n" + body + "\n" + END + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The key in {@code pem}. An {@link IllegalArgumentException}'s message says why it is not an
     * unencrypted Ed25519 PKCS#8 key, worded to follow "FILE is not an ... key: ".
     */
    static SigningKey decode(byte[] pem) {
        if (pem.length > MAX_BYTES) {
            throw new IllegalArgumentException("it is " + pem.length + " bytes, too long for one");
        }
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("it is encrypted; cfs needs an unencrypted key");
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("it has no '" + BEGIN + "' ... '" + END + "' block");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(text.substring(begin + BEGIN.length(), end).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its PEM body is not base64 (" + e.getMessage() + ")");
        }
        EdECPrivateKey key;
        try {
            key = (EdECPrivateKey) KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("its contents do not parse as one (" + e.getMessage() + ")");
        }
        return SigningKey.fromPrivate(key.getBytes().orElseThrow(
                () -> new IllegalArgumentException("it holds no private key bytes")));
    }
}
