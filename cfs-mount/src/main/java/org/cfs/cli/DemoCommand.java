package org.cfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.StoreLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import org.cfs.fs.VolumeException;
import org.cfs.mount.MountException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Shows the system working in one process: a ring of real hosts on loopback addresses of their
 * own (Netty, system clock) each running DHash on a RocksDB store in a temporary directory, its
 * walk, lookups checked against the walk, blocks stored and read back, a sample volume published
 * and read back, and then mounted and looked at with ordinary tools (see {@link DemoMount}); then
 * every host leaves and the temporary directory goes.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a ring of HOSTS hosts x VNODES vnodes on 127.0.0.2, 127.0.0.3, ... in this process"
                + " (RocksDB stores in a temporary directory), waits until a walk of the ring finds every"
                + " vnode, prints the ring and a few lookups (each checked against the ring), stores a few"
                + " blocks and reads them back through other hosts, publishes a sample volume and reads it"
                + " back, then mounts a volume at MNT (default: a temporary directory) and shows ls, cat,"
                + " getfattr, a host killed and a second version through the mount.",
            "Then it stays mounted until Ctrl-C (or, with --exit, goes on at once), leaves the ring and"
                + " removes everything it made."})
final class DemoCommand implements Callable<Integer> {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> NAMES = List.of(
            "hello.txt", "README.md", "photos/cat.jpg", "src/main.c", "music/track01.flac");

    @Spec
    private CommandSpec spec;

    @Option(names = "--hosts", paramLabel = "HOSTS", defaultValue = "8",
            description = "Hosts to start, 1..64 (default: ${DEFAULT-VALUE}).")
    private int hostCount;

    @Option(names = "--vnodes", paramLabel = "VNODES", defaultValue = "2",
            description = "Virtual nodes per host (default: ${DEFAULT-VALUE}).")
    private int vnodes;

    @Option(names = "--lookups", paramLabel = "N", defaultValue = "5",
            description = "Lookups to run, 0..1000 (default: ${DEFAULT-VALUE}).")
    private int lookups;

    @Option(names = "--blocks", paramLabel = "N", defaultValue = "3",
            description = "Blocks to store and read back, 0..100 (default: ${DEFAULT-VALUE}).")
    private int blocks;

    @Option(names = "--volume", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Publish a sample volume and read it back (default: on; --no-volume skips it).")
    private boolean volume;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MNT",
            description = "An empty directory to mount the sample volume at (default: a temporary one).")
    private Path mountPoint;

    @Option(names = "--exit", description = "Do not wait for Ctrl-C once everything has been shown.")
    private boolean exit;

    @Option(names = "--stabilize", paramLabel = "MS", defaultValue = "250",
            description = "Stabilization period in milliseconds; a ring of new nodes links up in about"
                    + " one period per vnode (default: ${DEFAULT-VALUE}, shorter than a real node's"
                    + " so the demo is quick).")
    private int stabilizeMillis;

