package org.cfs.chord.wire;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes frames to bytes and decodes them back, checking everything on the way in.
 *
 * <h2>Wire format, version 1</h2>
 * A connection is a TCP byte stream of frames. All integers are unsigned big-endian unless
 * marked signed.
 * <pre>
 * frame    = length:u32  version:u8  kind:u8  type:u16  requestId:u64  body
 *            length counts the bytes after itself: 12 header bytes plus the body. It must be at
 *            least 12 and at most the frame limit (default 4 MiB + 1 KiB = 4195328), or the
 *            connection is closed before the body is read.
 * version  = 1
 * kind     = 0 REQUEST | 1 RESPONSE | 2 ERROR
 * type     = message type number from the MessageRegistry (Chord: 1..9); 0 in ERROR frames
 * requestId= chosen by the requester, unique among its outstanding requests on the connection;
 *            a RESPONSE or ERROR carries the id of the request it answers
 * body     = REQUEST, RESPONSE: the message, encoded by its type's codec, exactly filling the frame
 *            ERROR: code:i32 (signed) then text:string16 of at most 1024 bytes
 *
 * Field encodings used by message bodies:
 * u16/i32/i64 big-endian; bool = u8 0 or 1 (anything else is malformed)
 * id       = 20 raw bytes, most significant first
 * node     = id:id  hostLength:u8 (1..255)  host:printable ASCII (0x21..0x7e)  port:u16  vnode:u16
 *            the id must equal H("host:port#vnode") and vnode must be below the receiver's
 *            vnodes-per-host limit (default 16), or the frame is malformed
 * node?    = present:bool, then a node if present
 * node[]   = count:u16 (at most 1024), then count nodes
 * bytes32  = length:u32, then length bytes (bounded by the frame)
 * string16 = length:u16, then length bytes of well-formed UTF-8
 *
 * Chord's messages (fields in order):
 *  1 Ping          target:u16
 *  2 Ack           (empty)
 *  3 GetNeighbours target:u16
 *  4 Neighbours    self:node  predecessor:node?  successors:node[]
 *  5 Notify        target:u16  candidate:node          (reply: Neighbours)
 *  6 FindStep      target:u16  key:id  max:u16
 *  7 StepReply     done:bool  closer:node[]  successors:node[]  holds:bool
 *  8 Leave         target:u16  leaving:node  predecessor:node?  successors:node[]
 *  9 Route         target:u16  key:id  payload:bytes32  last:bool  hops:u16
 * </pre>
 * Decoding is strict: a frame that decodes re-encodes to the same bytes, and anything else
 * (bad version, kind or type, a length or count over its limit or past the end, a node whose id
 * does not match its address, trailing bytes) is a {@link MalformedFrameException}.
 */
public final class FrameCodec {
    public static final int VERSION = 1;
    /** Bytes of the length prefix. */
    public static final int LENGTH_BYTES = 4;
    /** Bytes of version, kind, type and request id, which every frame has after its length. */
    public static final int HEADER_BYTES = 1 + 1 + 2 + 8;
    /** Default frame limit: a 4 MiB payload plus room for the header and the message's fields. */
    public static final int DEFAULT_MAX_FRAME = 4 * 1024 * 1024 + 1024;
    /** Smallest frame limit accepted: an error reply with the longest text must always fit. */
    public static final int MIN_MAX_FRAME = 2048;
    /** Default bound on vnode indexes in node entries (vnodes per host). */
    public static final int DEFAULT_MAX_VNODES = 16;
    /** Most entries in one node list. */
    public static final int MAX_NODES = 1024;
    /** Most UTF-8 bytes of an error reply's text; longer text is cut when encoding. */
    public static final int MAX_ERROR_TEXT_BYTES = 1024;

    private final MessageRegistry registry;
    private final int maxFrameLength;
    private final int maxVnodes;

    /**
     * @param maxFrameLength largest accepted value of the length prefix, in bytes
     * @param maxVnodes node entries must have a vnode index below this
     */
    public FrameCodec(MessageRegistry registry, int maxFrameLength, int maxVnodes) {
        Objects.requireNonNull(registry, "registry");
        if (maxFrameLength < MIN_MAX_FRAME || maxFrameLength > Integer.MAX_VALUE - LENGTH_BYTES) {
            throw new IllegalArgumentException("frame limit " + maxFrameLength + " is outside "
                    + MIN_MAX_FRAME + ".." + (Integer.MAX_VALUE - LENGTH_BYTES));
        }
        if (maxVnodes < 1 || maxVnodes > 0x10000) {
            throw new IllegalArgumentException("vnode limit " + maxVnodes + " is outside 1..65536");
        }
        this.registry = registry;
        this.maxFrameLength = maxFrameLength;
        this.maxVnodes = maxVnodes;
    }

