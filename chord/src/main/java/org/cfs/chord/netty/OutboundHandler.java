package org.cfs.chord.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.cfs.chord.RemoteException;
import org.cfs.chord.TransportException;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives replies on a connection this host opened and completes the matching requests. When the
 * connection drops every request outstanding on it fails at once; a malformed reply closes it.
 */
final class OutboundHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OutboundHandler.class);

    private final PendingRequests pending;
    private String peer = "unknown peer";
    private boolean rejected;

    OutboundHandler(PendingRequests pending) {
        this.pending = pending;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        peer = Peers.describe(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            return;
        }
        boolean matched;
        long id;
        if (msg instanceof Frame.Response response) {
            id = response.requestId();
            matched = pending.complete(ctx.channel(), id, response.message());
        } else if (msg instanceof Frame.ErrorReply error) {
            id = error.requestId();
            matched = pending.fail(ctx.channel(), id,
                    new TransportException(new RemoteException(error.code(), error.text())));
        } else if (msg instanceof Malformed malformed) {
            reject(ctx, malformed.reason());
            return;
        } else {
            reject(ctx, "request frame on an outbound connection, which carries only replies");
            return;
        }
        if (!matched) {
            // Routine after a timeout: the reply lost the race and nobody waits for it any more.
            log.debug("reply from {} to request {} matches no outstanding request", peer, id);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        pending.failChannel(ctx.channel(), Reason.CLOSED, "connection to " + peer + " closed");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Peers.isRoutine(cause)) {
            log.debug("outbound connection to {} failed: {}", peer, cause.toString());
        } else {
            log.warn("closing outbound connection to {} after an unexpected error", peer, cause);
        }
        ctx.close();
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        rejected = true;
        log.warn("closing outbound connection to {}: {}", peer, reason);
        pending.failChannel(ctx.channel(), Reason.MALFORMED, "malformed reply from " + peer + ": " + reason);
        ctx.close();
    }
}
