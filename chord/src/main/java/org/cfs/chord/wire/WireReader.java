package org.cfs.chord.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.InvalidNodeException;
import org.cfs.chord.NodeRef;

/**
 * Reads one frame's fields from untrusted bytes, mirroring {@link WireWriter}. Every read first
 * checks that the bytes it needs remain, and every length or count is checked against both its
 * field's limit and the remaining bytes before anything is allocated for it, so no input can make
 * a decoder allocate more than a small multiple of the frame it came in.
 *
 * <p>Decoding is strict, so that a frame that decodes re-encodes to exactly the same bytes:
 * booleans and presence bytes are 0 or 1, hosts are printable ASCII, text is well-formed UTF-8,
 * and node entries must carry the id their address hashes to.
 */
public final class WireReader {
    /** Bytes of the shortest node entry: id, host length, a one-byte host, port, vnode. */
    static final int MIN_NODE_BYTES = Id.BYTES + 1 + 1 + 2 + 2;

    private final byte[] buf;
    private final int end;
    private final int maxVnodes;
    private int pos;
    private String context = "header";

    WireReader(byte[] buf, int offset, int length, int maxVnodes) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
        this.maxVnodes = maxVnodes;
    }

    /** Names the message being read, for error messages. */
    void context(String context) {
        this.context = context;
    }

    public int remaining() {
        return end - pos;
    }

    public int u8(String field) throws MalformedFrameException {
        need(field, 1);
        return buf[pos++] & 0xff;
    }

    public int u16(String field) throws MalformedFrameException {
        need(field, 2);
        int value = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return value;
    }

    public int i32(String field) throws MalformedFrameException {
        need(field, 4);
        int value = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
                | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return value;
    }

    public long i64(String field) throws MalformedFrameException {
        need(field, 8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (buf[pos++] & 0xff);
        }
        return value;
    }

    public boolean bool(String field) throws MalformedFrameException {
        int b = u8(field);
        if (b > 1) {
            throw malformed(field, "boolean byte " + b + " is neither 0 nor 1");
        }
        return b == 1;
    }

    public Id id(String field) throws MalformedFrameException {
        need(field, Id.BYTES);
        Id id = Id.fromBytes(buf, pos);
        pos += Id.BYTES;
        return id;
    }

    /** A node entry, vetted: its id must be the hash of its address and its vnode index in range. */
    public NodeRef node(String field) throws MalformedFrameException {
        return node(field, -1);
    }

    /** A presence byte (0 or 1), then a node entry if present; null if absent. */
    public NodeRef optionalNode(String field) throws MalformedFrameException {
        return bool(field) ? node(field, -1) : null;
    }

    /** A u16 count of at most {@link FrameCodec#MAX_NODES}, then that many vetted node entries. */
    public List<NodeRef> nodes(String field) throws MalformedFrameException {
        int count = u16(field);
        if (count > FrameCodec.MAX_NODES) {
            throw malformed(field, "node list of " + count + " entries exceeds the "
                    + FrameCodec.MAX_NODES + "-entry limit");
        }
        if ((long) count * MIN_NODE_BYTES > remaining()) {
            throw malformed(field, "node list of " + count + " entries needs at least "
                    + count * MIN_NODE_BYTES + " bytes but only " + remaining() + " remain");
        }
        List<NodeRef> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(node(field, i));
        }
        return nodes;
    }

    /** A u32 length of at most {@code maxBytes}, then that many bytes. */
    public byte[] bytes(String field, int maxBytes) throws MalformedFrameException {
        long length = Integer.toUnsignedLong(i32(field));
        if (length > maxBytes) {
            throw malformed(field, "byte string of " + length + " bytes exceeds the "
                    + maxBytes + "-byte limit");
        }
        need(field, length);
        byte[] out = new byte[(int) length];
        System.arraycopy(buf, pos, out, 0, out.length);
        pos += out.length;
        return out;
    }

    /** A u16 length of at most {@code maxBytes}, then that many bytes of well-formed UTF-8. */
    public String utf8(String field, int maxBytes) throws MalformedFrameException {
        int length = u16(field);
        if (length > maxBytes) {
            throw malformed(field, "text of " + length + " bytes exceeds the " + maxBytes + "-byte limit");
        }
        need(field, length);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, pos, length))
                    .toString();
            pos += length;
            return text;
        } catch (CharacterCodingException e) {
            throw malformed(field, "text is not well-formed UTF-8");
        }
    }

    /** Fails if any bytes follow the message: a frame holds exactly one message. */
    public void expectEnd() throws MalformedFrameException {
        if (pos != end) {
            throw new MalformedFrameException(context + ": " + remaining()
                    + " trailing bytes after the message");
        }
    }

    private NodeRef node(String field, int index) throws MalformedFrameException {
        Id claimed = id(field);
        int hostLength = u8(field);
        if (hostLength == 0) {
            throw malformed(entry(field, index), "node entry has an empty host");
        }
        need(field, hostLength);
        for (int i = pos; i < pos + hostLength; i++) {
            if (!isPrintableAscii(buf[i])) {
                throw malformed(entry(field, index), "host byte 0x"
                        + Integer.toHexString(buf[i] & 0xff) + " is not printable ASCII");
            }
        }
        String host = new String(buf, pos, hostLength, StandardCharsets.US_ASCII);
        pos += hostLength;
        int port = u16(field);
        int vnode = u16(field);
        try {
            return NodeRef.checked(claimed, new Endpoint(host, port), vnode, maxVnodes);
        } catch (InvalidNodeException e) {
            throw malformed(entry(field, index), e.getMessage());
        }
    }

    private void need(String field, long bytes) throws MalformedFrameException {
        if (bytes > remaining()) {
            throw malformed(field, "truncated: needs " + bytes + " bytes but only " + remaining() + " remain");
        }
    }

    private MalformedFrameException malformed(String field, String detail) {
        return new MalformedFrameException(context + "." + field + ": " + detail);
    }

    private static String entry(String field, int index) {
        return index < 0 ? field : field + "[" + index + "]";
    }

    static boolean isPrintableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7e || !isPrintableAscii((byte) c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrintableAscii(byte b) {
        return b >= 0x21 && b <= 0x7e;
    }
}
