package org.cfs.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: takes requests one at a time (pipelined ones wait, a few deep), has each
 * resolved on a worker thread, and writes the reply; socket reads are off while a request is
 * being answered. Event loop only, except where a worker hands its result back.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
    /** Requests sent ahead of their replies that are kept; a client that sends more is cut off. */
    static final int MAX_PIPELINED = 16;

    private final Resolver resolver;
    private final Executor workers;
    private final GatewayMeters meters;
    private final ArrayDeque<HttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;
    private BodyPump pump;
    /** When the request being answered was taken up, and the status it is getting. */
    private long startedNanos;
    private int status;

    GatewayHandler(Resolver resolver, Executor workers, GatewayMeters meters) {
        this.resolver = resolver;
        this.workers = workers;
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                if (request.decoderResult().isFailure()) {
                    refuse(ctx, request.decoderResult().cause());
                } else if (waiting.size() >= MAX_PIPELINED) {
                    ctx.close();
                } else {
                    waiting.add(request);
                    next(ctx);
                }
            }
            // Request bodies (HttpContent) mean nothing to a GET or HEAD; they are dropped.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A request the codec could not parse: say why, then close, since the stream is lost. */
    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
        waiting.clear();
        busy = true;
        Reply.Whole reply = (Reply.Whole) Resolver.error(status, "bad request: " + cause.getMessage());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(reply.body()), reply.headers(), EmptyHttpHeaders.INSTANCE);
        HttpUtil.setContentLength(response, reply.body().length);
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(f -> ctx.close());
    }

    private void next(ChannelHandlerContext ctx) {
        if (busy || waiting.isEmpty()) {
            return;
        }
        HttpRequest request = waiting.poll();
        busy = true;
        startedNanos = System.nanoTime();
        ctx.channel().config().setAutoRead(false);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            Reply reply = Resolver.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed: the gateway is read-only (GET, HEAD)");
            reply.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            respond(ctx, request, reply, keepAlive);
            return;
        }
        try {
            workers.execute(() -> {
                Reply reply = resolver.resolve(request);
                ctx.executor().execute(() -> respond(ctx, request, reply, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            respond(ctx, request, Resolver.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "the gateway is busy; try again"), false);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request, Reply reply, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        status = reply.status().code();
        if (reply instanceof Reply.Whole whole) {
            byte[] body = whole.body();
            meters.sent(head ? 0 : body.length);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, whole.status(),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body), whole.headers(), EmptyHttpHeaders.INSTANCE);
            if (whole.status() != HttpResponseStatus.NOT_MODIFIED) {
                HttpUtil.setContentLength(response, body.length);
            }
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(f -> done(ctx, f, keepAlive));
            return;
        }
        Reply.Content content = (Reply.Content) reply;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, content.status(), content.headers());
        HttpUtil.setContentLength(response, content.length());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (head || content.length() == 0) {
            ctx.write(response);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> done(ctx, f, keepAlive));
            return;
        }
        ctx.write(response);
        pump = new BodyPump(ctx, content.file(), content.from(), content.length(), workers,
                f -> done(ctx, f, keepAlive), request.uri(), meters);
        pump.start();
    }

    private void done(ChannelHandlerContext ctx, io.netty.util.concurrent.Future<? super Void> written,
            boolean keepAlive) {
        meters.answered(status, System.nanoTime() - startedNanos);
        busy = false;
        pump = null;
        if (!written.isSuccess() || !keepAlive) {
            ctx.close();
            return;
        }
        if (!waiting.isEmpty()) {
            next(ctx);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (pump != null && ctx.channel().isWritable()) {
            pump.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pump != null) {
            pump.cancel();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        // Idle between requests (or stuck in a request's headers): the connection is not worth keeping.
        if (event instanceof IdleStateEvent && !busy) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("gateway connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        if (pump != null) {
            pump.cancel();
        }
        ctx.close();
    }
}