    @Override
    public Integer call() {
        check(stabilizeMillis >= 10 && stabilizeMillis <= 60_000,
                "--stabilize " + stabilizeMillis + " is outside 10..60000");
        ChordConfig config = ChordConfig.defaults().withStabilizeInterval(Duration.ofMillis(stabilizeMillis));
        check(hostCount >= 1 && hostCount <= 64, "--hosts " + hostCount + " is outside 1..64");
        check(vnodes >= 1 && vnodes <= config.maxVnodes(),
                "--vnodes " + vnodes + " is outside 1.." + config.maxVnodes());
        check(lookups >= 0 && lookups <= 1000, "--lookups " + lookups + " is outside 0..1000");
        check(blocks >= 0 && blocks <= 100, "--blocks " + blocks + " is outside 0..100");
        DHashConfig dhashConfig = DHashConfig.defaults().withReplicas(Math.min(3, hostCount));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("cfs demo: a ring of %d hosts x %d vnodes on 127.0.0.2 and up, all in this process,"
                + " stabilizing every %d ms%n", hostCount, vnodes, stabilizeMillis);
        out.flush();
        List<ChordHost> hosts = new ArrayList<>();
        List<DHash> dhash = new ArrayList<>();
        List<BlockStore> stores = new ArrayList<>();
        Path work = temporaryDirectory();
        DemoMount shown = new DemoMount(hosts, dhash, work, out);
        // Ctrl-C (SIGINT) or SIGTERM: unmount, then this thread leaves the ring and cleans up as usual.
        OrderlyStop stop = OrderlyStop.install(shown::stop);
        int status = 1;
        try {
            startHosts(config, dhashConfig, hosts, dhash, stores, work, out);
            RingWalk walk = awaitClosedRing(hosts.get(0).endpoint(), hostCount * vnodes, out);
            new RingReport(hosts.get(0).endpoint(), walk).print(out);
            out.println();
            int wrong = runLookups(hosts, walk.nodes(), out);
            int wrongBlocks = DemoBlocks.run(hosts, dhash, blocks, dhashConfig.replicas(), out);
            boolean volumeOk = !volume || DemoVolume.run(dhash.get(0), dhash.get(dhash.size() - 1), out);
            boolean mountOk = !volume || mount(shown, work, out);
            leave(hosts, out);
            if (wrong > 0) {
                throw new CommandFailedException(wrong + " of " + lookups + " lookups disagreed with the ring walk");
            }
            if (wrongBlocks > 0) {
                throw new CommandFailedException(wrongBlocks + " of " + blocks + " blocks read back different");
            }
            if (!volumeOk) {
                throw new CommandFailedException("the sample volume did not read back as published");
            }
            if (!mountOk) {
                throw new CommandFailedException("the mounted volume did not read back as published");
            }
            status = 0;
            return 0;
        } finally {
            hosts.forEach(ChordHost::close);
            dhash.forEach(DHash::close);
            stores.forEach(BlockStore::close);
            deleteTree(work);
            out.flush();
            stop.finished(status);
            stop.close();
        }
    }

