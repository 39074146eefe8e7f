package org.cfs.chord.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.junit.jupiter.api.Test;

class MalformedFrameTest {
    private static final int NOTIFY = 5;
    private static final int STEP_REPLY = 7;
    private static final int ROUTE = 9;

    private final FrameCodec codec = new FrameCodec(MessageRegistry.chord());

    @Test
    void everyTruncationOfEveryFrameIsMalformed() {
        for (byte[] frame : WireSamples.encodedFrames(codec)) {
            for (int n = 0; n < frame.length; n++) {
                byte[] cut = Arrays.copyOf(frame, n);
                assertMalformed(cut, n < FrameCodec.LENGTH_BYTES ? "truncated length prefix" : "truncated frame");
                if (n >= FrameCodec.LENGTH_BYTES) {
                    // The same bytes presented as a complete frame: the header or the body itself must be
                    // found short, and the reason must say by how much.
                    assertShortWhenComplete(Bytes.truncatedConsistently(frame, n), n - FrameCodec.LENGTH_BYTES);
                }
            }
        }
    }

    @Test
    void unsupportedVersion() {
        assertMalformed(Bytes.frame(2, 0, 1, 1, Bytes.of().u16(0).toArray()), "unsupported frame version 2");
        assertMalformed(Bytes.frame(0, 0, 1, 1, Bytes.of().u16(0).toArray()), "unsupported frame version 0");
    }

    @Test
    void unknownKind() {
        assertMalformed(Bytes.frame(1, 3, 1, 1, Bytes.of().u16(0).toArray()), "unknown frame kind 3");
        assertMalformed(Bytes.frame(1, 255, 1, 1, Bytes.of().u16(0).toArray()), "unknown frame kind 255");
    }

    @Test
    void unknownMessageType() {
        assertMalformed(Bytes.frame(1, 0, 0, 1, new byte[0]), "unknown message type 0");
        assertMalformed(Bytes.frame(1, 1, 10, 1, new byte[0]), "unknown message type 10");
        assertMalformed(Bytes.frame(1, 0, 65535, 1, new byte[0]), "unknown message type 65535");
    }

    @Test
    void errorFrameMustHaveTypeZero() {
        byte[] body = Bytes.of().i32(1).u16(0).toArray();
        assertMalformed(Bytes.frame(1, 2, 1, 1, body), "error frame with message type 1");
    }

    @Test
    void lengthPrefixOutOfBounds() {
        byte[] ping = codec.encode(new Frame.Request(1, new Ping(1)));
        assertMalformed(Bytes.withLength(ping, 0), "frame of 0 bytes is shorter than the 12-byte header");
        assertMalformed(Bytes.withLength(ping, 11), "frame of 11 bytes is shorter than the 12-byte header");
        assertMalformed(Bytes.withLength(ping, FrameCodec.DEFAULT_MAX_FRAME + 1L),
                "frame of 4195329 bytes exceeds the 4195328-byte limit");
        assertMalformed(Bytes.withLength(ping, 0xffffffffL), "frame of 4294967295 bytes exceeds");
        assertMalformed(Bytes.withLength(ping, 15), "truncated frame: 15 bytes announced, 14 present");
    }

    @Test
    void checkLengthAloneRefusesOversizedPrefixes() {
        assertThrows(MalformedFrameException.class, () -> codec.checkLength(Integer.MAX_VALUE));
        assertThrows(MalformedFrameException.class, () -> codec.checkLength(-1));
    }

    @Test
    void nodeWhoseIdDoesNotMatchItsAddress() {
        NodeRef honest = NodeRef.of(new Endpoint("127.0.0.1", 4000), 0);
        NodeRef liar = new NodeRef(Id.hash("anywhere I like"), honest.endpoint(), 0);
        byte[] frame = codec.encode(new Frame.Request(1, new Notify(0, liar)));
        assertMalformed(frame, "Notify.candidate: node 127.0.0.1:4000#0 claims id " + liar.id().toHex());
    }

    @Test
    void nodeListEntryWithBadIdIsNamed() {
        List<NodeRef> nodes = new java.util.ArrayList<>(WireSamples.nodes(4));
        NodeRef bad = nodes.get(2);
        nodes.set(2, new NodeRef(bad.id().plus(Id.powerOfTwo(0)), bad.endpoint(), bad.vnode()));
        byte[] frame = codec.encode(new Frame.Response(1, new StepReply(false, List.of(), nodes, false)));
        assertMalformed(frame, "StepReply.successors[2]: node " + bad.endpoint() + "#" + bad.vnode() + " claims id");
    }

    @Test
    void vnodeIndexOverTheLimit() {
        FrameCodec lenient = new FrameCodec(MessageRegistry.chord(), FrameCodec.DEFAULT_MAX_FRAME, 65536);
        byte[] frame = lenient.encode(new Frame.Request(1, new Notify(0, WireSamples.node("10.0.0.1", 4000, 16))));
        assertMalformed(frame, "Notify.candidate: node 10.0.0.1:4000#16 has a vnode index outside 0..15");
    }

    @Test
    void trailingBytes() {
        byte[] ping = codec.encode(new Frame.Request(1, new Ping(1)));
        byte[] longer = Arrays.copyOf(ping, ping.length + 3);
        assertMalformed(longer, "3 trailing bytes after a frame of 14 bytes");
        assertMalformed(Bytes.withLength(longer, ping.length - 1L), "Ping: 3 trailing bytes after the message");
        byte[] error = codec.encode(new Frame.ErrorReply(1, 1, "x"));
        byte[] errorLonger = Arrays.copyOf(error, error.length + 1);
        assertMalformed(Bytes.withLength(errorLonger, error.length - 3L), "error: 1 trailing bytes after the message");
    }

