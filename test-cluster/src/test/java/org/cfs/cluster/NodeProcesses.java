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
 * Real {@code cfs node} processes on loopback for tests: each has its own loopback address (node
 * ids are H(ip#vnode)) with a free port there, a data directory and a log per run under
 * {@code runDir}; they are stopped by their process handles, never by name.
 */
final class NodeProcesses implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration POLL = Duration.ofMillis(100);

    private final Path runDir;
    private final int vnodes;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final Process[] current;
    private final String[] runs;

    NodeProcesses(Path runDir, int count, int vnodes) throws IOException {
        this.runDir = Files.createDirectories(runDir);
        this.vnodes = vnodes;
        for (int i = 0; i < count; i++) {
            String address = LoopbackAddresses.next();
            endpoints.add(new Endpoint(address, freePort(address)));
        }
        this.current = new Process[count];
        this.runs = new String[count];
    }

    Endpoint endpoint(int index) {
        return endpoints.get(index);
    }

    List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /**
     * Starts node {@code index} (a new ring if {@code join} is null) with {@code options} added; its
     * output goes to a log named by {@code run}.
     */
    Process start(int index, Endpoint join, String run, String... options) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "org.cfs.cli.Main", "node",
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

    /** The process of node {@code index}'s latest run. */
    Process process(int index) {
        return current[index];
    }

    /** The log of node {@code index}'s latest run so far. */
    String log(int index) throws IOException {
        Path file = runDir.resolve("node-" + index + "-" + runs[index] + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    String allLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < current.length; i++) {
            if (current[i] != null) {
                all.append("--- node ").append(i).append(" (").append(endpoints.get(i)).append(")\n").append(log(i));
            }
        }
        return all.toString();
    }

    /** The first line of node {@code index}'s latest log containing {@code text}; fails if the node exits first. */
    String awaitLog(int index, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : log(index).lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!current[index].isAlive()) {
                throw new AssertionError("node " + index + " exited with " + current[index].exitValue()
                        + " before logging '" + text + "':\n" + log(index));
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new AssertionError("node " + index + " did not log '" + text + "' within " + timeout.toSeconds()
                + " s:\n" + log(index));
    }

    /** Kills every process this started that is still running, by its handle. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A port free on {@code address} now. */
    static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }

    /** Distinct free ports on 127.0.0.1: all held open at once so none is handed out twice. */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
