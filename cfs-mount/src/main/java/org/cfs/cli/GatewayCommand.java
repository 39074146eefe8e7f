package org.cfs.cli;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.DHashConfig;
import org.cfs.fs.VolumeSnapshots;
import org.cfs.fs.Volumes;
import org.cfs.gateway.Gateway;
import org.cfs.metrics.MetricsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Serves volumes and blocks over HTTP until SIGTERM or SIGINT. */
@Command(name = "gateway",
        mixinStandardHelpOptions = true,
        description = {
            "Serves the ring's volumes over HTTP until SIGTERM or SIGINT: GET /v/VOL[@N]/PATH for a file"
                + " (Range, ETag) or a directory listing (HTML, or JSON with Accept: application/json),"
                + " GET /block/KEY for a block's checkable bytes.",
            "Every byte is verified before it is sent; content under @N is served as immutable."})
final class GatewayCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Address to serve HTTP on, e.g. 127.0.0.1:8080 (0.0.0.0 for every interface).")
    private Endpoint listen;

    @Option(names = "--via", paramLabel = "HOST:PORT",
            description = "Any node of the ring (default: the one saved with 'cfs config set via').")
    private Endpoint via;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How often a volume's newest version is looked up again; also the max-age of what"
                    + " is served without @N (default: ${DEFAULT-VALUE}).")
    private Duration refresh;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Longest a request waits for the ring before 504 (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--memory-cache", paramLabel = "SIZE", defaultValue = "256M",
            description = "Memory for verified blocks (default: ${DEFAULT-VALUE}).")
    private ByteSize memory;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (requests by status and their"
                    + " time, bytes sent, connections, block caches, lookups, the JVM).")
    private Endpoint metricsAddress;

    @Override
    public Integer call() throws Exception {
        ConfigDir config = VolumeCommands.config(spec);
        Endpoint ring = via != null ? via : config.via().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "no ring address: give --via HOST:PORT or set one with 'cfs config set via HOST:PORT'"));
        CountDownLatch stopped = new CountDownLatch(1);
        PrometheusMeterRegistry registry = metricsAddress == null ? null : MetricsServer.processRegistry();
        MetricsServer metrics = registry == null ? null : Metrics.serve(metricsAddress, registry);
        try (RemoteVolumes remote = new RemoteVolumes(ring, DHashConfig.defaults(), timeout,
                VolumeCommands.stateDir(spec), registry)) {
            Volumes volumes = remote.volumes(memory.bytes());
            MeterRegistry meters = registry != null ? registry : new CompositeMeterRegistry();
            volumes.bindTo(meters);
            VolumeSnapshots snapshots = new VolumeSnapshots(volumes, Clock.systemUTC(), refresh);
            Gateway gateway;
            try {
                gateway = Gateway.start(new InetSocketAddress(listen.host(), listen.port()), snapshots,
                        aliases(config), Gateway.Pages.NONE, Gateway.Settings.defaults().withRefresh(refresh), meters);
            } catch (IOException e) {
                throw new CommandFailedException(e.getMessage(), e);
            }
            try (OrderlyStop stop = OrderlyStop.install(stopped::countDown)) {
                spec.commandLine().getOut().printf("serving http://%s:%d/ from the ring via %s (Ctrl-C to stop)%n",
                        listen.host(), gateway.address().getPort(), ring);
                spec.commandLine().getOut().flush();
                stopped.await();
                gateway.close();
                spec.commandLine().getOut().println("gateway stopped");
                spec.commandLine().getOut().flush();
                stop.finished(0);
            }
        } finally {
            Metrics.close(metrics);
        }
        return 0;
    }

    /** The config's aliases, read again at most once a second, however many requests name one. */
    static Function<String, Optional<Id>> aliases(ConfigDir config) {
        LoadingCache<String, Map<String, Id>> read = Caffeine.newBuilder()
                .expireAfterWrite(Duration.ofSeconds(1)).build(k -> config.aliases());
        return name -> Optional.ofNullable(read.get("").get(name));
    }
}
