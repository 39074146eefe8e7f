package org.cfs.chord.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.MalformedFrameException;

/**
 * Cuts a connection's byte stream into frames and decodes them. The length prefix is checked
 * before the frame is buffered, so an oversized length is refused after 4 bytes, not 4 GiB. After
 * the first bad frame it emits one {@link Malformed} and discards everything that follows.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final FrameCodec codec;
    private boolean failed;

    FrameDecoder(FrameCodec codec) {
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameCodec.LENGTH_BYTES) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        try {
            codec.checkLength(length);
            if (in.readableBytes() - FrameCodec.LENGTH_BYTES < length) {
                return;
            }
            in.skipBytes(FrameCodec.LENGTH_BYTES);
            byte[] body = new byte[(int) length];
            in.readBytes(body);
            out.add(codec.decodeBody(body, 0, body.length));
        } catch (MalformedFrameException e) {
            fail(in, out, e.getMessage());
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            fail(in, out, "connection closed inside a frame, " + in.readableBytes() + " bytes into it");
        }
    }

    private void fail(ByteBuf in, List<Object> out, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new Malformed(reason));
    }
}
