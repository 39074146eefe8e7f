package org.cfs.chord.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;

/**
 * Writes one frame's fields in the wire encoding that {@link WireReader} reads back: big-endian
 * integers, raw ids, node entries, length-prefixed byte strings. Each method is the exact
 * mirror of the {@link WireReader} method of the same name.
 *
 * <p>Values that the format cannot carry are refused here with an {@link IllegalArgumentException}
 * rather than written in a form the receiver would reject, and the frame is capped at the frame
 * limit while it grows, so an oversized message fails before it is copied in full.
 */
public final class WireWriter {
    /** Bytes kept free beyond what a growth needs. */
    private static final int SLACK = 64;

    private final int maxFrameLength;
    private byte[] buf;
    private int size;

    /** A writer for one frame of at most {@code maxFrameLength} bytes after the length prefix. */
    WireWriter(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
        this.buf = new byte[256];
        this.size = FrameCodec.LENGTH_BYTES;
    }

    public WireWriter u8(int value) {
        checkRange(value, 0xff, "u8");
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    public WireWriter u16(int value) {
        checkRange(value, 0xffff, "u16");
        ensure(2);
        buf[size++] = (byte) (value >>> 8);
        buf[size++] = (byte) value;
        return this;
    }

    public WireWriter i32(int value) {
        ensure(4);
        putInt(size, value);
        size += 4;
        return this;
    }

    public WireWriter i64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    public WireWriter bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    public WireWriter id(Id id) {
        ensure(Id.BYTES);
        id.writeTo(buf, size);
        size += Id.BYTES;
        return this;
    }

    /** A node entry: id, host (u8 length, printable ASCII), port u16, vnode u16. */
    public WireWriter node(NodeRef node) {
        Endpoint endpoint = node.endpoint();
        if (!WireReader.isPrintableAscii(endpoint.host())) {
            throw new IllegalArgumentException("host '" + endpoint.host()
                    + "' of node " + node + " is not printable ASCII, so it cannot go on the wire");
        }
        byte[] host = endpoint.host().getBytes(StandardCharsets.US_ASCII);
        id(node.id());
        u8(host.length);
        ensure(host.length);
        System.arraycopy(host, 0, buf, size, host.length);
        size += host.length;
        u16(endpoint.port());
        return u16(node.vnode());
    }

    /** A presence byte, then the node entry if there is one. */
    public WireWriter optionalNode(NodeRef node) {
        bool(node != null);
        return node == null ? this : node(node);
    }

    /** A u16 count of at most {@link FrameCodec#MAX_NODES}, then the node entries. */
    public WireWriter nodes(List<NodeRef> nodes) {
        if (nodes.size() > FrameCodec.MAX_NODES) {
            throw new IllegalArgumentException("node list of " + nodes.size()
                    + " entries exceeds the " + FrameCodec.MAX_NODES + "-entry limit");
        }
        u16(nodes.size());
        for (NodeRef node : nodes) {
            node(node);
        }
        return this;
    }

    /** A u32 length, then the bytes. */
    public WireWriter bytes(byte[] bytes) {
        i32(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** A u16 length, then the UTF-8 bytes of {@code text}, which must fit in {@code maxBytes}. */
    public WireWriter utf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes || bytes.length > 0xffff) {
            throw new IllegalArgumentException("text of " + bytes.length
                    + " UTF-8 bytes exceeds the " + Math.min(maxBytes, 0xffff) + "-byte limit");
        }
        u16(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** The finished frame: the length prefix is filled in now that the length is known. */
    byte[] toFrame() {
        putInt(0, size - FrameCodec.LENGTH_BYTES);
        return Arrays.copyOf(buf, size);
    }

    private void putInt(int at, int value) {
        buf[at] = (byte) (value >>> 24);
        buf[at + 1] = (byte) (value >>> 16);
        buf[at + 2] = (byte) (value >>> 8);
        buf[at + 3] = (byte) value;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed - FrameCodec.LENGTH_BYTES > maxFrameLength) {
            throw new IllegalArgumentException("frame of at least " + (needed - FrameCodec.LENGTH_BYTES)
                    + " bytes exceeds the " + maxFrameLength + "-byte limit");
        }
        if (needed > buf.length) {
            // Room for the small fields that follow a large byte string, so a block is copied once.
            long grown = Math.max(needed + SLACK, 2L * buf.length);
            buf = Arrays.copyOf(buf, (int) Math.min(grown, (long) maxFrameLength + FrameCodec.LENGTH_BYTES));
        }
    }

    private static void checkRange(int value, int max, String what) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(value + " is outside the " + what + " range 0.." + max);
        }
    }
}
