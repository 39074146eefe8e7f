package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdTest {
    private static final BigInteger RING = BigInteger.ONE.shiftLeft(160);

    private static BigInteger big(Id id) {
        return new BigInteger(1, id.toBytes());
    }

    private static Id id(BigInteger value) {
        byte[] raw = value.mod(RING).toByteArray();
        byte[] out = new byte[20];
        int n = Math.min(raw.length, 20);
        System.arraycopy(raw, raw.length - n, out, 20 - n, n);
        return Id.fromBytes(out, 0);
    }

    private static Id random(SplittableRandom r) {
        byte[] b = new byte[20];
        r.nextBytes(b);
        // Bias towards carries and borrows: runs of 0x00 and 0xff.
        if (r.nextInt(4) == 0) {
            Arrays.fill(b, r.nextInt(20), 20, (byte) (r.nextBoolean() ? 0 : 0xff));
        }
        return Id.fromBytes(b, 0);
    }

    @Test
    void arithmeticAgreesWithBigIntegerModuloTheRing() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            Id a = random(r);
            Id b = random(r);
            assertEquals(id(big(a).add(big(b))), a.plus(b));
            assertEquals(id(big(a).subtract(big(b))), a.minus(b));
            assertEquals(Integer.signum(big(a).compareTo(big(b))), Integer.signum(a.compareTo(b)));
        }
    }

    @Test
    void distanceOrdersAgreeWithComparingDistances() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            Id key = random(r);
            // Now and then a or b is the key itself or they are equal: the edges of the order.
            Id a = r.nextInt(8) == 0 ? key : random(r);
            Id b = r.nextInt(8) == 0 ? a : r.nextInt(8) == 0 ? key : random(r);
            assertEquals(Integer.signum(a.distanceTo(key).compareTo(b.distanceTo(key))),
                    Integer.signum(Id.nearestBefore(key).compare(a, b)), a + " vs " + b + " before " + key);
            assertEquals(Integer.signum(key.distanceTo(a).compareTo(key.distanceTo(b))),
                    Integer.signum(Id.nearestAfter(key).compare(a, b)), a + " vs " + b + " after " + key);
        }
    }

    @Test
    void intervalsWrapAroundZero() {
        Id lo = Id.fromHex("0000000000000000000000000000000000000010");
        Id mid = Id.fromHex("8000000000000000000000000000000000000000");
        Id hi = Id.fromHex("fffffffffffffffffffffffffffffffffffffff0");
        assertTrue(mid.inOpen(lo, hi));
        assertFalse(mid.inOpen(hi, lo));
        assertTrue(Id.ZERO.inOpen(hi, lo));
        assertFalse(lo.inOpen(lo, hi));
        assertFalse(hi.inOpen(lo, hi));
        assertTrue(hi.inHalfOpen(lo, hi));
        // (x, x) is everything but x; (x, x] is the whole ring.
        assertTrue(mid.inOpen(lo, lo));
        assertFalse(lo.inOpen(lo, lo));
        assertTrue(lo.inHalfOpen(lo, lo));
    }

    @Test
    void powersOfTwoAndHex() {
        for (int k = 0; k < 160; k++) {
            assertEquals(BigInteger.ONE.shiftLeft(k), big(Id.powerOfTwo(k)));
        }
        assertThrows(IllegalArgumentException.class, () -> Id.powerOfTwo(160));
        Id x = Id.hash("hello");
        assertEquals(x, Id.fromHex(x.toHex()));
        assertTrue(Id.isHex(x.toHex()));
        assertFalse(Id.isHex("hello"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Id.fromHex("abc"));
        assertTrue(e.getMessage().contains("got 3"), e.getMessage());
    }

    @Test
    void nodeIdsAreTheFirstTwentyBytesOfSha256OfIpAndVnode() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("127.0.0.2#3".getBytes(StandardCharsets.UTF_8));
        assertEquals(Id.fromBytes(digest, 0), Id.ofNode("127.0.0.2", 3));
        assertEquals(Id.fromBytes(digest, 0), NodeRef.of(new Endpoint("127.0.0.2", 7000), 3).id());
    }

    @Test
    void thePortPlaysNoPartAndEverySpellingOfAnAddressGivesTheSameIds() {
        Id id = NodeRef.of(new Endpoint("127.0.0.2", 7000), 1).id();
        assertEquals(id, NodeRef.of(new Endpoint("127.0.0.2", 7001), 1).id());
        assertEquals(id, NodeRef.of(new Endpoint("::ffff:127.0.0.2", 9), 1).id());
        assertNotEquals(id, NodeRef.of(new Endpoint("127.0.0.3", 7000), 1).id());
        Id v6 = NodeRef.of(new Endpoint("2001:db8::1", 7000), 0).id();
        assertEquals(v6, NodeRef.of(new Endpoint("2001:0db8:0:0:0:0:0:0001", 7000), 0).id());
        assertEquals(v6, NodeRef.of(new Endpoint("2001:DB8::1", 1), 0).id());
        assertEquals("127.0.0.2", new Endpoint("::ffff:127.0.0.2", 1).canonicalIp());
        assertNull(new Endpoint("localhost", 7000).canonicalIp());
        assertNull(new Endpoint("127.0.0.256", 7000).canonicalIp());
        assertNull(new Endpoint("example.org", 7000).canonicalIp());
    }

    @Test
    void checkedNodeRefsRefuseForgedIdsNamesAndVnodesOverTheLimit() {
        Endpoint e = new Endpoint("127.0.0.2", 7000);
        NodeRef good = NodeRef.of(e, 2);
        assertEquals(good, NodeRef.checked(good.id(), e, 2, 16));
        InvalidNodeException forged = assertThrows(InvalidNodeException.class,
                () -> NodeRef.checked(Id.hash("elsewhere"), e, 2, 16));
        assertTrue(forged.getMessage().contains("hashes to"), forged.getMessage());
        // the id of the old scheme, H(host:port#vnode), is refused like any other forged id
        assertThrows(InvalidNodeException.class, () -> NodeRef.checked(Id.hash("127.0.0.2:7000#2"), e, 2, 16));
        assertThrows(InvalidNodeException.class, () -> NodeRef.checked(NodeRef.of(e, 16).id(), e, 16, 16));
        Endpoint named = new Endpoint("node.example.org", 7000);
        InvalidNodeException name = assertThrows(InvalidNodeException.class,
                () -> NodeRef.checked(NodeRef.of(named, 0).id(), named, 0, 16));
        assertTrue(name.getMessage().contains("not at an IP address"), name.getMessage());
    }

    @Test
    void endpointsParseAndRefuseNonsense() {
        assertEquals(new Endpoint("127.0.0.1", 7000), Endpoint.parse("127.0.0.1:7000"));
        assertEquals(new Endpoint("::1", 7000), Endpoint.parse("[::1]:7000"));
        assertEquals("[::1]:7000", Endpoint.parse("[::1]:7000").toString());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("nohost"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("h:notaport"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("h:70000"));
    }
}
