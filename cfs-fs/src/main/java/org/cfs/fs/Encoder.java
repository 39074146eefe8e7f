package org.cfs.fs;

import java.util.Arrays;
import org.cfs.chord.Id;

/** A growable big-endian byte buffer for the format's encoders; {@link Decoder}'s mirror. */
final class Encoder {
    private byte[] out;
    private int size;

    Encoder(int initialCapacity) {
        out = new byte[Math.max(16, initialCapacity)];
    }

    private void room(int n) {
        if (size + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + n));
        }
    }

    Encoder u8(int v) {
        room(1);
        out[size++] = (byte) v;
        return this;
    }

    Encoder u16(int v) {
        room(2);
        out[size++] = (byte) (v >>> 8);
        out[size++] = (byte) v;
        return this;
    }

    Encoder u32(long v) {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    Encoder i64(long v) {
        room(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    Encoder bytes(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, out, size, b.length);
        size += b.length;
        return this;
    }

    Encoder id(Id id) {
        room(Id.BYTES);
        id.writeTo(out, size);
        size += Id.BYTES;
        return this;
    }

    int size() {
        return size;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(out, size);
    }
}
