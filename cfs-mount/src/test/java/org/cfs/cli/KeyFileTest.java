package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;

class KeyFileTest {
    /** RFC 8032 section 7.1, test 1. */
    private static final byte[] RFC_SEED =
            HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static final byte[] RFC_PUBLIC =
            HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    /** That seed as openssl writes it: the PKCS#8 v1 prefix for Ed25519, then the seed. */
    private static final String RFC_PEM = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
            + "-----END PRIVATE KEY-----\n";

    @Test
    void encodesTheRfcVectorAsOpensslDoes() {
        assertEquals(RFC_PEM, new String(KeyFile.encode(SigningKey.fromPrivate(RFC_SEED)), StandardCharsets.US_ASCII));
    }

    @Test
    void decodesTheRfcVectorToItsPublicKey() {
        SigningKey key = KeyFile.decode(RFC_PEM.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(RFC_SEED, key.privateKey());
        assertArrayEquals(RFC_PUBLIC, key.publicKey());
    }

    @Test
    void roundTripsFreshKeys() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            SigningKey key = SigningKey.generate(random);
            assertEquals(key, KeyFile.decode(KeyFile.encode(key)));
        }
    }

    @Test
    void toleratesTextAroundTheBlockAndCrlfLines() {
        String pem = "a comment openssl would skip\r\n" + RFC_PEM.replace("\n", "\r\n") + "trailing\n";
        assertArrayEquals(RFC_PUBLIC, KeyFile.decode(pem.getBytes(StandardCharsets.US_ASCII)).publicKey());
    }

    @Test
    void refusesWhatIsNotAnUnencryptedEd25519Key() throws Exception {
        assertRefused("no '-----BEGIN PRIVATE KEY-----'", "hello\n");
        assertRefused("no '-----BEGIN PRIVATE KEY-----'", RFC_PEM.replace("-----END PRIVATE KEY-----\n", ""));
        assertRefused("encrypted",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGb\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertRefused("not base64", RFC_PEM.replace("MC4C", "MC4*"));
        assertRefused("do not parse", RFC_PEM.replace("MC4CAQAw", "MC5CAQAw"));
        for (String algorithm : new String[] {"Ed448", "RSA"}) {
            byte[] der = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate().getEncoded();
            assertRefused("do not parse", pem(der));
        }
        assertRefused("too long", RFC_PEM + "x".repeat(KeyFile.MAX_BYTES));
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void assertRefused(String why, String pem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyFile.decode(pem.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains(why), "expected '" + why + "' in: " + e.getMessage());
    }
}
