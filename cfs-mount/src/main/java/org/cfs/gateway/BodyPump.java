package org.cfs.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.fs.FileContent;
import org.cfs.fs.VolumeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams part of a file to one client: a worker thread reads the next {@link #PIECE} (with
 * {@link #AHEAD} bytes fetched ahead of it), the event loop writes it, and the next piece is read
 * only once the socket takes more. A client that stops reading holds no thread and at most the
 * piece, the chunks fetched ahead and the channel's write buffer. A read that fails after the
 * headers went out closes the connection, so the client sees a short body, never wrong bytes.
 */
final class BodyPump {
    private static final Logger log = LoggerFactory.getLogger(BodyPump.class);
    /** Bytes read and written at a time. */
    static final int PIECE = 256 << 10;
    /** Bytes kept fetched or on their way ahead of the piece being read. */
    static final long AHEAD = 4L << 20;

    private final ChannelHandlerContext ctx;
    private final FileContent file;
    private final long end;
    private final Executor workers;
    private final ChannelFutureListener onLast;
    private final String where;
    private final GatewayMeters meters;
    // Read and written by one thread at a time, handed between worker and event loop by execute().
    private long pos;
    private long fetchedTo;
    // Event loop only.
    private boolean reading;
    private boolean paused;
    private volatile boolean cancelled;

    BodyPump(ChannelHandlerContext ctx, FileContent file, long from, long length, Executor workers,
            ChannelFutureListener onLast, String where, GatewayMeters meters) {
        this.ctx = ctx;
        this.file = file;
        this.pos = from;
        this.fetchedTo = from;
        this.end = from + length;
        this.workers = workers;
        this.onLast = onLast;
        this.where = where;
        this.meters = meters;
    }

    /** Starts the first read; call on the event loop after writing the response's head. */
    void start() {
        next();
    }

    /** The channel can take more: go on if it was waiting for that. Event loop. */
    void writable() {
        if (paused && !reading && !cancelled) {
            paused = false;
            next();
        }
    }

    /** The client went away: read nothing more. */
    void cancel() {
        cancelled = true;
    }

    private void next() {
        reading = true;
        try {
            workers.execute(this::readPiece);
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    private void readPiece() {
        if (cancelled) {
            return;
        }
        try {
            int n = (int) Math.min(PIECE, end - pos);
            if (fetchedTo - pos < AHEAD / 2) {
                long from = Math.max(fetchedTo, pos);
                fetchedTo = Math.min(end, pos + AHEAD);
                file.prefetch(from, fetchedTo);
            }
            byte[] piece = new byte[n];
            int got = 0;
            while (got < n) {
                int r = file.read(pos + got, piece, got, n - got);
                if (r <= 0) {
                    throw new VolumeException(VolumeException.Kind.CORRUPT, where + ": the file ends at "
                            + (pos + got) + " bytes, before its size");
                }
                got += r;
            }
            ctx.executor().execute(() -> write(piece));
        } catch (VolumeException | RuntimeException e) {
            ctx.executor().execute(() -> fail(e));
        }
    }

    private void write(byte[] piece) {
        reading = false;
        if (cancelled) {
            return;
        }
        pos += piece.length;
        meters.sent(piece.length);
        if (pos >= end) {
            ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(piece))).addListener(onLast);
            return;
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(piece)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (ctx.channel().isWritable()) {
            next();
        } else {
            paused = true;
        }
    }

    private void fail(Exception e) {
        reading = false;
        if (!cancelled) {
            log.warn("{}: {}; closing the connection at byte {} of {}", where, e.getMessage(), pos, end);
            ctx.close();
        }
    }
}
