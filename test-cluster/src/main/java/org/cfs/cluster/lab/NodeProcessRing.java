package org.cfs.cluster.lab;

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
 * A ring of real {@code cfs node} processes, each on a loopback address of its own (127.0.0.2,
 * 127.0.0.3, ...) with a RocksDB store and a log under a run directory, started from the lab's own
 * jar (which holds the cfs CLI). They are stopped by their process handles, never by name, with a
 * bounded wait.
 */
final class NodeProcessRing implements AutoCloseable {
    /** Bound on a node logging that it started or joined (the node's own join bound is 60 s). */
    private static final Duration START_BOUND = Duration.ofSeconds(90);
    /** Bound on a killed process going away. */
    static final Duration STOP_BOUND = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);
    /** The last octet of the first node's loopback address. */
    private static final int FIRST_OCTET = 2;

    private final Path dir;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private NodeProcessRing(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code count} nodes under {@code dir}, one after another, each joining through the first. */
    static NodeProcessRing start(Path dir, int count, String heap) throws Exception {
        NodeProcessRing ring = new NodeProcessRing(dir);
        try {
            for (int i = 0; i < count; i++) {
                ring.startNode(i, heap);
            }
            return ring;
        } catch (Exception | Error e) {
            ring.close();
            throw e;
        }
    }

    private void startNode(int index, String heap) throws Exception {
        String host = "127.0.0." + (FIRST_OCTET + index);
        Endpoint listen = new Endpoint(host, freePort(host));
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                "org.cfs.cli.Main", "node", "--listen", listen.toString(),
                "--data", dir.resolve("node-" + index).toString()));
        if (index > 0) {
            command.add("--join");
            command.add(endpoints.get(0).toString());
        }
        Path log = log(index);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        endpoints.add(listen);
        awaitLog(p, log, index == 0 ? "started a new ring" : "joined ring via");
    }

    /** The path of the java launcher this JVM runs on. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Path log(int index) {
        return dir.resolve("node-" + index + ".log");
    }

    private static void awaitLog(Process p, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            String written = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (written.contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("node process " + p.pid() + " exited with " + p.exitValue()
                        + " before logging '" + text + "'; its log " + log + ":\n" + written);
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("node process " + p.pid() + " did not log '" + text + "' within "
                + START_BOUND.toSeconds() + " s; see " + log);
    }

    Endpoint endpoint(int index) {
        return endpoints.get(index);
    }

    Process process(int index) {
        return processes.get(index);
    }

    int size() {
        return processes.size();
    }

    /** Kills every node this started, by its handle, and waits for each at most {@link #STOP_BOUND}. */
    @Override
    public void close() throws InterruptedException {
        stop(processes);
    }

    /**
     * Kills {@code processes} by their handles and waits at most {@link #STOP_BOUND} for each;
     * fails naming any still running after that.
     */
    static void stop(List<Process> processes) throws InterruptedException {
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

    /** A port free on {@code host} now: the node binds it a moment later. */
    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