    /** The mount part; skipped, with the reason, where this machine cannot mount (unless CFS_REQUIRE_FUSE=1). */
    private boolean mount(DemoMount shown, Path work, PrintWriter out) {
        try {
            return shown.run(DemoMount.mountPoint(mountPoint, work), !exit);
        } catch (MountException e) {
            if ("1".equals(System.getenv("CFS_REQUIRE_FUSE"))) {
                throw new CommandFailedException("cannot mount: " + e.getMessage(), e);
            }
            out.printf("%nskipped the mount: %s%n", e.getMessage());
            return true;
        } catch (IOException | VolumeException e) {
            throw new CommandFailedException("demo mount: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("demo mount: interrupted", e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("cfs-demo-");
        } catch (IOException e) {
            throw new CommandFailedException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Reported by what is left; nothing else to do about it here.
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * The first host creates the ring; each other joins through it, one after another. Each has a
     * loopback address of its own, as separate machines would, and a RocksDB store under {@code work}.
     */
    private void startHosts(ChordConfig config, DHashConfig dhashConfig, List<ChordHost> hosts, List<DHash> dhash,
                            List<BlockStore> stores, Path work, PrintWriter out) {
        for (int i = 0; i < hostCount; i++) {
            Endpoint any = new Endpoint("127.0.0." + (2 + i), 0);
            ChordHost host = ChordHost.builder()
                    .config(config)
                    .vnodes(vnodes)
                    .transport(handler -> NettyTransport.bind(any, DHashMessages.registry(), handler,
                            NettyTransport.Options.defaults()))
                    .build();
            hosts.add(host);
            try {
                stores.add(RocksBlockStore.open(work.resolve("host-" + (i + 1)), StoreLimits.defaults()));
            } catch (DHashException e) {
                throw new CommandFailedException(e.getMessage(), e);
            }
            dhash.add(DHash.node(host, stores.get(i), dhashConfig, Clock.systemUTC(), null, null));
            Endpoint join = i == 0 ? null : hosts.get(0).endpoint();
            Await.result(host.start(join), JOIN_TIMEOUT, "host " + (i + 1) + " at " + host.endpoint()
                    + (join == null ? " starting the ring" : " joining via " + join));
            out.printf("  host %2d at %s %s%n", i + 1, host.endpoint(),
                    join == null ? "started the ring" : "joined via " + join);
            out.flush();
        }
    }

    /** Walks the ring until it closes with every vnode, as stabilization links the late joiners in. */
    private static RingWalk awaitClosedRing(Endpoint via, int expected, PrintWriter out) {
        long start = System.nanoTime();
        long deadline = start + CLOSE_TIMEOUT.toNanos();
        RingWalk last = null;
        String shown = "";
        out.println();
        try (RemoteRing ring = new RemoteRing(ChordConfig.defaults())) {
            while (System.nanoTime() < deadline) {
                last = ring.walk(via, CLOSE_TIMEOUT);
                if (last.closed() && last.nodes().size() == expected) {
                    out.printf("the ring closed with all %d vnodes %.1f s after the last join%n",
                            expected, (System.nanoTime() - start) / 1e9);
                    return last;
                }
                String seen = last.nodes().size() + (last.nodes().size() == 1 ? " vnode" : " vnodes")
                        + (last.closed() ? ", closed" : ", open");
                if (!seen.equals(shown)) {
                    out.printf("  %4.1f s: a walk finds %s; stabilization is linking the rest in%n",
                            (System.nanoTime() - start) / 1e9, seen);
                    out.flush();
                    shown = seen;
                }
                sleep(POLL);
            }
        }
        throw new CommandFailedException("the ring did not close with all " + expected + " vnodes within "
                + Await.seconds(CLOSE_TIMEOUT) + "; last walk: " + new RingReport(via, last).headline()
                + (last.closed() ? "" : ": " + last.problem()));
    }

    /** Looks names up from different hosts; returns how many owners disagree with the walk. */
    private int runLookups(List<ChordHost> hosts, List<NodeRef> ring, PrintWriter out) {
        if (lookups == 0) {
            return 0;
        }
        List<NodeRef> sorted = ring.stream().sorted(Comparator.comparing(NodeRef::id)).toList();
        out.printf("%d lookups, each started by a different host (iterative; hops = nodes asked):%n", lookups);
        int wrong = 0;
        for (int i = 0; i < lookups; i++) {
            String name = NAMES.get(i % NAMES.size()) + (i < NAMES.size() ? "" : "." + (i / NAMES.size()));
            Id key = Id.hash(name);
            ChordHost from = hosts.get(i % hosts.size());
            LookupResult r = Await.result(from.vnodes().get(0).lookup(key), LOOKUP_TIMEOUT,
                    "lookup of \"" + name + "\" from " + from.endpoint());
            NodeRef expected = successor(sorted, key);
            boolean ok = r.owner().equals(expected);
            wrong += ok ? 0 : 1;
            out.printf("  %-22s key %s  from %-16s -> owner %s@%s#%d  %d hop%s, %d timeouts, %.1f ms  %s%n",
                    "\"" + name + "\"", key.shortHex(), from.endpoint(), r.owner().id().shortHex(),
                    r.owner().endpoint(), r.owner().vnode(), r.hops(), r.hops() == 1 ? "" : "s", r.timeouts(),
                    r.elapsed().toNanos() / 1e6,
                    ok ? "ok" : "WRONG: the ring says " + expected);
        }
        out.println(wrong == 0 ? "every owner is the key's successor on the walked ring"
                : wrong + " owners were wrong");
        return wrong;
    }

    /** The first node at or after {@code key} going clockwise. */
    private static NodeRef successor(List<NodeRef> sortedById, Id key) {
        for (NodeRef n : sortedById) {
            if (n.id().compareTo(key) >= 0) {
                return n;
            }
        }
        return sortedById.get(0);
    }

    private static void leave(List<ChordHost> hosts, PrintWriter out) {
        long start = System.nanoTime();
        CompletableFuture<Void> all = CompletableFuture.allOf(
                hosts.stream().map(ChordHost::leave).toArray(CompletableFuture[]::new));
        Await.result(all, LEAVE_TIMEOUT, "leaving the ring");
        out.printf("%nall %d hosts left the ring gracefully in %.0f ms%n",
                hosts.size(), (System.nanoTime() - start) / 1e6);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while waiting for the ring to close", e);
        }
    }
}
