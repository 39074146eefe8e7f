package org.cfs.chord.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} over TCP with Netty: one multiplexed outbound connection per peer endpoint,
 * replies matched to requests by id, a timer per request, and replies to incoming requests sent
 * back on the connection they arrived on. The frame format is {@link FrameCodec}'s.
 *
 * <p>Failures map to {@link TransportException} reasons: no reply in time is TIMEOUT, a failed
 * connect UNREACHABLE, a dropped connection or a closed transport CLOSED, a bad reply MALFORMED,
 * and an error reply REMOTE. A peer sending bad bytes loses its connection, with one WARN line
 * saying why; nothing else is affected.
 */
public final class NettyTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
    private static final Endpoint NO_LISTENER = new Endpoint("0.0.0.0", 0);
    /** How long {@link #close()} waits for the event loops to finish. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final FrameCodec codec;
    private final IoBackend backend;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final PendingRequests pending = new PendingRequests();
    private final ConcurrentMap<Endpoint, CompletableFuture<Channel>> outbound = new ConcurrentHashMap<>();
    private final Set<Channel> inbound = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel server;
    private final Endpoint local;
    private final String localHost;

    /** Settings; {@link #defaults()} then the {@code with} methods. */
    public record Options(int maxFrameLength, Duration connectTimeout, int ioThreads, boolean useEpoll,
            int maxVnodes, String localHost) {

        /**
         * @param maxFrameLength largest frame accepted or sent, in bytes after the length prefix
         * @param connectTimeout how long to try to open a connection before the peer is UNREACHABLE
         * @param ioThreads event-loop threads for all of this transport's sockets
         * @param useEpoll use Linux epoll (fails at bind where it is unavailable); else NIO
         * @param maxVnodes node entries from peers must have a vnode index below this
         * @param localHost the local address outgoing connections are made from (peers count
         *     quotas and turns by it), or null for the listening address when that is a specific
         *     IP (so a node's requests come from the address its ids are made of), else the one
         *     the kernel picks
         */
        public Options {
            if (maxFrameLength < FrameCodec.MIN_MAX_FRAME
                    || maxFrameLength > Integer.MAX_VALUE - FrameCodec.LENGTH_BYTES) {
                throw new IllegalArgumentException("maxFrameLength " + maxFrameLength + " is outside "
                        + FrameCodec.MIN_MAX_FRAME + ".." + (Integer.MAX_VALUE - FrameCodec.LENGTH_BYTES));
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            if (connectTimeout.isNegative() || connectTimeout.isZero()
                    || connectTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException("connectTimeout " + connectTimeout
                        + " is not between 1 ms and " + Integer.MAX_VALUE + " ms");
            }
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads " + ioThreads + " is below 1");
            }
            if (maxVnodes < 1 || maxVnodes > 0x10000) {
                throw new IllegalArgumentException("maxVnodes " + maxVnodes + " is outside 1..65536");
            }
        }

        /** 4 MiB + 1 KiB frames, 5 s connect timeout, one I/O thread, epoll if it loads, 16 vnodes. */
        public static Options defaults() {
            return new Options(FrameCodec.DEFAULT_MAX_FRAME, Duration.ofSeconds(5), 1, Epoll.isAvailable(),
                    FrameCodec.DEFAULT_MAX_VNODES, null);
        }

        public Options withMaxFrameLength(int value) {
            return new Options(value, connectTimeout, ioThreads, useEpoll, maxVnodes, localHost);
        }

        public Options withConnectTimeout(Duration value) {
            return new Options(maxFrameLength, value, ioThreads, useEpoll, maxVnodes, localHost);
        }

        public Options withIoThreads(int value) {
            return new Options(maxFrameLength, connectTimeout, value, useEpoll, maxVnodes, localHost);
        }

        public Options withUseEpoll(boolean value) {
            return new Options(maxFrameLength, connectTimeout, ioThreads, value, maxVnodes, localHost);
        }

        public Options withMaxVnodes(int value) {
            return new Options(maxFrameLength, connectTimeout, ioThreads, useEpoll, value, localHost);
        }

        public Options withLocalHost(String value) {
            return new Options(maxFrameLength, connectTimeout, ioThreads, useEpoll, maxVnodes, value);
        }
    }

    /**
     * A transport listening on {@code listen} (port 0 picks a free port, which {@link #local()}
     * then reports under the host as given) that answers requests with {@code handler}.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static NettyTransport bind(Endpoint listen, MessageRegistry registry, RequestHandler handler,
            Options options) {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(handler, "handler");
        return new NettyTransport(listen, registry, handler, options);
    }

    /** The listening address when it is a specific IP, which outgoing connections then come from. */
    private static String sourceFor(Endpoint listen) {
        String ip = listen == null ? null : listen.canonicalIp();
        if (ip == null) {
            return null;
        }
        try {
            return InetAddress.getByName(ip).isAnyLocalAddress() ? null : ip;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** A transport that only sends requests, for command-line tools; {@link #local()} is 0.0.0.0:0. */
    public static NettyTransport client(MessageRegistry registry, Options options) {
        return new NettyTransport(null, registry, null, options);
    }

    private NettyTransport(Endpoint listen, MessageRegistry registry, RequestHandler handler, Options options) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(options, "options");
        this.codec = new FrameCodec(registry, options.maxFrameLength(), options.maxVnodes());
        this.localHost = options.localHost() != null ? options.localHost() : sourceFor(listen);
        this.backend = IoBackend.choose(options.useEpoll());
        NettyThreads threads = new NettyThreads(listen == null ? "client" : String.valueOf(listen.port()));
        this.group = backend.newGroup(options.ioThreads(), threads);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(backend.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(codec), new OutboundHandler(pending));
                    }
                });
        if (listen == null) {
            this.server = null;
            this.local = NO_LISTENER;
            log.debug("client transport started ({})", describe(options));
            return;
        }
        this.server = listen(listen, handler);
        this.local = new Endpoint(listen.host(), ((InetSocketAddress) server.localAddress()).getPort());
        threads.relabel(String.valueOf(local.port()));
        log.info("listening on {} ({})", local, describe(options));
    }

    private Channel listen(Endpoint listen, RequestHandler handler) {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(backend.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        inbound.add(ch);
                        ch.closeFuture().addListener(f -> inbound.remove(ch));
                        ch.pipeline().addLast(new FrameDecoder(codec), new InboundHandler(codec, handler));
                    }
                })
                .bind(listen.host(), listen.port())
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(CLOSE_WAIT.toMillis());
            Throwable cause = bound.cause();
            String message = bindFailure(listen, cause);
            throw new UncheckedIOException(message,
                    cause instanceof IOException io ? io : new IOException(message, cause));
        }
        return bound.channel();
    }

    private String describe(Options options) {
        return backend + ", " + options.ioThreads() + " I/O thread(s), frames up to " + options.maxFrameLength()
                + " bytes, connect timeout " + options.connectTimeout().toMillis() + " ms, vnode indexes below "
                + options.maxVnodes();
    }

    @Override
    public Endpoint local() {
        return local;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code request}'s class is not in the registry or it does
     *     not fit in a frame: the caller's bug, reported at once rather than through the future
     */
    @Override
    public CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " is not positive");
        }
        long id = pending.nextId();
        byte[] frame = codec.encode(new Frame.Request(id, request));
        if (closed.get()) {
            return CompletableFuture.failedFuture(new TransportException(Reason.CLOSED, "transport is closed"));
        }
        PendingRequests.Pending p = pending.open(id, to, timeout, group.next());
        if (closed.get()) {
            // close() may have swept the pending requests just before this one was added.
            p.fail(Reason.CLOSED, "transport is closed");
        } else {
            dispatch(p, frame, true);
        }
        return p.future;
    }

    private void dispatch(PendingRequests.Pending p, byte[] frame, boolean mayRetry) {
        CompletableFuture<Channel> connection = connection(p.peer);
        connection.whenComplete((channel, failure) -> {
            if (failure != null) {
                p.fail(Reason.UNREACHABLE, connectFailure(p.peer, failure));
                return;
            }
            EventLoop loop = channel.eventLoop();
            if (loop.inEventLoop()) {
                write(p, channel, connection, frame, mayRetry);
            } else {
                try {
                    loop.execute(() -> write(p, channel, connection, frame, mayRetry));
                } catch (RejectedExecutionException e) {
                    p.fail(Reason.CLOSED, "transport is closed");
                }
            }
        });
    }

    /** Runs on the connection's event loop, so it is ordered with the connection's close. */
    private void write(PendingRequests.Pending p, Channel channel, CompletableFuture<Channel> connection,
            byte[] frame, boolean mayRetry) {
        if (p.future.isDone()) {
            return;
        }
        if (!channel.isActive()) {
            // The cached connection died before we noticed; nothing was sent, so one retry is safe.
            outbound.remove(p.peer, connection);
            if (mayRetry && !closed.get()) {
                dispatch(p, frame, false);
            } else {
                p.fail(Reason.CLOSED, "connection to " + p.peer + " closed before request " + p.id + " was sent");
            }
            return;
        }
        p.channel = channel;
        channel.writeAndFlush(Unpooled.wrappedBuffer(frame)).addListener(f -> {
            if (!f.isSuccess()) {
                p.fail(Reason.CLOSED, "sending request " + p.id + " to " + p.peer + " failed: " + f.cause());
            }
        });
    }

    /** The connection to {@code to}, opening it if there is none; concurrent callers share one. */
    /** Why listening on {@code listen} failed, for a person, in the two common cases' own words. */
    static String bindFailure(Endpoint listen, Throwable cause) {
        String message = Objects.toString(cause.getMessage(), cause.getClass().getSimpleName());
        if (message.contains("Address already in use")) {
            return "cannot listen on " + listen + ": another process is using that port";
        }
        if (message.contains("Cannot assign requested address")) {
            return "cannot listen on " + listen + ": " + listen.host() + " is not an address of this machine";
        }
        return "cannot listen on " + listen + ": " + message;
    }

    /**
     * Why a connection to {@code peer} failed, for a person. A refusal gets its own words because it
     * is the common case (nothing listens at that address) and Netty's text for it is syscall noise.
     */
    static String connectFailure(Endpoint peer, Throwable failure) {
        String message = Objects.toString(failure.getMessage(), failure.getClass().getSimpleName());
        if (failure instanceof ConnectException && message.contains("Connection refused")) {
            return peer + " refused the connection";
        }
        return "cannot connect to " + peer + ": " + message;
    }

    private CompletableFuture<Channel> connection(Endpoint to) {
        CompletableFuture<Channel> existing = outbound.get(to);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<Channel> fresh = new CompletableFuture<>();
        existing = outbound.putIfAbsent(to, fresh);
        if (existing != null) {
            return existing;
        }
        ChannelFuture connect = localHost == null ? bootstrap.connect(to.host(), to.port())
                : bootstrap.connect(new InetSocketAddress(to.host(), to.port()), new InetSocketAddress(localHost, 0));
        connect.channel().closeFuture().addListener(f -> outbound.remove(to, fresh));
        connect.addListener(f -> {
            if (f.isSuccess()) {
                fresh.complete(connect.channel());
            } else {
                outbound.remove(to, fresh);
                fresh.completeExceptionally(f.cause());
            }
        });
        return fresh;
    }

    /** Closes the listener and every connection, fails outstanding requests, stops the threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean calledFromEventLoop = false;
        for (EventExecutor executor : group) {
            calledFromEventLoop |= executor.inEventLoop();
        }
        List<ChannelFuture> closing = new ArrayList<>();
        if (server != null) {
            closing.add(server.close());
        }
        inbound.forEach(ch -> closing.add(ch.close()));
        outbound.values().forEach(connection -> connection.thenAccept(Channel::close));
        pending.failAll(Reason.CLOSED, "transport on " + local + " closed");
        // Let the channels finish closing (and notify their listeners) before the loops stop,
        // or Netty logs every listener it can no longer run.
        if (!calledFromEventLoop) {
            for (ChannelFuture f : closing) {
                f.awaitUninterruptibly(CLOSE_WAIT.toMillis());
            }
        }
        var terminated = group.shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        // An event-loop thread cannot wait for its own termination; it ends once this task returns.
        if (!calledFromEventLoop && !terminated.awaitUninterruptibly(CLOSE_WAIT.toMillis() + 1000)) {
            log.warn("event loops of the transport on {} did not stop within {} ms", local, CLOSE_WAIT.toMillis());
        }
        log.debug("transport on {} closed", local);
    }

    /** Requests this transport sent that got no reply within their timeout, since it started. */
    public long timeouts() {
        return pending.timeouts();
    }

    /** Requests awaiting a reply; for tests. */
    int outstandingRequests() {
        return pending.size();
    }

    /** Open connections that peers made to this transport; for tests. */
    int inboundConnections() {
        return inbound.size();
    }

    /** Connections this transport opened or is opening; for tests. */
    int outboundConnections() {
        return outbound.size();
    }

    IoBackend backend() {
        return backend;
    }

    @Override
    public String toString() {
        return "NettyTransport[" + local + (closed.get() ? ", closed" : "") + "]";
    }
}
