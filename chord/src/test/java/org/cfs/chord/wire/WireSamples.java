package org.cfs.chord.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;

/** Sample messages and frames covering every Chord message and field shape. */
final class WireSamples {
    private WireSamples() {
    }

    static NodeRef node(String host, int port, int vnode) {
        return NodeRef.of(new Endpoint(host, port), vnode);
    }

    static List<NodeRef> nodes(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> node("10.0." + (i / 250) + "." + (i % 250 + 1), 4000 + i, i % 16))
                .toList();
    }

    static byte[] bytes(int length, long seed) {
        byte[] out = new byte[length];
        new Random(seed).nextBytes(out);
        return out;
    }

    /** At least one of every Chord message, with empty, absent, present and full-range fields. */
    static List<Message> messages() {
        NodeRef self = node("127.0.0.1", 4000, 0);
        NodeRef pred = node("203.0.113.7", 65535, 15);
        NodeRef v6 = node("::1", 1, 3);
        return List.of(
                new Ping(0),
                new Ping(65535),
                new Ack(),
                new GetNeighbours(7),
                new Neighbours(self, null, List.of()),
                new Neighbours(self, pred, List.of(pred, v6, self)),
                new Notify(2, v6),
                new FindStep(1, Id.hash("key"), 8),
                new FindStep(15, Id.ZERO, 0),
                new StepReply(true, List.of(), List.of(), false),
                new StepReply(false, nodes(5), List.of(node("127.0.0.1", 4000, 0)), true),
                new StepReply(true, List.of(), nodes(8), false),
                new Leave(0, self, null, List.of(pred)),
                new Leave(9, self, pred, List.of()),
                new Route(4, Id.hash("k"), new byte[0], false, 0),
                new Route(65535, Id.hash("k2"), bytes(700, 1), true, 17));
    }

    /** Every sample message as a request and a response, plus error frames. */
    static List<Frame> frames() {
        List<Frame> frames = new ArrayList<>();
        long id = 1;
        for (Message m : messages()) {
            frames.add(new Frame.Request(id++, m));
            frames.add(new Frame.Response(Long.MAX_VALUE - id, m));
        }
        frames.add(new Frame.ErrorReply(-1L, 1, "no vnode 7 here"));
        frames.add(new Frame.ErrorReply(0, -5, ""));
        frames.add(new Frame.ErrorReply(42, Integer.MAX_VALUE, "naïve — ünïcödé ✓ 𝄞"));
        return frames;
    }

    static List<byte[]> encodedFrames(FrameCodec codec) {
        return frames().stream().map(codec::encode).toList();
    }

    /** Equality for frames, comparing Route payloads by content (records compare arrays by identity). */
    static void assertSameFrame(Frame expected, Frame actual) {
        assertEquals(expected.getClass(), actual.getClass());
        assertEquals(expected.requestId(), actual.requestId());
        if (expected instanceof Frame.ErrorReply) {
            assertEquals(expected, actual);
            return;
        }
        Message e = expected instanceof Frame.Request r ? r.message() : ((Frame.Response) expected).message();
        Message a = actual instanceof Frame.Request r ? r.message() : ((Frame.Response) actual).message();
        if (e instanceof Route er && a instanceof Route ar) {
            assertEquals(er.target(), ar.target());
            assertEquals(er.key(), ar.key());
            assertArrayEquals(er.payload(), ar.payload());
            assertEquals(er.last(), ar.last());
            assertEquals(er.hops(), ar.hops());
        } else {
            assertEquals(e, a);
        }
    }
}
