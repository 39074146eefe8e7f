package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A {@code cfs node} process that cannot start: one line on stderr, exit 1, nothing left behind. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeStartFailureTest {
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** {@code cfs node ARGS} as its own process, stdout and stderr apart. */
    private Process node(String name, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "org.cfs.cli.Main", "node"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
        started.add(p);
        return p;
    }

    private String stderr(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
    }

    private static int exitCode(Process p) throws InterruptedException {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the node should give up at once");
        return p.exitValue();
    }

    @Test
    void aPortInUseFailsBeforeLoggingOrCreatingTheDataDirectory() throws Exception {
        InetAddress address = InetAddress.getByName("127.0.0.31");
        try (ServerSocket taken = new ServerSocket(0, 1, address)) {
            String listen = "127.0.0.31:" + taken.getLocalPort();
            Path data = dir.resolve("data");
            Process p = node("busy", "--listen", listen, "--data", data.toString());
            assertEquals(1, exitCode(p), stderr("busy"));
            List<String> lines = stderr("busy").lines().toList();
            assertEquals(1, lines.size(), "one line, no settings logged first: " + lines);
            assertEquals("cfs node: cannot listen on " + listen + ": another process is using that port",
                    lines.get(0));
            assertFalse(Files.exists(data), "no data directory for a node that never ran");
        }
    }

    @Test
    void anAddressOfAnotherMachineIsNamedAsSuch() throws Exception {
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): no machine of ours has it.
        Process p = node("foreign", "--listen", "192.0.2.1:7000", "--data", dir.resolve("data").toString());
        assertEquals(1, exitCode(p), stderr("foreign"));
        assertEquals(List.of("cfs node: cannot listen on 192.0.2.1:7000: 192.0.2.1 is not an address of this machine"),
                stderr("foreign").lines().toList());
        assertFalse(Files.exists(dir.resolve("data")));
    }

    @Test
    void aMetricsPortInUseFailsInOneLineBeforeTheDataDirectory() throws Exception {
        InetAddress address = InetAddress.getByName("127.0.0.34");
        try (ServerSocket taken = new ServerSocket(0, 1, address)) {
            String metrics = "127.0.0.34:" + taken.getLocalPort();
            Path data = dir.resolve("data");
            Process p = node("metrics", "--listen", "127.0.0.34:" + freePort("127.0.0.34"), "--data", data.toString(),
                    "--metrics", metrics);
            assertEquals(1, exitCode(p), stderr("metrics"));
            assertEquals(List.of("cfs node: cannot serve metrics on " + metrics
                    + ": the address is in use or not this machine's"), stderr("metrics").lines().toList());
            assertFalse(Files.exists(data), "no data directory for a node that never ran");
        }
    }

    @Test
    void anHttpPortInUseFailsInOneLineBeforeTheDataDirectory() throws Exception {
        InetAddress address = InetAddress.getByName("127.0.0.35");
        try (ServerSocket taken = new ServerSocket(0, 1, address)) {
            String http = "127.0.0.35:" + taken.getLocalPort();
            Path data = dir.resolve("data-http");
            Process p = node("http", "--listen", "127.0.0.35:" + freePort("127.0.0.35"), "--data", data.toString(),
                    "--http", http);
            assertEquals(1, exitCode(p), stderr("http"));
            assertEquals(List.of("cfs node: --http: cannot listen on " + http + ": Address already in use"),
                    stderr("http").lines().toList());
            assertFalse(Files.exists(data), "no data directory for a node that never ran");
        }
    }

    @Test
    void aSecondNodeOnOneDataDirectoryIsToldAnotherNodeUsesIt() throws Exception {
        Path data = dir.resolve("shared");
        String first = "127.0.0.32:" + freePort("127.0.0.32");
        Process a = node("first", "--listen", first, "--vnodes", "1", "--data", data.toString());
        awaitStderr("first", a, "started a new ring");

        String second = "127.0.0.33:" + freePort("127.0.0.33");
        Process b = node("second", "--listen", second, "--vnodes", "1", "--data", data.toString());
        assertEquals(1, exitCode(b), stderr("second"));
        List<String> lines = stderr("second").lines().toList();
        assertEquals(List.of("cfs node: another node (" + first + ", pid " + a.pid() + ") uses the data directory "
                + data + "; give each node its own --data"), lines);

        a.destroy();
        assertEquals(0, exitCode(a), "the first node stops cleanly: " + stderr("first"));
        Process c = node("third", "--listen", second, "--vnodes", "1", "--data", data.toString());
        awaitStderr("third", c, "started a new ring");
    }

    @Test
    void aSecondNodeOnTheSameAddressIsRefusedWhenItJoins() throws Exception {
        String first = "127.0.0.37:" + freePort("127.0.0.37");
        Process a = node("owner", "--listen", first, "--vnodes", "2", "--data", dir.resolve("owner").toString());
        awaitStderr("owner", a, "started a new ring");

        String twin = "127.0.0.37:" + freePort("127.0.0.37");
        Process b = node("twin", "--listen", twin, "--join", first, "--vnodes", "2",
                "--data", dir.resolve("twin").toString());
        assertEquals(1, exitCode(b), stderr("twin"));
        String err = stderr("twin");
        assertTrue(err.contains("cfs node: joining the ring via " + first + " failed: vnode ")
                && err.contains("of " + twin + " has the id that " + first + " already holds in the ring"), err);
        a.destroy();
        assertEquals(0, exitCode(a), "the first node stops cleanly: " + stderr("owner"));
    }

    private void awaitStderr(String name, Process p, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (stderr(name).contains(text)) {
                return;
            }
            assertTrue(p.isAlive(), "node " + name + " exited with " + (p.isAlive() ? 0 : p.exitValue())
                    + " before logging '" + text + "': " + stderr(name));
            Thread.sleep(100);
        }
        throw new AssertionError("node " + name + " did not log '" + text + "' within 60 s: " + stderr(name));
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
