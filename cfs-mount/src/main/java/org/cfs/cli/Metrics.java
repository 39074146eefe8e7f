package org.cfs.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.metrics.MetricsServer;

/** What the node and mount commands share about {@code --metrics}: serving, and the transport's meters. */
final class Metrics {
    private Metrics() {
    }

    /** Serves {@code registry} at {@code address}, or fails with one line naming the address. */
    static MetricsServer serve(Endpoint address, PrometheusMeterRegistry registry) {
        try {
            return MetricsServer.start(new InetSocketAddress(address.host(), address.port()), registry);
        } catch (IOException e) {
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /** Requests the transport sent that timed out, {@code cfs.rpc.timeouts}, when it is a Netty one. */
    static void bindTransport(MeterRegistry registry, Transport transport) {
        if (transport instanceof NettyTransport netty) {
            FunctionCounter.builder("cfs.rpc.timeouts", netty, NettyTransport::timeouts)
                    .description("Requests this process sent that got no reply within their timeout")
                    .register(registry);
        }
    }

    static void close(MetricsServer server) {
        if (server != null) {
            server.close();
        }
    }
}
