package org.cfs.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.cfs.chord.Id;
import org.cfs.fs.VolumeSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway, listening: {@link #start} binds and returns once it serves, {@link #close}
 * stops listening, closes every connection and waits for the threads. What it serves is in the
 * package comment.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** Longest request line and all headers together that are read; more is 414 or 431. */
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 16384;
    /** Requests waiting for a worker beyond which new ones get 503. */
    static final int QUEUE = 1024;
    /** Write buffer marks per connection: a body is not read further while more than the high is unsent. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    /**
     * How the gateway runs.
     *
     * @param refresh how often a volume's newest version is looked up again (and its max-age)
     * @param threads workers that resolve requests and read files
     * @param maxConnections connections served at once; more are closed as they come
     * @param idleTimeout a connection with no request in progress for this long is closed
     * @param writeTimeout a write the client does not take within this is the end of its connection
     */
    public record Settings(Duration refresh, int threads, int maxConnections, Duration idleTimeout,
            Duration writeTimeout) {
        public Settings {
            Objects.requireNonNull(refresh, "refresh");
            if (threads < 1 || maxConnections < 1) {
                throw new IllegalArgumentException("threads and maxConnections must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), 32, 4096, Duration.ofSeconds(30), Duration.ofSeconds(60));
        }

        public Settings withRefresh(Duration d) {
            return new Settings(d, threads, maxConnections, idleTimeout, writeTimeout);
        }
    }

    /**
     * Pages a host serves beside the volumes (a node's status page), by request path; asked on a
     * worker thread for any path outside {@code /v/} and {@code /block/}.
     */
    @FunctionalInterface
    public interface Pages {
        /** The page at {@code path} (without the query), or empty for 404. */
        Optional<Page> page(String path);

        /** No pages: "/" says what the gateway serves. */
        Pages NONE = path -> Optional.empty();
    }

    /** A page's content, served with {@code Cache-Control: no-store}. */
    public record Page(String contentType, byte[] body) {
    }

    private final EventLoopGroup loops;
    private final ThreadPoolExecutor workers;
    private final Channel server;

    private Gateway(EventLoopGroup loops, ThreadPoolExecutor workers, Channel server) {
        this.loops = loops;
        this.workers = workers;
        this.server = server;
    }

    /**
     * Listens on {@code listen} and serves the volumes of {@code snapshots}.
     *
     * @param aliases names other than ids that {@code /v/NAME} accepts
     * @throws IOException if the address cannot be bound
     */
    public static Gateway start(InetSocketAddress listen, VolumeSnapshots snapshots,
            Function<String, Optional<Id>> aliases, Settings settings) throws IOException {
        return start(listen, snapshots, aliases, Pages.NONE, settings, new CompositeMeterRegistry());
    }

    /**
     * Like {@link #start(InetSocketAddress, VolumeSnapshots, Function, Settings)}, with {@code pages}
     * served beside the volumes and the gateway's meters recorded in {@code registry}.
     */
    public static Gateway start(InetSocketAddress listen, VolumeSnapshots snapshots,
            Function<String, Optional<Id>> aliases, Pages pages, Settings settings, MeterRegistry registry)
            throws IOException {
        AtomicInteger open = new AtomicInteger();
        GatewayMeters meters = new GatewayMeters(registry, open);
        Resolver resolver = new Resolver(snapshots, aliases, pages, settings.refresh());
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("cfs-gateway-worker", true));
        workers.allowCoreThreadTimeOut(true);
        EventLoopGroup loops = new NioEventLoopGroup(2, new DefaultThreadFactory("cfs-gateway-io", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > settings.maxConnections()) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(
                                new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new WriteTimeoutHandler(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS),
                                new HttpServerCodec(MAX_LINE, MAX_HEADERS, 64 << 10),
                                new GatewayHandler(resolver, workers, meters));
                    }
                });
        ChannelFuture bound = bootstrap.bind(listen).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw new IOException("cannot listen on " + listen.getHostString() + ":" + listen.getPort() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        Gateway gateway = new Gateway(loops, workers, bound.channel());
        log.info("gateway listening on http://{}:{}/", listen.getHostString(), gateway.address().getPort());
        return gateway;
    }

    /** Where it listens (with the port chosen, if 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
