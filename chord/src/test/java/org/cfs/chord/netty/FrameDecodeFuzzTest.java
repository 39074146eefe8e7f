package org.cfs.chord.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.MessageRegistry;

/**
 * Coverage-guided fuzzing (Jazzer) of the whole inbound path of a connection: bytes as the socket
 * hands them to {@link FrameDecoder}, cut into frames, decoded and checked. The first input byte
 * says where the stream is split into two reads; the rest is the stream. Whatever the bytes, the
 * decoder passes on frames and at most one {@link Malformed}, last, and throws nothing; the frames
 * re-encode to exactly the bytes they came from; and no input makes it allocate more than a
 * bounded multiple of its length. Run long with {@code ./lab fuzz frames}.
 */
class FrameDecodeFuzzTest {
    /** Heap allowed per run beyond the per-byte share: the channel, its pipeline, a stack trace. */
    private static final long ALLOCATION_BASE = 256 << 10;
    private static final long ALLOCATION_PER_BYTE = 64;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final FrameCodec CODEC = new FrameCodec(MessageRegistry.chord());

    @FuzzTest
    void frames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        int split = (input[0] & 0xff) % (stream.length + 1);
        // A run over the bound is repeated once and only the repeat counts: the first input down a
        // path loads and instruments classes, which is not the decoder allocating.
        long bound = ALLOCATION_BASE + ALLOCATION_PER_BYTE * stream.length;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        EmbeddedChannel channel = decode(stream, split);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (allocated > bound) {
            before = THREADS.getCurrentThreadAllocatedBytes();
            channel = decode(stream, split);
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        if (allocated > bound) {
            fail("decoding a " + stream.length + "-byte stream allocated " + allocated + " bytes: "
                    + HexFormat.of().formatHex(stream));
        }
        checkOutputs(channel, stream);
    }

    /** Feeds the stream in two reads and closes the channel; anything the decoder throws escapes. */
    private static EmbeddedChannel decode(byte[] stream, int split) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(CODEC));
        // Heap buffers, so what the decoder buffers is counted as the thread's allocation.
        channel.config().setAllocator(new UnpooledByteBufAllocator(false));
        // Copies, as a socket's reads are: the decoder owns its buffers and compacts them in place.
        channel.writeInbound(Unpooled.copiedBuffer(stream, 0, split));
        channel.writeInbound(Unpooled.copiedBuffer(stream, split, stream.length - split));
        channel.finish();
        return channel;
    }

    private static void checkOutputs(EmbeddedChannel channel, byte[] stream) {
        ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
        boolean malformed = false;
        for (Object out = channel.readInbound(); out != null; out = channel.readInbound()) {
            assertTrue(!malformed, "output after a Malformed: " + out);
            if (out instanceof Frame frame) {
                reencoded.writeBytes(CODEC.encode(frame));
            } else if (out instanceof Malformed) {
                malformed = true;
            } else {
                fail("the decoder passed on " + out.getClass().getName());
            }
        }
        byte[] frames = reencoded.toByteArray();
        if (malformed) {
            assertTrue(frames.length <= stream.length, "frames re-encode longer than the stream");
            assertArrayEquals(Arrays.copyOf(stream, frames.length), frames,
                    "the frames before the malformed one re-encode differently");
        } else {
            assertArrayEquals(stream, frames, "the frames re-encode differently");
        }
    }
}
