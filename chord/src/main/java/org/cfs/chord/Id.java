package org.cfs.chord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;

/**
 * A point on the 160-bit identifier ring: the first 20 bytes of a SHA-256 digest.
 *
 * <p>Held as three unsigned words (64 + 64 + 32 bits) so that comparison, addition and the
 * wrap-around interval tests that every lookup performs allocate nothing.
 */
public final class Id implements Comparable<Id> {
    public static final int BITS = 160;
    public static final int BYTES = BITS / 8;
    public static final Id ZERO = new Id(0, 0, 0);

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    });

    private final long hi;   // bits 159..96
    private final long mid;  // bits 95..32
    private final int lo;    // bits 31..0

    private Id(long hi, long mid, int lo) {
        this.hi = hi;
        this.mid = mid;
        this.lo = lo;
    }

    /** The id of arbitrary bytes: the first 20 bytes of their SHA-256. */
    public static Id hash(byte[] bytes) {
        MessageDigest md = SHA256.get();
        md.reset();
        return fromBytes(md.digest(bytes), 0);
    }

    /** The id of a string's UTF-8 bytes. */
    public static Id hash(String text) {
        return hash(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The checkable id of a virtual node: H("ip#vnode"), the ip in {@link Endpoint#canonicalIp}
     * form. The port is left out because a host picks it freely: with it, one machine could try
     * 65,536 ports for an id just before any key it wanted to hide.
     */
    public static Id ofNode(String ip, int vnode) {
        return hash(ip + "#" + vnode);
    }

    /** Reads 20 bytes starting at {@code offset}. */
    public static Id fromBytes(byte[] bytes, int offset) {
        if (bytes.length - offset < BYTES) {
            throw new IllegalArgumentException(
                    "an id needs " + BYTES + " bytes, only " + (bytes.length - offset) + " remain");
        }
        long hi = 0;
        long mid = 0;
        int lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (bytes[offset + i] & 0xff);
            mid = (mid << 8) | (bytes[offset + 8 + i] & 0xff);
        }
        for (int i = 0; i < 4; i++) {
            lo = (lo << 8) | (bytes[offset + 16 + i] & 0xff);
        }
        return new Id(hi, mid, lo);
    }

    /** Parses exactly 40 hex digits. */
    public static Id fromHex(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException(
                    "an id is " + 2 * BYTES + " hex digits, got " + hex.length() + ": '" + hex + "'");
        }
        return fromBytes(HexFormat.of().parseHex(hex), 0);
    }

    /** True if {@code text} is 40 hex digits. */
    public static boolean isHex(String text) {
        if (text.length() != 2 * BYTES) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** 2^k on the ring, for 0 <= k < 160. */
    public static Id powerOfTwo(int k) {
        if (k < 0 || k >= BITS) {
            throw new IllegalArgumentException("exponent " + k + " is outside 0.." + (BITS - 1));
        }
        if (k < 32) {
            return new Id(0, 0, 1 << k);
        }
        if (k < 96) {
            return new Id(0, 1L << (k - 32), 0);
        }
        return new Id(1L << (k - 96), 0, 0);
    }

    public byte[] toBytes() {
        byte[] out = new byte[BYTES];
        writeTo(out, 0);
        return out;
    }

    public void writeTo(byte[] out, int offset) {
        for (int i = 0; i < 8; i++) {
            out[offset + i] = (byte) (hi >>> (56 - 8 * i));
            out[offset + 8 + i] = (byte) (mid >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[offset + 16 + i] = (byte) (lo >>> (24 - 8 * i));
        }
    }

    /** (this + other) mod 2^160. */
    public Id plus(Id other) {
        long l = Integer.toUnsignedLong(lo) + Integer.toUnsignedLong(other.lo);
        long carry = l >>> 32;
        long m = mid + other.mid + carry;
        long mCarry = (Long.compareUnsigned(m, mid) < 0 || (carry == 1 && m == mid)) ? 1 : 0;
        long h = hi + other.hi + mCarry;
        return new Id(h, m, (int) l);
    }

    /** (this - other) mod 2^160: the clockwise distance from {@code other} to this. */
    public Id minus(Id other) {
        long l = Integer.toUnsignedLong(lo) - Integer.toUnsignedLong(other.lo);
        long borrow = l < 0 ? 1 : 0;
        long m = mid - other.mid - borrow;
        long mBorrow = (Long.compareUnsigned(mid, other.mid) < 0
                || (borrow == 1 && mid == other.mid)) ? 1 : 0;
        long h = hi - other.hi - mBorrow;
        return new Id(h, m, (int) l);
    }

    /** The clockwise distance from this id to {@code to}. */
    public Id distanceTo(Id to) {
        return to.minus(this);
    }

    /**
     * Orders ids by their clockwise distance to {@code key}, nearest first (the key itself, at
     * distance 0, comes first), as comparing {@code distanceTo(key)} would, but allocating
     * nothing: a is nearer than b exactly when it lies in (b, key). Lookups sort by this on
     * every step.
     */
    public static Comparator<Id> nearestBefore(Id key) {
        return (a, b) -> {
            if (a.equals(b)) {
                return 0;
            }
            if (a.equals(key)) {
                return -1;
            }
            if (b.equals(key)) {
                return 1;
            }
            return a.inOpen(b, key) ? -1 : 1;
        };
    }

    /**
     * Orders ids by the clockwise distance from {@code key} to them, nearest first (the key
     * itself first), as comparing {@code key.distanceTo(id)} would, allocating nothing: a is
     * nearer than b exactly when it lies in (key, b).
     */
    public static Comparator<Id> nearestAfter(Id key) {
        return (a, b) -> {
            if (a.equals(b)) {
                return 0;
            }
            if (a.equals(key)) {
                return -1;
            }
            if (b.equals(key)) {
                return 1;
            }
            return a.inOpen(key, b) ? -1 : 1;
        };
    }

    /** This id as a fraction of the ring in [0, 1), for statistics and display only. */
    public double fraction() {
        return (hi >>> 11) * 0x1.0p-53;
    }

    /** True if this id lies in the open interval (from, to) going clockwise; (x, x) is all but x. */
    public boolean inOpen(Id from, Id to) {
        int c = from.compareTo(to);
        if (c < 0) {
            return compareTo(from) > 0 && compareTo(to) < 0;
        }
        if (c > 0) {
            return compareTo(from) > 0 || compareTo(to) < 0;
        }
        return !equals(from);
    }

    /** True if this id lies in the half-open interval (from, to]; (x, x] is the whole ring. */
    public boolean inHalfOpen(Id from, Id to) {
        return equals(to) || inOpen(from, to);
    }

    @Override
    public int compareTo(Id o) {
        int c = Long.compareUnsigned(hi, o.hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(mid, o.mid);
        return c != 0 ? c : Integer.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Id other && hi == other.hi && mid == other.mid && lo == other.lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi) * 31 + Long.hashCode(mid) ^ lo;
    }

    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** The first eight hex digits, for logs. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