    @Test
    void hugeNodeCountFailsBeforeAnyEntryIsRead() {
        byte[] body = Bytes.of().u8(1).u16(65535).toArray();
        assertMalformed(Bytes.frame(1, 1, STEP_REPLY, 1, body),
                "StepReply.closer: node list of 65535 entries exceeds the 1024-entry limit");
        byte[] short1024 = Bytes.of().u8(1).u16(1024).raw(new byte[100]).toArray();
        assertMalformed(Bytes.frame(1, 1, STEP_REPLY, 1, short1024),
                "StepReply.closer: node list of 1024 entries needs at least 26624 bytes but only 100 remain");
    }

    @Test
    void byteStringLongerThanTheFrame() {
        byte[] huge = Bytes.of().u16(0).raw(Id.ZERO.toBytes()).i32(-1).u8(0).u16(0).toArray();
        assertMalformed(Bytes.frame(1, 0, ROUTE, 1, huge),
                "Route.payload: byte string of 4294967295 bytes exceeds the 2147483647-byte limit");
        byte[] past = Bytes.of().u16(0).raw(Id.ZERO.toBytes()).i32(1_000_000).u8(0).u16(0).toArray();
        assertMalformed(Bytes.frame(1, 0, ROUTE, 1, past),
                "Route.payload: truncated: needs 1000000 bytes but only 3 remain");
    }

    @Test
    void booleansAndPresenceBytesAreZeroOrOne() {
        assertMalformed(Bytes.frame(1, 1, STEP_REPLY, 1, Bytes.of().u8(2).u16(0).toArray()),
                "StepReply.done: boolean byte 2 is neither 0 nor 1");
        NodeRef self = WireSamples.node("127.0.0.1", 4000, 0);
        byte[] valid = codec.encode(new Frame.Response(1, new ChordMessages.Neighbours(self, null, List.of())));
        int presence = FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES + Id.BYTES + 1 + 9 + 2 + 2;
        valid[presence] = (byte) 0xff;
        assertMalformed(valid, "Neighbours.predecessor: boolean byte 255 is neither 0 nor 1");
    }

    @Test
    void hostMustBeNonEmptyPrintableAscii() {
        assertMalformed(notifyWithHost(new byte[0]), "Notify.candidate: node entry has an empty host");
        assertMalformed(notifyWithHost("a b".getBytes()), "host byte 0x20 is not printable ASCII");
        assertMalformed(notifyWithHost("a\nb".getBytes()), "host byte 0xa is not printable ASCII");
        assertMalformed(notifyWithHost(new byte[] {'a', (byte) 0xc3, (byte) 0xa9}), "host byte 0xc3");
    }

    @Test
    void errorTextMustBeWellFormedUtf8WithinItsLimit() {
        assertMalformed(errorWithText(new byte[] {(byte) 0xc3, 0x28}), "error.text: text is not well-formed UTF-8");
        assertMalformed(errorWithText(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), "not well-formed UTF-8");
        assertMalformed(errorWithText(new byte[] {(byte) 0xc0, (byte) 0xaf}), "not well-formed UTF-8");
        assertMalformed(errorWithText(new byte[1025]), "error.text: text of 1025 bytes exceeds the 1024-byte limit");
    }

    @Test
    void messageConstructorRefusalIsMalformed() throws MalformedFrameException {
        record Named(String name) implements Message {
            Named {
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("name is empty");
                }
            }
        }
        MessageRegistry registry = MessageRegistry.chord().toBuilder()
                .add(MessageCodec.of(100, Named.class, (m, out) -> out.utf8(m.name(), 64),
                        in -> new Named(in.utf8("name", 64))))
                .build();
        FrameCodec custom = new FrameCodec(registry);
        custom.decode(custom.encode(new Frame.Request(1, new Named("ok"))));
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> custom.decode(Bytes.frame(1, 0, 100, 1, Bytes.of().u16(0).toArray())));
        assertTrue(e.getMessage().equals("Named: name is empty"), e.getMessage());
    }

    private static byte[] notifyWithHost(byte[] host) {
        byte[] body = Bytes.of().u16(0).raw(Id.ZERO.toBytes()).u8(host.length).raw(host).u16(1).u16(0).toArray();
        return Bytes.frame(1, 0, NOTIFY, 1, body);
    }

    private static byte[] errorWithText(byte[] text) {
        return Bytes.frame(1, 2, 0, 1, Bytes.of().i32(1).u16(text.length).raw(text).toArray());
    }

    private void assertShortWhenComplete(byte[] frame, int length) {
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> codec.decode(frame));
        if (length < FrameCodec.HEADER_BYTES) {
            assertEquals("frame of " + length + " bytes is shorter than the 12-byte header", e.getMessage());
        } else {
            assertTrue(e.getMessage().matches("[A-Za-z]+\\.[A-Za-z.\\[\\]0-9]+: .*needs (at least )?\\d+ bytes but only \\d+ remain"),
                    () -> "a frame of " + length + " bytes cut from " + frame.length + ": " + e.getMessage());
        }
    }

    private void assertMalformed(byte[] frame, String expected) {
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> codec.decode(frame));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
