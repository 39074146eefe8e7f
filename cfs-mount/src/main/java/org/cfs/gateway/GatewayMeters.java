package org.cfs.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters: requests answered, by status code, and how long each took to its last
 * byte ({@code cfs.gateway.requests}, a timer); body bytes sent; connections open. Meters are
 * made once per status code seen, not per request.
 */
final class GatewayMeters {
    private final MeterRegistry registry;
    private final ConcurrentMap<Integer, Timer> byStatus = new ConcurrentHashMap<>();
    private final Counter bytes;

    GatewayMeters(MeterRegistry registry, AtomicInteger connections) {
        this.registry = registry;
        this.bytes = Counter.builder("cfs.gateway.sent").baseUnit("bytes")
                .description("Body bytes the gateway sent").register(registry);
        Gauge.builder("cfs.gateway.connections", connections, AtomicInteger::get)
                .description("Connections open to the gateway").register(registry);
    }

    /** A request answered with {@code status}, {@code nanos} after it was taken up. */
    void answered(int status, long nanos) {
        byStatus.computeIfAbsent(status, s -> Timer.builder("cfs.gateway.requests")
                .tag("status", Integer.toString(s))
                .description("Requests the gateway answered, by status, and the time to their last byte")
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    void sent(long n) {
        bytes.increment(n);
    }
}
