package org.cfs.dhash;

import java.math.BigInteger;
import org.cfs.chord.Id;

/** Exact splitting of a ring interval (from, to] into equal parts, as both ends of a digest comparison must. */
final class RingRanges {
    private static final BigInteger RING = BigInteger.ONE.shiftLeft(Id.BITS);

    private RingRanges() {
    }

    /**
     * The {@code parts + 1} boundaries b0 = from, ..., b_parts = to of (from, to] split into equal
     * parts; part i is (b_i, b_(i+1)]. (x, x] is the whole ring.
     */
    static Id[] split(Id from, Id to, int parts) {
        BigInteger start = unsigned(from);
        BigInteger width = unsigned(from.distanceTo(to));
        if (width.signum() == 0) {
            width = RING;
        }
        Id[] bounds = new Id[parts + 1];
        for (int i = 0; i <= parts; i++) {
            BigInteger offset = width.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(parts));
            bounds[i] = fromUnsigned(start.add(offset).mod(RING));
        }
        bounds[parts] = to;
        return bounds;
    }

    private static BigInteger unsigned(Id id) {
        return new BigInteger(1, id.toBytes());
    }

    private static Id fromUnsigned(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[Id.BYTES];
        int n = Math.min(raw.length, Id.BYTES);
        System.arraycopy(raw, raw.length - n, out, Id.BYTES - n, n);
        return Id.fromBytes(out, 0);
    }
}
