package org.cfs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Endpoint;

/**
 * Real {@code cfs node} processes, for tests and the lab: each has its own address (node ids are
 * H(ip#vnode)), by default a loopback address with a free port there, or one given with the
 * network namespace it lives in ({@code org.cfs.cluster.netns}), and a data directory and a log
 * per run under {@code runDir}. They run the cfs CLI from this JVM's class path (the test class path, or
 * the lab jar, which holds it) and are stopped by their process handles, never by name, with a
 * bounded wait.
 */
public final class NodeProcesses implements AutoCloseable {
    /** Bound on a killed process going away. */
    public static final Duration STOP_BOUND = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Path runDir;
    private final int vnodes;
    private final String heap;
    /** The CPUs the nodes run on (a {@code taskset -c} list), or null for any. */
    private String cpus;
    /** Per node, the network namespace it runs in ({@code ip netns exec}), or null for this one. */
    private final String[] namespaces;
    /** The class whose main runs the node, and the arguments it takes before the cfs command line. */
    private String mainClass = "org.cfs.cli.Main";
    private List<String> mainArgs = List.of();
    /** JVM options beyond the heap. */
    private List<String> jvmOptions = List.of();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final Process[] current;
    private final String[] runs;

    /** {@code count} nodes of {@code vnodes} vnodes with 256 MiB heaps; none started yet. */
    public NodeProcesses(Path runDir, int count, int vnodes) throws IOException {
        this(runDir, count, vnodes, "256m");
    }

    /** As above, each JVM with {@code -Xmx} {@code heap}. */
    public NodeProcesses(Path runDir, int count, int vnodes, String heap) throws IOException {
        this(runDir, loopbackEndpoints(count), vnodes, heap);
    }

    /**
     * Nodes listening at {@code endpoints}, which need not be on this machine's loopback (see
     * {@link #inNamespaces}); none started yet.
     */
    public NodeProcesses(Path runDir, List<Endpoint> endpoints, int vnodes, String heap) throws IOException {
        this.runDir = Files.createDirectories(runDir);
        this.vnodes = vnodes;
        this.heap = heap;
        this.endpoints.addAll(endpoints);
        this.current = new Process[endpoints.size()];
        this.runs = new String[endpoints.size()];
        this.namespaces = new String[endpoints.size()];
    }

    private static List<Endpoint> loopbackEndpoints(int count) throws IOException {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String address = LoopbackAddresses.next();
            out.add(new Endpoint(address, freePort(address)));
        }
        return out;
    }

    /**
     * Runs node {@code i} from now on in network namespace {@code names.get(i)} (through
     * {@code ip netns exec}, which execs, so the process handle is still the JVM's).
     */
    public NodeProcesses inNamespaces(List<String> names) {
        if (names.size() != endpoints.size()) {
            throw new IllegalArgumentException(names.size() + " namespaces for " + endpoints.size() + " nodes");
        }
        names.toArray(namespaces);
        return this;
    }

    /** Gives the JVMs started from now on {@code options} (e.g. {@code -XX:TieredStopAtLevel=1}) besides the heap. */
    public NodeProcesses withJvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /**
     * Runs the nodes started from now on with {@code mainClass}, given {@code args} and then the
     * cfs command line ({@code node --listen ...}); by default the cfs CLI itself.
     */
    public NodeProcesses runningMain(String mainClass, List<String> args) {
        this.mainClass = mainClass;
        this.mainArgs = List.copyOf(args);
        return this;
    }

    /** Runs the nodes started from now on only on {@code cpuList} ({@code taskset -c}, e.g. "0" or "0-2"). */
    public NodeProcesses pinnedTo(String cpuList) {
        this.cpus = cpuList;
        return this;
    }

    public Endpoint endpoint(int index) {
        return endpoints.get(index);
    }

    public List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    public int size() {
        return endpoints.size();
    }

    /**
     * Starts node {@code index} (a new ring if {@code join} is null) with {@code options} added; its
     * output goes to a log named by {@code run}.
     */
    public Process start(int index, Endpoint join, String run, String... options) throws IOException {
        List<String> command = new ArrayList<>(cpus == null ? List.of() : List.of("taskset", "-c", cpus));
        if (namespaces[index] != null) {
            command.addAll(List.of("ip", "netns", "exec", namespaces[index]));
        }
        command.addAll(List.of(java(), "-Xmx" + heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(mainArgs);
        command.addAll(List.of("node",
                "--listen", endpoints.get(index).toString(),
                "--vnodes", String.valueOf(vnodes),
                "--data", runDir.resolve("data-" + index).toString()));
        if (join != null) {
            command.add("--join");
            command.add(join.toString());
        }
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(runDir.resolve("node-" + index + "-" + run + ".log").toFile())
                .start();
        current[index] = p;
        runs[index] = run;
        started.add(p);
        return p;
    }

    /**
     * Starts every node, one after another, each but the first joining through the first, and
     * waits for each to log that it started or joined, at most {@code bound} each.
     */
    public void startRing(String run, Duration bound) throws Exception {
        for (int i = 0; i < size(); i++) {
            start(i, i == 0 ? null : endpoint(0), run);
            awaitLog(i, i == 0 ? "started a new ring" : "joined ring via", bound);
        }
    }

    /** The process of node {@code index}'s latest run. */
    public Process process(int index) {
        return current[index];
    }

    /** The log of node {@code index}'s latest run so far. */
    public String log(int index) throws IOException {
        Path file = runDir.resolve("node-" + index + "-" + runs[index] + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    public String allLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < current.length; i++) {
            if (current[i] != null) {
                all.append("--- node ").append(i).append(" (").append(endpoints.get(i)).append(")\n").append(log(i));
            }
        }
        return all.toString();
    }

    /** The first line of node {@code index}'s latest log containing {@code text}; fails if the node exits first. */
    public String awaitLog(int index, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : log(index).lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!current[index].isAlive()) {
                throw new IllegalStateException("node " + index + " (pid " + current[index].pid() + ") exited with "
                        + current[index].exitValue() + " before logging '" + text + "':\n" + log(index));
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("node " + index + " did not log '" + text + "' within "
                + timeout.toSeconds() + " s:\n" + log(index));
    }

    /** Kills every process this started that may still run, by its handle, waiting {@link #STOP_BOUND} for each. */
    @Override
    public void close() throws InterruptedException {
        stop(started);
    }

    /**
     * Kills {@code processes} by their handles and waits at most {@link #STOP_BOUND} for each;
     * fails naming any still running after that.
     */
    public static void stop(List<Process> processes) throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        List<Long> left = new ArrayList<>();
        for (Process p : processes) {
            if (!p.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                left.add(p.pid());
            }
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException("processes " + left + " still run " + STOP_BOUND.toSeconds()
                    + " s after being killed");
        }
    }

    /** The java launcher this JVM runs on. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port free on {@code address} now: a node binds it a moment later. */
    public static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }

    /** Distinct free ports on 127.0.0.1: all held open at once so none is handed out twice. */
    public static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
