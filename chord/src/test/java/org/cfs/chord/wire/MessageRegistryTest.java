package org.cfs.chord.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Leave;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.junit.jupiter.api.Test;

class MessageRegistryTest {
    record Hello(String name) implements Message {
    }

    private static final MessageCodec<Hello> HELLO = MessageCodec.of(100, Hello.class,
            (m, out) -> out.utf8(m.name(), 255), in -> new Hello(in.utf8("name", 255)));

    @Test
    void chordTypeNumbersArePinned() {
        // These numbers are on the wire: changing one breaks every deployed node.
        Map<Integer, Class<?>> expected = Map.of(1, Ping.class, 2, Ack.class, 3, GetNeighbours.class,
                4, Neighbours.class, 5, Notify.class, 6, FindStep.class, 7, StepReply.class, 8, Leave.class,
                9, Route.class);
        MessageRegistry chord = MessageRegistry.chord();
        for (int type = 0; type <= 64; type++) {
            MessageCodec<?> codec = chord.codec(type);
            if (expected.containsKey(type)) {
                assertEquals(expected.get(type), codec.messageClass(), "type " + type);
            } else {
                assertNull(codec, "type " + type);
            }
        }
    }

    @Test
    void extendedRegistryCarriesNewTypesAndLeavesTheOriginalAlone() throws MalformedFrameException {
        MessageRegistry extended = MessageRegistry.chord().toBuilder().add(HELLO).build();
        assertTrue(extended.supports(Hello.class));
        assertTrue(extended.supports(Ping.class));
        assertFalse(MessageRegistry.chord().supports(Hello.class));

        FrameCodec codec = new FrameCodec(extended);
        Frame frame = new Frame.Request(5, new Hello("dhash"));
        assertEquals(frame, codec.decode(codec.encode(frame)));
        byte[] bytes = codec.encode(frame);
        MalformedFrameException e = assertThrows(MalformedFrameException.class,
                () -> new FrameCodec(MessageRegistry.chord()).decode(bytes));
        assertEquals("unknown message type 100", e.getMessage());
    }

    @Test
    void builtRegistryDoesNotChangeWhenTheBuilderGoesOn() {
        MessageRegistry.Builder builder = MessageRegistry.builder();
        MessageRegistry empty = builder.build();
        builder.add(HELLO);
        assertFalse(empty.supports(Hello.class));
        assertTrue(builder.build().supports(Hello.class));
    }

    @Test
    void duplicatesAndOutOfRangeTypesAreRefused() {
        IllegalArgumentException sameType = assertThrows(IllegalArgumentException.class,
                () -> MessageRegistry.chord().toBuilder().add(MessageCodec.of(1, Hello.class, (m, o) -> { },
                        in -> new Hello(""))));
        assertTrue(sameType.getMessage().contains("message type 1 is already taken by Ping#1"), sameType.getMessage());
        IllegalArgumentException sameClass = assertThrows(IllegalArgumentException.class,
                () -> MessageRegistry.builder().add(HELLO).add(MessageCodec.of(101, Hello.class, (m, o) -> { },
                        in -> new Hello(""))));
        assertTrue(sameClass.getMessage().contains("already has codec Hello#100"), sameClass.getMessage());
        for (int type : List.of(0, -1, 65536)) {
            assertThrows(IllegalArgumentException.class,
                    () -> MessageRegistry.builder().add(MessageCodec.of(type, Hello.class, (m, o) -> { },
                            in -> new Hello(""))));
        }
    }
}
