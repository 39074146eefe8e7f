package org.cfs.cluster.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.MalformedFrameException;
import org.cfs.chord.wire.MessageRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The small pieces every lookup step pays for: ring interval tests, id arithmetic, checking a
 * node id against its address, and encoding and decoding the largest common chord frame.
 * Run with {@code ./lab jmh ChordMicroBenchmarks}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChordMicroBenchmarks {
    private Id a;
    private Id b;
    private Id key;
    private NodeRef node;
    private FrameCodec codec;
    private byte[] stepReplyFrame;
    private Frame stepReply;

    @Setup
    public void setUp() throws MalformedFrameException {
        SplittableRandom random = new SplittableRandom(1);
        a = randomId(random);
        b = randomId(random);
        key = randomId(random);
        node = NodeRef.of(new Endpoint("127.0.0.1", 7000), 3);
        codec = new FrameCodec(MessageRegistry.chord());
        List<NodeRef> succs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            succs.add(NodeRef.of(new Endpoint("127.0.0." + (2 + i), 7000), i % 4));
        }
        stepReply = new Frame.Response(42, new StepReply(false, succs.subList(0, 4), succs, false));
        stepReplyFrame = codec.encode(stepReply);
        codec.decode(stepReplyFrame);
    }

    private static Id randomId(SplittableRandom random) {
        byte[] bytes = new byte[Id.BYTES];
        random.nextBytes(bytes);
        return Id.fromBytes(bytes, 0);
    }

    @Benchmark
    public boolean intervalTest() {
        return key.inOpen(a, b);
    }

    @Benchmark
    public Id distance() {
        return a.distanceTo(key);
    }

    @Benchmark
    public NodeRef checkNodeId() {
        return NodeRef.checked(node.id(), node.endpoint(), node.vnode(), 16);
    }

    @Benchmark
    public byte[] encodeStepReply() {
        return codec.encode(stepReply);
    }

    @Benchmark
    public Frame decodeStepReply() throws MalformedFrameException {
        return codec.decode(stepReplyFrame);
    }
}