    /** A codec with the default frame and vnode limits. */
    public FrameCodec(MessageRegistry registry) {
        this(registry, DEFAULT_MAX_FRAME, DEFAULT_MAX_VNODES);
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * The frame's bytes, length prefix included. Throws {@link IllegalArgumentException} for a
     * message whose class is not registered, a field the format cannot carry, or a frame over
     * the limit: these are the sender's bugs, not the network's.
     */
    public byte[] encode(Frame frame) {
        WireWriter out = new WireWriter(maxFrameLength);
        out.u8(VERSION).u8(frame.kind().code());
        if (frame instanceof Frame.ErrorReply error) {
            out.u16(0).i64(error.requestId()).i32(error.code())
                    .utf8(truncateUtf8(error.text(), MAX_ERROR_TEXT_BYTES), MAX_ERROR_TEXT_BYTES);
        } else {
            Message message = frame instanceof Frame.Request request
                    ? request.message() : ((Frame.Response) frame).message();
            MessageCodec<?> codec = registry.codecFor(message);
            out.u16(codec.type()).i64(frame.requestId());
            encodeWith(codec, message, out);
        }
        return out.toFrame();
    }

    /** Checks a length prefix (read as unsigned) before any of the frame it announces is read. */
    public void checkLength(long length) throws MalformedFrameException {
        if (length < HEADER_BYTES) {
            throw new MalformedFrameException("frame of " + length + " bytes is shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        if (length > maxFrameLength) {
            throw new MalformedFrameException("frame of " + length + " bytes exceeds the "
                    + maxFrameLength + "-byte limit");
        }
    }

    /** Decodes exactly one frame, length prefix included, from {@code bytes}. */
    public Frame decode(byte[] bytes) throws MalformedFrameException {
        if (bytes.length < LENGTH_BYTES) {
            throw new MalformedFrameException("truncated length prefix: " + bytes.length + " of "
                    + LENGTH_BYTES + " bytes");
        }
        long length = Integer.toUnsignedLong(((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16)
                | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
        checkLength(length);
        long present = bytes.length - LENGTH_BYTES;
        if (present < length) {
            throw new MalformedFrameException("truncated frame: " + length + " bytes announced, "
                    + present + " present");
        }
        if (present > length) {
            throw new MalformedFrameException((present - length) + " trailing bytes after a frame of "
                    + length + " bytes");
        }
        return decodeBody(bytes, LENGTH_BYTES, (int) length);
    }

    /** Decodes the {@code length} bytes that followed a length prefix. */
    public Frame decodeBody(byte[] bytes, int offset, int length) throws MalformedFrameException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        checkLength(length);
        WireReader in = new WireReader(bytes, offset, length, maxVnodes);
        int version = in.u8("version");
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported frame version " + version
                    + " (this node speaks " + VERSION + ")");
        }
        int kindCode = in.u8("kind");
        Frame.Kind kind = Frame.Kind.of(kindCode);
        if (kind == null) {
            throw new MalformedFrameException("unknown frame kind " + kindCode);
        }
        int type = in.u16("type");
        long requestId = in.i64("requestId");
        return switch (kind) {
            case REQUEST -> new Frame.Request(requestId, decodeMessage(type, in));
            case RESPONSE -> new Frame.Response(requestId, decodeMessage(type, in));
            case ERROR -> decodeError(type, requestId, in);
        };
    }

    private Message decodeMessage(int type, WireReader in) throws MalformedFrameException {
        MessageCodec<?> codec = registry.codec(type);
        if (codec == null) {
            throw new MalformedFrameException("unknown message type " + type);
        }
        String name = codec.messageClass().getSimpleName();
        in.context(name);
        Message message;
        try {
            message = codec.decode(in);
        } catch (IllegalArgumentException e) {
            // A message's constructor refusing decoded values is the sender's fault, not ours.
            throw new MalformedFrameException(name + ": " + e.getMessage());
        }
        in.expectEnd();
        return message;
    }

    private static Frame decodeError(int type, long requestId, WireReader in) throws MalformedFrameException {
        if (type != 0) {
            throw new MalformedFrameException("error frame with message type " + type + " (must be 0)");
        }
        in.context("error");
        int code = in.i32("code");
        String text = in.utf8("text", MAX_ERROR_TEXT_BYTES);
        in.expectEnd();
        return new Frame.ErrorReply(requestId, code, text);
    }

    private static <M extends Message> void encodeWith(MessageCodec<M> codec, Message message, WireWriter out) {
        codec.encode(codec.messageClass().cast(message), out);
    }

    /** {@code text} cut to at most {@code maxBytes} of UTF-8, never inside a character. */
    static String truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int cut = maxBytes;
        while (cut > 0 && (bytes[cut] & 0xc0) == 0x80) {
            cut--;
        }
        return new String(bytes, 0, cut, StandardCharsets.UTF_8);
    }
}
