package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.cfs.chord.Id;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.MalformedFrameException;
import org.cfs.chord.wire.Message;
import org.junit.jupiter.api.Test;

/** DHash's wire messages: every one round-trips; truncated, oversized and random frames are refused cleanly. */
class DHashMessagesTest {
    private final FrameCodec codec = new FrameCodec(DHashMessages.registry());

    private static Id id(int seed) {
        return Id.hash("k" + seed);
    }

    private static List<Message> samples() {
        byte[] block = new ContentBlock("some data".getBytes()).encode();
        List<Id> keys = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add(id(i));
            versions.add((long) i * 7);
        }
        return List.of(
                new DHashMessages.StoreBlock(id(1), block, false),
                new DHashMessages.StoreBlock(id(2), block, true),
                new DHashMessages.FetchBlock(id(3), true),
                new DHashMessages.Fetched(block, true),
                new DHashMessages.Probe(id(4)),
                new DHashMessages.Probed(true, false),
                new DHashMessages.CacheOffer(id(5), block),
                new DHashMessages.RangeDigest(id(6), id(7), 64),
                new DHashMessages.Digests(new byte[64 * DHashMessages.DIGEST_BYTES]),
                new DHashMessages.ListKeys(id(8), id(9), 1024),
                new DHashMessages.KeyList(keys, versions, false),
                new DHashMessages.KeyList(List.of(), List.of(), true),
                new DHashMessages.ReportBad(id(10)));
    }

    /** Records with arrays compare by identity, so compare their re-encodings instead. */
    @Test
    void everyMessageRoundTrips() throws MalformedFrameException {
        for (Message m : samples()) {
            byte[] bytes = codec.encode(new Frame.Request(7, m));
            Frame back = codec.decode(bytes);
            assertEquals(m.getClass(), ((Frame.Request) back).message().getClass());
            assertArrayEquals(bytes, codec.encode(back), m.getClass().getSimpleName());
        }
    }

    @Test
    void everyTruncationIsMalformed() {
        for (Message m : samples()) {
            byte[] bytes = codec.encode(new Frame.Response(1, m));
            for (int cut = FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES; cut < bytes.length; cut++) {
                byte[] shorter = Arrays.copyOf(bytes, cut);
                int length = cut - FrameCodec.LENGTH_BYTES;
                shorter[0] = (byte) (length >>> 24);
                shorter[1] = (byte) (length >>> 16);
                shorter[2] = (byte) (length >>> 8);
                shorter[3] = (byte) length;
                assertThrows(MalformedFrameException.class, () -> codec.decode(shorter),
                        m.getClass().getSimpleName() + " cut at " + cut);
            }
        }
    }

    @Test
    void countsAndPartsOutOfBoundsAreRefusedWithTheReason() {
        byte[] keyList = codec.encode(new Frame.Response(1, new DHashMessages.KeyList(List.of(id(1)), List.of(1L), true)));
        int countAt = FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES;
        keyList[countAt] = (byte) 0xff;
        keyList[countAt + 1] = (byte) 0xff;
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> codec.decode(keyList));
        assertTrue(e.getMessage().contains("65535 keys"), e.getMessage());

        byte[] digest = codec.encode(new Frame.Request(1, new DHashMessages.RangeDigest(id(1), id(2), 8)));
        digest[digest.length - 2] = 0;
        digest[digest.length - 1] = 0;
        MalformedFrameException parts = assertThrows(MalformedFrameException.class, () -> codec.decode(digest));
        assertTrue(parts.getMessage().contains("parts"), parts.getMessage());
    }

    @Test
    void randomAndMutatedFramesNeverThrowAnythingElse() {
        SplittableRandom random = new SplittableRandom(11);
        List<byte[]> valid = new ArrayList<>();
        for (Message m : samples()) {
            valid.add(codec.encode(new Frame.Request(random.nextLong(), m)));
        }
        for (int i = 0; i < 200_000; i++) {
            byte[] base = valid.get(random.nextInt(valid.size()));
            byte[] frame = Arrays.copyOf(base, base.length);
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = FrameCodec.LENGTH_BYTES + random.nextInt(frame.length - FrameCodec.LENGTH_BYTES);
                frame[at] = (byte) random.nextInt(256);
            }
            try {
                codec.decode(frame);
            } catch (MalformedFrameException expected) {
                // refused cleanly
            } catch (RuntimeException | Error other) {
                throw new AssertionError("frame " + i + " escaped with " + other, other);
            }
        }
    }
}
