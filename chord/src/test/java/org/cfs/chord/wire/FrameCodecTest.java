package org.cfs.chord.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec(MessageRegistry.chord());

    static List<Frame> frames() {
        return WireSamples.frames();
    }

    @ParameterizedTest
    @MethodSource("frames")
    void everyFrameRoundTrips(Frame frame) throws MalformedFrameException {
        byte[] bytes = codec.encode(frame);
        Frame decoded = codec.decode(bytes);
        WireSamples.assertSameFrame(frame, decoded);
        assertArrayEquals(bytes, codec.encode(decoded), "re-encoding gives the same bytes");
        assertEquals(bytes.length - FrameCodec.LENGTH_BYTES,
                ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
    }

    @Test
    void samplesCoverEveryChordMessage() {
        Set<Class<?>> sampled = WireSamples.messages().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> declared = Arrays.stream(ChordMessages.class.getDeclaredClasses())
                .filter(Class::isRecord).collect(Collectors.toSet());
        assertEquals(declared, sampled);
    }

    @Test
    void pingRequestHasTheDocumentedLayout() {
        byte[] bytes = codec.encode(new Frame.Request(0x0102030405060708L, new Ping(5)));
        assertEquals("0000000e" + "01" + "00" + "0001" + "0102030405060708" + "0005",
                HexFormat.of().formatHex(bytes));
    }

    @Test
    void nodeEntryHasTheDocumentedLayout() {
        NodeRef node = NodeRef.of(new Endpoint("127.0.0.1", 4000), 3);
        byte[] bytes = codec.encode(new Frame.Response(9, new Notify(2, node)));
        String hex = HexFormat.of().formatHex(bytes);
        String expectedBody = "0002" + node.id().toHex() + "09"
                + HexFormat.of().formatHex("127.0.0.1".getBytes(StandardCharsets.US_ASCII)) + "0fa0" + "0003";
        assertEquals("01" + "01" + "0005" + "0000000000000009" + expectedBody, hex.substring(8));
    }

    @Test
    void errorFrameHasTypeZeroCodeAndText() {
        byte[] bytes = codec.encode(new Frame.ErrorReply(1, 3, "é"));
        assertEquals("00000014" + "01" + "02" + "0000" + "0000000000000001" + "00000003" + "0002" + "c3a9",
                HexFormat.of().formatHex(bytes));
    }

    @Test
    void longErrorTextIsCutAtACharacterBoundary() throws MalformedFrameException {
        String text = "é".repeat(600) + "tail";
        Frame.ErrorReply decoded = (Frame.ErrorReply) codec.decode(codec.encode(new Frame.ErrorReply(1, 3, text)));
        assertEquals(FrameCodec.MAX_ERROR_TEXT_BYTES, decoded.text().getBytes(StandardCharsets.UTF_8).length);
        assertEquals("é".repeat(512), decoded.text());
        assertEquals("é".repeat(511), FrameCodec.truncateUtf8("é".repeat(600), 1023));
    }

    @Test
    void emptyAckIsJustAHeader() throws MalformedFrameException {
        byte[] bytes = codec.encode(new Frame.Response(3, new Ack()));
        assertEquals(FrameCodec.LENGTH_BYTES + FrameCodec.HEADER_BYTES, bytes.length);
        assertEquals(new Frame.Response(3, new Ack()), codec.decode(bytes));
    }

    @Test
    void largestNodeListAndPayloadRoundTrip() throws MalformedFrameException {
        Frame list = new Frame.Response(1, new StepReply(false, WireSamples.nodes(FrameCodec.MAX_NODES),
                WireSamples.nodes(FrameCodec.MAX_NODES), false));
        assertEquals(list, codec.decode(codec.encode(list)));
        Frame route = new Frame.Request(2, new Route(0, Id.ZERO, WireSamples.bytes(4 * 1024 * 1024, 7), true, 1));
        WireSamples.assertSameFrame(route, codec.decode(codec.encode(route)));
    }

    @Test
    void frameExactlyAtTheLimitIsAcceptedAndOneByteMoreRefused() throws MalformedFrameException {
        FrameCodec small = new FrameCodec(MessageRegistry.chord(), 4096, 16);
        int fixed = FrameCodec.HEADER_BYTES + 2 + Id.BYTES + 4 + 1 + 2;
        Frame fits = new Frame.Request(1, new Route(0, Id.ZERO, new byte[4096 - fixed], false, 0));
        assertEquals(4096 + FrameCodec.LENGTH_BYTES, small.encode(fits).length);
        WireSamples.assertSameFrame(fits, small.decode(small.encode(fits)));

        Frame tooBig = new Frame.Request(1, new Route(0, Id.ZERO, new byte[4096 - fixed + 1], false, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.encode(tooBig));
        assertTrue(e.getMessage().contains("exceeds the 4096-byte limit"), e.getMessage());
    }

    @Test
    void encodingRefusesWhatTheFormatCannotCarry() {
        assertMessage("70000 is outside the u16 range 0..65535",
                () -> codec.encode(new Frame.Request(1, new Ping(70000))));
        assertMessage("node list of 1025 entries exceeds the 1024-entry limit",
                () -> codec.encode(new Frame.Response(1, new StepReply(true, List.of(), WireSamples.nodes(1025), false))));
        assertMessage("is not printable ASCII",
                () -> codec.encode(new Frame.Request(1, new Notify(0, WireSamples.node("hôst", 1, 0)))));
        assertMessage("is not printable ASCII",
                () -> codec.encode(new Frame.Request(1, new Notify(0, WireSamples.node("a b", 1, 0)))));
        assertMessage("is not registered",
                () -> codec.encode(new Frame.Request(1, new Message() { })));
    }

    @Test
    void codecRefusesUnusableLimits() {
        assertThrows(IllegalArgumentException.class, () -> new FrameCodec(MessageRegistry.chord(), 100, 16));
        assertThrows(IllegalArgumentException.class, () -> new FrameCodec(MessageRegistry.chord(), 4096, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new FrameCodec(MessageRegistry.chord(), Integer.MAX_VALUE, 16));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }
}
