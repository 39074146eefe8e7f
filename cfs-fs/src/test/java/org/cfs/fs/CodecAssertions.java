package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HexFormat;

/** Assertions shared by the codec tests: what a refusal must look like. */
final class CodecAssertions {
    /** A decoder under test. */
    @FunctionalInterface
    interface Decode {
        Object decode(byte[] encoded) throws CorruptBlockException;
    }

    private CodecAssertions() {
    }

    /** Refused with a CorruptBlockException whose message contains {@code why}; returns the message. */
    static String refused(Decode codec, byte[] encoded, String why) {
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> codec.decode(encoded),
                () -> "accepted " + HexFormat.of().formatHex(encoded));
        assertTrue(e.getMessage().contains(why), "refused for another reason than '" + why + "': " + e.getMessage());
        return e.getMessage();
    }

    /** Every proper prefix of {@code encoded} is refused, and nothing else escapes. */
    static void everyTruncationRefused(Decode codec, byte[] encoded) {
        for (int length = 0; length < encoded.length; length++) {
            byte[] shorter = Arrays.copyOf(encoded, length);
            try {
                codec.decode(shorter);
                fail("a truncation to " + length + " of " + encoded.length + " bytes decoded");
            } catch (CorruptBlockException expected) {
                // The refusal every truncation must get.
            } catch (RuntimeException e) {
                throw new AssertionError("a truncation to " + length + " bytes threw " + e, e);
            }
        }
    }

    /** Refused without allocating more than {@code maxBytes} on the way. */
    static void refusedWithoutAllocating(Decode codec, byte[] encoded, String why, long maxBytes) {
        assertTrue(Allocation.supported(), "this JVM does not count allocations");
        long before = Allocation.now();
        refused(codec, encoded, why);
        long allocated = Allocation.now() - before;
        assertTrue(allocated < maxBytes, "allocated " + allocated + " bytes refusing a " + encoded.length + "-byte block");
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }
}
