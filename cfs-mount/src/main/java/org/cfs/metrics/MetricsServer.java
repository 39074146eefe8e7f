package org.cfs.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link PrometheusMeterRegistry} in the Prometheus text format at {@code GET /metrics}
 * on one address, with the JDK's HTTP server on one daemon thread. Anything else is 404, or 405
 * for another method. {@link #close} stops it and is idempotent.
 */
public final class MetricsServer implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final ExecutorService thread;
    private boolean closed;

    private MetricsServer(PrometheusMeterRegistry registry, HttpServer server, ExecutorService thread) {
        this.registry = registry;
        this.server = server;
        this.thread = thread;
    }

    /**
     * A Prometheus registry with the JVM's own meters bound (memory, GC, threads, processor,
     * uptime): what every cfs process serves. The GC meters listen to the JVM for its lifetime.
     *
     * <p>Two of Micrometer's processor meters break Prometheus naming rules ({@code promtool check
     * metrics} refuses them): {@code system.cpu.count} is served as {@code system_cpus}, and
     * {@code process.cpu.time}, counted in nanoseconds, is left out ({@code process_cpu_usage} stays).
     */
    public static PrometheusMeterRegistry processRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
                    }
                });
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Serves {@code registry} at {@code address} (port 0 picks a free one; {@link #address} says
     * which). Fails with an IOException naming the address if it cannot be bound.
     */
    public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry)
            throws IOException {
        Objects.requireNonNull(registry, "registry");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address.getHostString() + ":" + address.getPort()
                    + ": " + (e instanceof BindException ? "the address is in use or not this machine's" : e.toString()), e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cfs-metrics-http");
            t.setDaemon(true);
            return t;
        });
        MetricsServer metrics = new MetricsServer(registry, server, thread);
        server.createContext("/", metrics::answer);
        server.setExecutor(thread);
        server.start();
        return metrics;
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: metrics are at " + PATH + "\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
            } else {
                send(exchange, 200, CONTENT_TYPE, registry.scrape());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The registry served; others (the gateway) may add their meters to it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The address bound, with the real port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops serving at once and ends the server's thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
