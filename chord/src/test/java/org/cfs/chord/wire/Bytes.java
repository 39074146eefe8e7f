package org.cfs.chord.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Hand-built byte strings for frames the codec would never produce. */
final class Bytes {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(buffer);

    static Bytes of() {
        return new Bytes();
    }

    Bytes u8(int v) {
        return run(() -> out.writeByte(v));
    }

    Bytes u16(int v) {
        return run(() -> out.writeShort(v));
    }

    Bytes i32(int v) {
        return run(() -> out.writeInt(v));
    }

    Bytes i64(long v) {
        return run(() -> out.writeLong(v));
    }

    Bytes raw(byte... bytes) {
        return run(() -> out.write(bytes));
    }

    Bytes ascii(String s) {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] toArray() {
        return buffer.toByteArray();
    }

    /** A frame with the given header fields and body, its length prefix consistent. */
    static byte[] frame(int version, int kind, int type, long requestId, byte[] body) {
        byte[] rest = of().u8(version).u8(kind).u16(type).i64(requestId).raw(body).toArray();
        return of().i32(rest.length).raw(rest).toArray();
    }

    /** {@code frame} with its length prefix set to {@code length}. */
    static byte[] withLength(byte[] frame, long length) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putInt((int) length);
        return copy;
    }

    /** The first {@code n} bytes of a frame, with the length prefix fixed to match. */
    static byte[] truncatedConsistently(byte[] frame, int n) {
        return withLength(Arrays.copyOf(frame, n), n - FrameCodec.LENGTH_BYTES);
    }

    private interface Write {
        void run() throws IOException;
    }

    private Bytes run(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
