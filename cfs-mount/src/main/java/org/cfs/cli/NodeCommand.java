package org.cfs.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.VolumeSnapshots;
import org.cfs.fs.Volumes;
import org.cfs.gateway.Gateway;
import org.cfs.metrics.MetricsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * Runs one host of the ring, with DHash serving its block store, until SIGTERM or SIGINT; then it
 * hands its blocks over, leaves gracefully and exits 0. Its options may come from a settings file
 * ({@link NodeConfigFile}). Logs its settings once, and one INFO line once every vnode has joined.
 */
@Command(name = "node",
        mixinStandardHelpOptions = true,
        defaultValueProvider = NodeConfigFile.class,
        description = {
            "Runs a ring node: one host with one or more virtual nodes, storing and serving blocks"
                + " (DHash), until SIGTERM or SIGINT; then it hands its blocks over to their other"
                + " replica hosts, leaves the ring gracefully and exits 0.",
            "Without --join it starts a new ring. Every option may be set in a --config file instead."})
final class NodeCommand implements Callable<Integer> {
    /**
     * Bound on joining (or creating) the ring, including waiting for the --join node to answer; a
     * node that cannot join in this time exits 1.
     */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on the graceful leave at shutdown, after which the node just closes. */
    static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);
    /** Bound on handing blocks over at shutdown; maintenance on the other hosts copies what is left. */
    static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(30);
    /** Pause between attempts to reach the --join node while it is not answering yet. */
    static final Duration BOOTSTRAP_RETRY = Duration.ofMillis(500);

    @Spec
    private CommandSpec spec;

    /** Applied to the node's Netty transport; the identity but where {@link Main#run} embeds a node. */
    private final UnaryOperator<Transport> transportDecorator;

    NodeCommand() {
        this(UnaryOperator.identity());
    }

    NodeCommand(UnaryOperator<Transport> transportDecorator) {
        this.transportDecorator = transportDecorator;
    }

    @Option(names = "--listen", required = true, paramLabel = "IP:PORT",
            description = "Address to listen on. Peers derive this node's ids from the IP (H(ip#vnode),"
                    + " the port plays no part), so it must be the IP they reach it at (not a name or a"
                    + " wildcard like 0.0.0.0), and each node on a machine needs its own IP.")
    private Endpoint listen;

    @Option(names = "--join", paramLabel = "HOST:PORT",
            description = "Any node of an existing ring to join through.")
    private Endpoint join;

    @Option(names = "--vnodes", paramLabel = "N",
            description = "Virtual nodes on this host, 1..16 (default: ${DEFAULT-VALUE}); peers refuse"
                    + " vnode indexes past their limit of 16 per address.")
    private int vnodes;

    @Option(names = "--data", paramLabel = "DIR",
            description = "This node's data directory, created if missing: DHash keeps its blocks in a"
                    + " RocksDB store under DIR/blocks. Without --data blocks are kept in memory only"
                    + " and are lost when the node stops.")
    private Path data;

    @Option(names = "--replicas", paramLabel = "K",
            description = "Copies of each block, on K distinct hosts (default: ${DEFAULT-VALUE});"
                    + " every node of a ring and every writer should use the same K.")
    private int replicas;

    @Option(names = "--capacity", paramLabel = "BYTES",
            description = "Most block bytes this node stores, e.g. 10G or 512M (default: ${DEFAULT-VALUE});"
                    + " one remote host (IP address) may fill a tenth of it.")
    private ByteSize capacity;

    @Option(names = "--successors", paramLabel = "R",
            description = "Length of each vnode's successor list (default: ${DEFAULT-VALUE}).")
    private int successors;

    @Option(names = "--finger-candidates", paramLabel = "N",
            description = "Proximity neighbour selection: each finger is the nearest by round trip of the first N"
                    + " nodes of its interval; 1 is plain Chord (default: ${DEFAULT-VALUE}).")
    private int fingerCandidates;

    @Option(names = "--repair", paramLabel = "POLICY", converter = RepairConverter.class,
            description = "How maintenance keeps the K copies: exact (the key's first K hosts hold it; a copy"
                    + " anywhere else is handed to them and deleted) or carbonite (every copy on the owner's"
                    + " successor list counts, so a host back from a failure needs no new copy: far fewer copies"
                    + " made under churn) (default: ${DEFAULT-VALUE}). Every node of a ring should use the same.")
    private DHashConfig.Repair repair;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Also serve HTTP on this address: the gateway (/v/VOL[@N]/PATH, /block/KEY) and the"
                    + " ring's status page at /.")
    private Endpoint http;

    /** How long the node's gateway waits for the ring per request. */
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);
    /** How often its gateway looks for a volume's newest version. */
    static final Duration HTTP_REFRESH = Duration.ofSeconds(30);
    /** Memory for the verified blocks its gateway serves. */
    static final long HTTP_CACHE_BYTES = 64L << 20;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (lookups, RPC timeouts, the"
                    + " store, maintenance, RocksDB, the JVM).")
    private Endpoint metricsAddress;

    @Override
    public Integer call() {
        ChordConfig config = config();
        DHashConfig dhashConfig = dhashConfig();
        StoreLimits limits = limits();
        Logger log = LoggerFactory.getLogger(NodeCommand.class);
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        // The ports first: a node that cannot have them, or whose data directory another node holds,
        // fails with one line, having logged nothing and created no data directory. Until it
        // starts, the host answers peers "not ready".
        NodeStorage.checkFree(data);
        if (http != null) {
            checkCanListen(http);
        }
        // The metrics port too, before the node's own port logs that it listens.
        PrometheusMeterRegistry registry = metricsAddress == null ? null : MetricsServer.processRegistry();
        MetricsServer metrics = registry == null ? null : Metrics.serve(metricsAddress, registry);
        ChordHost host;
        try {
            host = bind(config, registry);
        } catch (RuntimeException e) {
            Metrics.close(metrics);
            throw e;
        }
        NodeStorage storage;
        try {
            storage = NodeStorage.open(data, listen, limits);
        } catch (RuntimeException e) {
            Metrics.close(metrics);
            host.close();
            throw e;
        }
        log.info("settings: {}", ((NodeConfigFile) spec.defaultValueProvider()).describe(spec));
        NodeStorage.logSettings(log, dhashConfig, storage.store(), data);
        try {
            if (join != null) {
                awaitBootstrap(config, deadline, log);
            }
        } catch (RuntimeException e) {
            Metrics.close(metrics);
            host.close();
            storage.close();
            throw e;
        }
        DHash dhash = DHash.node(host, storage.store(), dhashConfig, Clock.systemUTC(), null, null);
        if (registry != null) {
            dhash.bindTo(registry);
            Metrics.bindTransport(registry, host.transport());
            log.info("serving metrics at http://{}{}", metricsAddress.host() + ":" + metrics.address().getPort(),
                    MetricsServer.PATH);
        }
        NodeShutdown shutdown = new NodeShutdown(host, dhash, storage, metrics, log);
        Gateway gateway;
        try {
            gateway = http == null ? null : startHttp(host, dhash, registry);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
        try {
            Await.result(host.start(join), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())),
                    join == null ? "starting a ring at " + host.endpoint() : "joining the ring via " + join);
        } catch (RuntimeException e) {
            if (gateway != null) {
                gateway.close();
            }
            shutdown.close();
            throw e;
        }
        String count = vnodes + (vnodes == 1 ? " vnode" : " vnodes");
        if (join == null) {
            log.info("started a new ring at {} as {}", host.endpoint(), count);
        } else {
            log.info("joined ring via {} as {} at {}", join, count, host.endpoint());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (gateway != null) {
                gateway.close();
            }
            shutdown.runAndHalt();
        }, "cfs-node-shutdown"));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Fails now, in one line, if --http's address cannot be listened on, before the node logs or
     * creates anything; the gateway binds it for real once the node's DHash exists.
     */
    private static void checkCanListen(Endpoint address) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address.host(), address.port()));
        } catch (IOException e) {
            throw new CommandFailedException("--http: cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** The gateway and status page on --http, reading volumes through this node's own DHash. */
    private Gateway startHttp(ChordHost host, DHash dhash, MeterRegistry registry) {
        Volumes volumes = new Volumes(Blocks.of(dhash), SeenVersions.inMemory(), Clock.systemUTC(), HTTP_TIMEOUT,
                HTTP_CACHE_BYTES);
        try {
            return Gateway.start(new InetSocketAddress(http.host(), http.port()),
                    new VolumeSnapshots(volumes, Clock.systemUTC(), HTTP_REFRESH), name -> Optional.empty(),
                    new NodeDashboard(host, dhash), Gateway.Settings.defaults().withRefresh(HTTP_REFRESH),
                    registry != null ? registry : new CompositeMeterRegistry());
        } catch (IOException e) {
            throw new CommandFailedException("--http: " + e.getMessage(), e);
        }
    }

    private ChordConfig config() {
        String host = listen.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            throw new ParameterException(spec.commandLine(), "--listen " + listen
                    + " is a wildcard; give the address peers reach this node at, e.g. 127.0.0.2:" + listen.port());
        }
        if (listen.canonicalIp() == null) {
            throw new ParameterException(spec.commandLine(), "--listen " + listen
                    + " needs an IP address, not a name: node ids are made of it (H(ip#vnode))");
        }
        if (join != null && join.port() == 0) {
            throw new ParameterException(spec.commandLine(), "--join " + join + " needs the node's real port, not 0");
        }
        if (join != null && join.equals(listen)) {
            throw new ParameterException(spec.commandLine(), "--join names this node itself;"
                    + " leave --join out to start a new ring");
        }
        ChordConfig config;
        try {
            config = ChordConfig.defaults().withSuccessors(successors).withFingerCandidates(fingerCandidates);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--successors " + successors + ", --finger-candidates "
                    + fingerCandidates + ": " + e.getMessage());
        }
        if (vnodes < 1 || vnodes > config.maxVnodes()) {
            throw new ParameterException(spec.commandLine(),
                    "--vnodes " + vnodes + " is outside 1.." + config.maxVnodes());
        }
        return config;
    }

    private DHashConfig dhashConfig() {
        try {
            return DHashConfig.defaults().withReplicas(replicas).withRepair(repair);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + ": " + e.getMessage());
        }
    }

    private StoreLimits limits() {
        if (capacity.bytes() < 1) {
            throw new ParameterException(spec.commandLine(), "--capacity " + capacity.bytes() + " must be at least 1 byte");
        }
        return new StoreLimits(capacity, StoreLimits.DEFAULT_PER_SOURCE_FRACTION);
    }

    /**
     * Waits until the node named by --join answers, so that nodes started together can join
     * through one that is still starting.
     */
    private void awaitBootstrap(ChordConfig config, long deadline, Logger log) {
        try (RemoteRing ring = new RemoteRing(config)) {
            for (int attempt = 1; ; attempt++) {
                try {
                    ring.probe(join, config.requestTimeout());
                    return;
                } catch (CommandFailedException e) {
                    if (System.nanoTime() + BOOTSTRAP_RETRY.toNanos() > deadline) {
                        throw new CommandFailedException("no ring node answered at " + join + " within "
                                + Await.seconds(JOIN_TIMEOUT) + "; last try: " + e.getMessage(), e);
                    }
                    if (attempt == 1) {
                        log.info("waiting for a ring node to answer at {} ({})", join, e.getMessage());
                    }
                }
                try {
                    Thread.sleep(BOOTSTRAP_RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CommandFailedException("interrupted while waiting for " + join, e);
                }
            }
        }
    }

    private ChordHost bind(ChordConfig config, PrometheusMeterRegistry registry) {
        try {
            ChordHost.Builder builder = ChordHost.builder();
            if (registry != null) {
                builder.meterRegistry(registry);
            }
            return builder
                    .config(config)
                    .vnodes(vnodes)
                    .transport(handler -> transportDecorator.apply(NettyTransport.bind(listen,
                            DHashMessages.registry(), handler, NettyTransport.Options.defaults())))
                    .build();
        } catch (UncheckedIOException e) {
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /** A repair policy by its lower-case name, {@code exact} or {@code carbonite}, in any case. */
    static final class RepairConverter implements ITypeConverter<DHashConfig.Repair> {
        @Override
        public DHashConfig.Repair convert(String value) {
            for (DHashConfig.Repair policy : DHashConfig.Repair.values()) {
                if (name(policy).equalsIgnoreCase(value.strip())) {
                    return policy;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a repair policy: exact or carbonite");
        }

        static String name(DHashConfig.Repair policy) {
            return policy.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Defaults that come from the library's own configuration, so help shows the real value; those
     * of a --config file come first ({@link NodeConfigFile}).
     */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--vnodes" -> "4";
                case "--successors" -> String.valueOf(ChordConfig.defaults().successors());
                case "--finger-candidates" -> String.valueOf(ChordConfig.defaults().fingerCandidates());
                case "--replicas" -> String.valueOf(DHashConfig.defaults().replicas());
                case "--repair" -> RepairConverter.name(DHashConfig.defaults().repair());
                case "--capacity" -> StoreLimits.DEFAULT_CAPACITY.toString();
                default -> null;
            };
        }
    }
}
