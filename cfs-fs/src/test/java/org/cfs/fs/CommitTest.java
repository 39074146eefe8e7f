package org.cfs.fs;

import static org.cfs.fs.CodecAssertions.everyTruncationRefused;
import static org.cfs.fs.CodecAssertions.hex;
import static org.cfs.fs.CodecAssertions.refused;
import static org.cfs.fs.CodecAssertions.refusedWithoutAllocating;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

/** Commit blocks: golden bytes, round trips, and a refusal for every rule in Commit's comment. */
class CommitTest {
    private static final CodecAssertions.Decode DECODE = Commit::decode;
    private static final Id ROOT = Id.hash("root");
    private static final Id PREVIOUS = Id.hash("previous");
    /** Offsets in an encoded commit: after 'C', format, version, time. */
    private static final int MSG_LEN_AT = 2 + 8 + 8;

    private static Commit commit(long version, String message, int rootMode) {
        return new Commit(version, 5, message, ROOT, 3, rootMode, 7, version == 1 ? null : PREVIOUS, 1, 2, 3);
    }

    /** A commit's bytes with the message length field replaced, to reach checks the constructor guards. */
    private static byte[] withMessage(byte[] message) {
        byte[] empty = commit(1, "", 0755).encode();
        byte[] out = new byte[empty.length + message.length];
        System.arraycopy(empty, 0, out, 0, MSG_LEN_AT);
        out[MSG_LEN_AT] = (byte) (message.length >>> 8);
        out[MSG_LEN_AT + 1] = (byte) message.length;
        System.arraycopy(message, 0, out, MSG_LEN_AT + 2, message.length);
        System.arraycopy(empty, MSG_LEN_AT + 2, out, MSG_LEN_AT + 2 + message.length, empty.length - MSG_LEN_AT - 2);
        return out;
    }

    @Test
    void goldenCommit() throws CorruptBlockException {
        byte[] expected = hex("43 01 0000000000000002 0000000000000005 0002 6869" + ROOT.toHex()
                + "0000000000000003 01ed 0000000000000007 01" + PREVIOUS.toHex()
                + "0000000000000001 0000000000000002 0000000000000003");
        assertArrayEquals(expected, commit(2, "hi", 0755).encode());
        assertEquals(commit(2, "hi", 0755), Commit.decode(expected));
    }

    @Test
    void randomCommitsRoundTrip() throws CorruptBlockException {
        RandomFormat random = new RandomFormat(13);
        for (int i = 0; i < 2000; i++) {
            Commit c = random.commit();
            byte[] encoded = c.encode();
            Commit back = Commit.decode(encoded);
            assertEquals(c, back);
            assertArrayEquals(encoded, back.encode());
        }
    }

    @Test
    void everyTruncationIsRefused() {
        everyTruncationRefused(DECODE, FormatVectors.COMMIT_1.encode());
        everyTruncationRefused(DECODE, FormatVectors.COMMIT_2.encode());
    }

    @Test
    void headerAndTrailingBytesAreChecked() {
        byte[] good = FormatVectors.COMMIT_2.encode();
        for (int type : new int[] {0, 'D', 'L', 'V', 'c'}) {
            byte[] b = good.clone();
            b[0] = (byte) type;
            refused(DECODE, b, "expected a commit (type C), got type byte " + type);
        }
        byte[] b = good.clone();
        b[1] = 2;
        refused(DECODE, b, "commit has format version 2; this cfs reads version 1");
        refused(DECODE, Arrays.copyOf(good, good.length + 1), "commit: 1 bytes left over");
    }

    @Test
    void versionsAndThePreviousCommitAgree() {
        byte[] v1 = FormatVectors.COMMIT_1.encode();
        byte[] zero = v1.clone();
        zero[9] = 0;
        refused(DECODE, zero, "commit for volume version 0; versions start at 1");
        byte[] negative = v1.clone();
        negative[2] = (byte) 0x80;
        refused(DECODE, negative, "volume version: 9223372036854775809 is not below 2^63");
        // Version 2 with no previous commit: the version-1 bytes with only the version changed.
        byte[] orphan = v1.clone();
        orphan[9] = 2;
        refused(DECODE, orphan, "commit for version 2 lacks a previous commit");
        // Version 1 with a previous commit: the version-2 bytes with only the version changed.
        byte[] first = FormatVectors.COMMIT_2.encode();
        first[9] = 1;
        refused(DECODE, first, "commit for version 1 has a previous commit");
        int flagAt = v1.length - 3 * 8 - 1;
        assertEquals(0, v1[flagAt]);
        for (int flag : new int[] {2, 0xff}) {
            byte[] b = v1.clone();
            b[flagAt] = (byte) flag;
            refused(DECODE, b, "has-previous flag is " + flag + ", not 0 or 1");
        }
    }

    @Test
    void rootModeAndCountsAreChecked() {
        byte[] v1 = FormatVectors.COMMIT_1.encode();
        int modeAt = v1.length - 3 * 8 - 1 - 8 - 2;
        assertEquals(0755, ((v1[modeAt] & 0xff) << 8) | (v1[modeAt + 1] & 0xff));
        byte[] mode = v1.clone();
        mode[modeAt] |= 0x10;
        refused(DECODE, mode, "root mode 10755 has bits outside 07777");
        byte[] entries = v1.clone();
        entries[modeAt - 8] = (byte) 0xff;
        refused(DECODE, entries, "root entries: ");
        for (int field = 0; field < 3; field++) {
            byte[] count = v1.clone();
            count[v1.length - 24 + 8 * field] = (byte) 0x80;
            refused(DECODE, count, new String[] {"files", "directories", "bytes"}[field] + ": ");
        }
    }

    @Test
    void messagesAreBoundedUtf8() throws CorruptBlockException {
        byte[] longest = new byte[Format.MAX_MESSAGE];
        Arrays.fill(longest, (byte) 'm');
        assertEquals("m".repeat(Format.MAX_MESSAGE), Commit.decode(withMessage(longest)).message());
        refused(DECODE, withMessage(new byte[Format.MAX_MESSAGE + 1]), "commit message of 4097 bytes exceeds 4096");
        byte[] huge = withMessage(new byte[0]);
        huge[MSG_LEN_AT] = (byte) 0xff;
        huge[MSG_LEN_AT + 1] = (byte) 0xff;
        refusedWithoutAllocating(DECODE, huge, "commit message of 65535 bytes exceeds 4096", 64 << 10);
        // Not UTF-8: a lone continuation byte, an overlong '/', an encoded surrogate, a cut sequence.
        for (String bad : new String[] {"80", "c0af", "eda080", "e282", "f4908080"}) {
            refused(DECODE, withMessage(hex(bad)), "commit message is not UTF-8");
        }
        String unicode = "caf\u00e9 \ud83d\ude00";
        assertEquals(unicode, Commit.decode(withMessage(unicode.getBytes(StandardCharsets.UTF_8))).message());
    }

    @Test
    void theConstructorRefusesWhatTheDecoderRefuses() {
        assertThrows(IllegalArgumentException.class, () -> commit(0, "", 0755));
        assertThrows(IllegalArgumentException.class,
                () -> new Commit(2, 0, "", ROOT, 0, 0755, 0, null, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Commit(1, 0, "", ROOT, 0, 0755, 0, PREVIOUS, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> commit(1, "", 010000));
        assertThrows(IllegalArgumentException.class, () -> commit(1, "\u00e9".repeat(2049), 0));
        assertEquals(4096, commit(1, "\u00e9".repeat(2048), 0).message().getBytes(StandardCharsets.UTF_8).length);
    }
}
