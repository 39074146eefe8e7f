package org.cfs.chord.wire;

import java.util.List;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;

/**
 * The codecs of {@link ChordMessages}, with their type numbers. Fields go on the wire in the
 * order of the record's components (Java evaluates the decoder's constructor arguments left to
 * right). Vnode indexes, counts and hop counts are u16; a Route's payload is bounded only by the
 * frame.
 */
final class ChordCodecs {
    static final int PING = 1;
    static final int ACK = 2;
    static final int GET_NEIGHBOURS = 3;
    static final int NEIGHBOURS = 4;
    static final int NOTIFY = 5;
    static final int FIND_STEP = 6;
    static final int STEP_REPLY = 7;
    static final int LEAVE = 8;
    static final int ROUTE = 9;

    private ChordCodecs() {
    }

    static List<MessageCodec<?>> all() {
        return List.of(
                MessageCodec.of(PING, Ping.class,
                        (m, out) -> out.u16(m.target()),
                        in -> new Ping(in.u16("target"))),
                MessageCodec.of(ACK, Ack.class,
                        (m, out) -> { },
                        in -> new Ack()),
                MessageCodec.of(GET_NEIGHBOURS, GetNeighbours.class,
                        (m, out) -> out.u16(m.target()),
                        in -> new GetNeighbours(in.u16("target"))),
                MessageCodec.of(NEIGHBOURS, Neighbours.class,
                        (m, out) -> out.node(m.self()).optionalNode(m.predecessor()).nodes(m.successors()),
                        in -> new Neighbours(in.node("self"), in.optionalNode("predecessor"),
                                in.nodes("successors"))),
                MessageCodec.of(NOTIFY, Notify.class,
                        (m, out) -> out.u16(m.target()).node(m.candidate()),
                        in -> new Notify(in.u16("target"), in.node("candidate"))),
                MessageCodec.of(FIND_STEP, FindStep.class,
                        (m, out) -> out.u16(m.target()).id(m.key()).u16(m.max()),
                        in -> new FindStep(in.u16("target"), in.id("key"), in.u16("max"))),
                MessageCodec.of(STEP_REPLY, StepReply.class,
                        (m, out) -> out.bool(m.done()).nodes(m.closer()).nodes(m.successors()).bool(m.holds()),
                        in -> new StepReply(in.bool("done"), in.nodes("closer"), in.nodes("successors"),
                                in.bool("holds"))),
                MessageCodec.of(LEAVE, Leave.class,
                        (m, out) -> out.u16(m.target()).node(m.leaving()).optionalNode(m.predecessor())
                                .nodes(m.successors()),
                        in -> new Leave(in.u16("target"), in.node("leaving"), in.optionalNode("predecessor"),
                                in.nodes("successors"))),
                MessageCodec.of(ROUTE, Route.class,
                        (m, out) -> out.u16(m.target()).id(m.key()).bytes(m.payload()).bool(m.last())
                                .u16(m.hops()),
                        // The frame limit bounds the payload; Chord sets no tighter one of its own.
                        in -> new Route(in.u16("target"), in.id("key"), in.bytes("payload", Integer.MAX_VALUE),
                                in.bool("last"), in.u16("hops"))));
    }
}
