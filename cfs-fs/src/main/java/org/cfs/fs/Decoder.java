package org.cfs.fs;

import java.util.Arrays;
import org.cfs.chord.Id;

/**
 * A cursor over one encoded block that checks every length against the bytes left before it
 * reads or allocates, so a hostile length can cost no more than the block's own size.
 */
final class Decoder {
    private final byte[] in;
    private int at;

    Decoder(byte[] in) {
        this.in = in;
    }

    int remaining() {
        return in.length - at;
    }

    private void need(int n, String what) throws CorruptBlockException {
        if (n < 0 || n > remaining()) {
            throw new CorruptBlockException(what + ": needs " + n + " bytes, only " + remaining() + " left at offset " + at);
        }
    }

    int u8(String what) throws CorruptBlockException {
        need(1, what);
        return in[at++] & 0xff;
    }

    int u16(String what) throws CorruptBlockException {
        need(2, what);
        int v = ((in[at] & 0xff) << 8) | (in[at + 1] & 0xff);
        at += 2;
        return v;
    }

    long u32(String what) throws CorruptBlockException {
        need(4, what);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (in[at++] & 0xff);
        }
        return v;
    }

    long i64(String what) throws CorruptBlockException {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[at++] & 0xff);
        }
        return v;
    }

    /** An unsigned 64-bit count or size that must fit a non-negative long. */
    long u63(String what) throws CorruptBlockException {
        long v = i64(what);
        if (v < 0) {
            throw new CorruptBlockException(what + ": " + Long.toUnsignedString(v) + " is not below 2^63");
        }
        return v;
    }

    byte[] bytes(int n, String what) throws CorruptBlockException {
        need(n, what);
        byte[] out = Arrays.copyOfRange(in, at, at + n);
        at += n;
        return out;
    }

    Id id(String what) throws CorruptBlockException {
        need(Id.BYTES, what);
        Id id = Id.fromBytes(in, at);
        at += Id.BYTES;
        return id;
    }

    /** Checks that {@code count} items of at least {@code minBytes} each can fit in what is left. */
    int count(long count, int minBytes, String what) throws CorruptBlockException {
        if (count > remaining() / Math.max(1, minBytes)) {
            throw new CorruptBlockException(what + ": " + count + " items of at least " + minBytes
                    + " bytes do not fit the " + remaining() + " bytes left");
        }
        return (int) count;
    }

    void end(String what) throws CorruptBlockException {
        if (remaining() != 0) {
            throw new CorruptBlockException(what + ": " + remaining() + " bytes left over after the last field");
        }
    }

    /** Reads the magic byte and format version every format block starts with. */
    void header(int magic, String what) throws CorruptBlockException {
        int m = u8(what + " type");
        if (m != magic) {
            throw new CorruptBlockException("expected a " + what + " (type " + (char) magic + "), got type byte " + m);
        }
        int version = u8(what + " format version");
        if (version != Format.VERSION) {
            throw new CorruptBlockException(what + " has format version " + version + "; this cfs reads version "
                    + Format.VERSION);
        }
    }
}
