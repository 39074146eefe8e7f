package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.MalformedFrameException;

/**
 * Coverage-guided fuzzing (Jazzer) of DHash's messages through the registry a node decodes with.
 * The input is a frame after its length prefix (version, kind, type, request id, body); the
 * target puts the right prefix in front, so the fuzzer spends its time on message bodies. A frame
 * either decodes and re-encodes to exactly its bytes, or is refused with MalformedFrameException,
 * within {@link FuzzAllocation}'s bound. Run long with {@code ./lab fuzz dhash-messages}.
 */
class MessageDecodeFuzzTest {
    private static final FrameCodec CODEC = new FrameCodec(DHashMessages.registry());

    @FuzzTest
    void messages(byte[] input) {
        byte[] frame = ByteBuffer.allocate(FrameCodec.LENGTH_BYTES + input.length)
                .putInt(input.length).put(input).array();
        FuzzAllocation.bounded(frame, () -> decodeAndReencode(frame));
    }

    private static void decodeAndReencode(byte[] frame) {
        Frame decoded;
        try {
            decoded = CODEC.decode(frame);
        } catch (MalformedFrameException expected) {
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            fail(e + " escaped decoding " + HexFormat.of().formatHex(frame), e);
            return;
        }
        assertArrayEquals(frame, CODEC.encode(decoded), "the frame re-encodes differently");
    }
}
