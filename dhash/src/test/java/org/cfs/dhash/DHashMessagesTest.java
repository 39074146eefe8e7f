package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
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
                new DHashMessages.Probe(id(4), false),
                new DHashMessages.Probe(id(4), true),
                new DHashMessages.Probed(true, false),
                new DHashMessages.CacheOffer(id(5), block),
                new DHashMessages.RangeDigest(id(6), id(7), 64),
                new DHashMessages.Digests(new byte[64 * DHashMessages.DIGEST_BYTES]),
                new DHashMessages.ListKeys(id(8), id(9), 1024),
                new DHashMessages.KeyList(keys, versions, false),
                new DHashMessages.KeyList(List.of(), List.of(), true),
                new DHashMessages.ReportBad(id(10)),
                new DHashMessages.GetStatus(),
                status(),
                new DHashMessages.NodeStatus("cfs x", Duration.ZERO, 0, 0, 1, 0, 0, null, null, List.of()),
                new DHashMessages.StoreBlocks(List.of(id(11), id(12)), List.of(block, new byte[] {1, 2, 3})));
    }

    private static NodeRef node(int last, int vnode) {
        return NodeRef.of(new Endpoint("127.0.0." + last, 4000), vnode);
    }

    /** A two-vnode host: one vnode with no predecessor yet, one with neighbours and fingers. */
    private static DHashMessages.NodeStatus status() {
        return new DHashMessages.NodeStatus("cfs 1.0", Duration.ofMillis(15_000), 3, 1_000, 1L << 30, 512, 7,
                Duration.ofMillis(250), Duration.ofMillis(40), List.of(
                        new DHashMessages.VnodeStatus(node(2, 0), null, List.of(node(3, 0)), List.of()),
                        new DHashMessages.VnodeStatus(node(2, 1), node(3, 0), List.of(node(3, 1), node(3, 0)),
                                List.of(node(3, 1)))));
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static String entry(NodeRef n) {
        return n.id().toHex() + "09" + hex(n.endpoint().host()) + "0fa0" + String.format("%04x", n.vnode());
    }

    @Test
    void statusMessagesHaveTheDocumentedLayout() {
        assertEquals("0000000c" + "01" + "00" + "004b" + "0000000000000005",
                HexFormat.of().formatHex(codec.encode(new Frame.Request(5, new DHashMessages.GetStatus()))));

        String body = "0007" + hex("cfs 1.0")
                + "0000000000003a98" + "0000000000000003" + "00000000000003e8" + "0000000040000000"
                + "0000000000000200" + "0000000000000007" + "00000000000000fa" + "0000000000000028"
                + "0002"
                + entry(node(2, 0)) + "00" + "0001" + entry(node(3, 0)) + "0000"
                + entry(node(2, 1)) + "01" + entry(node(3, 0)) + "0002" + entry(node(3, 1)) + entry(node(3, 0))
                + "0001" + entry(node(3, 1));
        String hex = HexFormat.of().formatHex(codec.encode(new Frame.Response(9, status())));
        assertEquals("01" + "01" + "004c" + "0000000000000009" + body, hex.substring(8));
        assertEquals(hex.length() / 2 - 4, Integer.parseInt(hex.substring(0, 8), 16));

        String none = HexFormat.of().formatHex(codec.encode(new Frame.Response(9,
                new DHashMessages.NodeStatus("", Duration.ZERO, 0, 0, 0, 0, 0, null, null, List.of()))));
        assertEquals("0000" + "0000000000000000".repeat(6) + "ffffffffffffffff".repeat(2) + "0000",
                none.substring(8 + 24), "no maintenance round yet is -1");
    }

    @Test
    void statusCountsAndTimesOutOfBoundsAreRefusedWithTheReason() {
        int bodyAt = FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES;
        int fieldsAt = bodyAt + 2 + "cfs 1.0".length();
        byte[] negative = codec.encode(new Frame.Response(1, status()));
        negative[fieldsAt + 8] = (byte) 0x80; // blocks
        MalformedFrameException blocks = assertThrows(MalformedFrameException.class, () -> codec.decode(negative));
        assertTrue(blocks.getMessage().contains("blocks") && blocks.getMessage().contains("negative"),
                blocks.getMessage());

        byte[] time = codec.encode(new Frame.Response(1, status()));
        time[fieldsAt + 6 * 8 + 7] = (byte) 0xfe; // sinceMaintenanceMillis: 0x..fa becomes 0x..fe, still fine
        codecDecodes(time);
        Arrays.fill(time, fieldsAt + 6 * 8, fieldsAt + 7 * 8, (byte) 0xff);
        time[fieldsAt + 7 * 8 - 1] = (byte) 0xfe; // -2
        MalformedFrameException since = assertThrows(MalformedFrameException.class, () -> codec.decode(time));
        assertTrue(since.getMessage().contains("sinceMaintenanceMillis"), since.getMessage());

        byte[] many = codec.encode(new Frame.Response(1, status()));
        int countAt = fieldsAt + 8 * 8;
        many[countAt] = (byte) 0x04;
        many[countAt + 1] = (byte) 0x01; // 1025 vnodes
        MalformedFrameException vnodes = assertThrows(MalformedFrameException.class, () -> codec.decode(many));
        assertTrue(vnodes.getMessage().contains("1025 vnodes"), vnodes.getMessage());
        many[countAt] = 0;
        many[countAt + 1] = (byte) 0xff; // 255 vnodes: within the limit, past the frame's end
        MalformedFrameException past = assertThrows(MalformedFrameException.class, () -> codec.decode(many));
        assertTrue(past.getMessage().contains("255 vnodes do not fit"), past.getMessage());
    }

    private void codecDecodes(byte[] frame) {
        try {
            codec.decode(frame);
        } catch (MalformedFrameException e) {
            throw new AssertionError("should decode: " + e.getMessage(), e);
        }
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
    void storeBlocksHasTheDocumentedLayout() throws MalformedFrameException {
        DHashMessages.StoreBlocks m = new DHashMessages.StoreBlocks(List.of(id(1), id(2)),
                List.of(new byte[] {1, 2, 3}, new byte[0]));
        String hex = HexFormat.of().formatHex(codec.encode(new Frame.Request(3, m)));
        assertEquals("00" + "004d" + "0000000000000003" + "0002"
                + id(1).toHex() + "00000003" + "010203" + id(2).toHex() + "00000000", hex.substring(10));
        DHashMessages.StoreBlocks back = (DHashMessages.StoreBlocks) ((Frame.Request) codec.decode(
                codec.encode(new Frame.Request(3, m)))).message();
        assertEquals(m.keys(), back.keys());
        assertArrayEquals(new byte[] {1, 2, 3}, back.blocks().get(0));
    }

    @Test
    void storeBlocksCountsAndDuplicateKeysAreRefusedWithTheReason() {
        int countAt = FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES;
        DHashMessages.StoreBlocks two = new DHashMessages.StoreBlocks(List.of(id(1), id(2)),
                List.of(new byte[] {1}, new byte[] {2}));
        byte[] none = codec.encode(new Frame.Request(1, two));
        none[countAt] = 0;
        none[countAt + 1] = 0;
        MalformedFrameException zero = assertThrows(MalformedFrameException.class, () -> codec.decode(none));
        assertTrue(zero.getMessage().contains("0 blocks"), zero.getMessage());

        byte[] many = codec.encode(new Frame.Request(1, two));
        many[countAt] = (byte) 0x10;
        many[countAt + 1] = 0x01; // 4097
        MalformedFrameException over = assertThrows(MalformedFrameException.class, () -> codec.decode(many));
        assertTrue(over.getMessage().contains("4097 blocks"), over.getMessage());
        many[countAt] = 0;
        many[countAt + 1] = 0x03; // within the limit, past the frame's end
        MalformedFrameException past = assertThrows(MalformedFrameException.class, () -> codec.decode(many));
        assertTrue(past.getMessage().contains("do not fit"), past.getMessage());

        byte[] twice = codec.encode(new Frame.Request(1, two));
        int secondKey = countAt + 2 + Id.BYTES + 4 + 1;
        System.arraycopy(twice, countAt + 2, twice, secondKey, Id.BYTES);
        MalformedFrameException dup = assertThrows(MalformedFrameException.class, () -> codec.decode(twice));
        assertTrue(dup.getMessage().contains("keys[1]") && dup.getMessage().contains("twice"), dup.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new DHashMessages.StoreBlocks(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new DHashMessages.StoreBlocks(List.of(id(1)), List.of(new byte[0], new byte[0])));
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
