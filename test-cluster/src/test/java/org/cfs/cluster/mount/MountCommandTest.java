package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.cli.Main;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.mount.VolumeMount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cfs mount} and {@code cfs unmount} as a user runs them, on a real ring: the mount runs in
 * a background process of its own, survives the command that started it, goes away on unmount,
 * and is recovered after that process is killed; every refusal is one line and exit 1.
 */
@ExtendWith(RequiresFuse.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MountCommandTest {
    private static final Pattern PID = Pattern.compile("process (\\d+)");

    @TempDir
    static Path dir;
    private static LoopbackDHashRing ring;
    private static String via;
    private static Path config;
    private static Path mnt;
    private final List<Long> started = new ArrayList<>();

    /** One in-process run of the cfs command line. */
    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void publish() throws Exception {
        ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults().withReplicas(3),
                StoreLimits.defaults(), dir.resolve("ring"));
        ring.growSequentially(3, 1);
        ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
        via = ring.hosts().get(0).endpoint().toString();
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "hello through cfs mount\n");
        Publisher publisher = new Publisher(Blocks.of(ring.client(ring.hosts().get(0).endpoint())),
                SeenVersions.inMemory(), Clock.systemUTC(), Duration.ofSeconds(20), FastCdc.defaults(),
                new Publisher.Listener() { });
        Id volume = publisher.publish(src, SigningKey.generate(new SecureRandom()),
                "cli".getBytes(StandardCharsets.UTF_8), Publisher.Options.defaults()).volume();
        config = dir.resolve("config");
        assertEquals(0, cfs("alias", "set", "docs", volume.toHex()).code());
        mnt = Files.createDirectories(dir.resolve("mnt"));
    }

    @AfterEach
    void stopWhatWasStarted() {
        if (VolumeMount.isMounted(mnt)) {
            VolumeMount.unmount(mnt);
        }
        for (long pid : started) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @AfterAll
    static void stopRing() {
        if (ring != null) {
            ring.close();
        }
    }

    private static Run cfs(String... args) {
        CommandLine cmd = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private long mountInBackground() {
        Run run = cfs("mount", mnt.toString(), "--via", via, "--refresh", "1s", "--timeout", "10s");
        assertEquals(0, run.code(), run.err());
        Matcher m = PID.matcher(run.out());
        assertTrue(m.find(), run.out());
        long pid = Long.parseLong(m.group(1));
        started.add(pid);
        return pid;
    }

    @Test
    void mountServesInTheBackgroundAndUnmountEndsItsProcess() throws Exception {
        long pid = mountInBackground();
        assertTrue(VolumeMount.isMounted(mnt));
        assertEquals("hello through cfs mount\n", Files.readString(mnt.resolve("docs/hello.txt")));
        Run unmount = cfs("unmount", mnt.toString());
        assertEquals(0, unmount.code(), unmount.err());
        assertFalse(VolumeMount.isMounted(mnt), "still in /proc/self/mountinfo");
        ProcessHandle process = ProcessHandle.of(pid).orElse(null);
        if (process != null) {
            process.onExit().get(30, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(log());
        assertEquals("unmounted " + mnt, lines.get(lines.size() - 1), "the mount process's last words: " + lines);
        assertEquals(1, cfs("unmount", mnt.toString()).code(), "nothing left to unmount");
    }

    @Test
    void sigtermUnmountsAndEndsTheMountProcessAsUnmountDoes() throws Exception {
        long pid = mountInBackground();
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        assertTrue(process.destroy(), "SIGTERM could not be sent");
        process.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(VolumeMount.isMounted(mnt), "still in /proc/self/mountinfo after SIGTERM");
        List<String> lines = Files.readAllLines(log());
        assertEquals("unmounted " + mnt, lines.get(lines.size() - 1), "the mount process's last words: " + lines);
    }

    private static Path log() {
        return dir.resolve("config/state").resolve("mount" + mnt.toString().replaceAll("[^A-Za-z0-9._-]", "_")
                + ".log");
    }

    @Test
    void aMountWhoseProcessWasKilledIsRecoveredByTheNextMount() throws Exception {
        long pid = mountInBackground();
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
        assertThrows(IOException.class, () -> {
            try (Stream<Path> s = Files.list(mnt)) {
                s.count();
            }
        }, "a mount without its process answers nothing");
        mountInBackground();
        assertEquals("hello through cfs mount\n", Files.readString(mnt.resolve("docs/hello.txt")));
        assertEquals(0, cfs("unmount", mnt.toString()).code());
    }

    @Test
    void refusalsAreOneLineAndExitOne() throws Exception {
        Run missing = cfs("mount", dir.resolve("no-such-dir").toString(), "--via", via);
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such directory"), missing.err());

        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        Run notEmpty = cfs("mount", full.toString(), "--via", via);
        assertEquals(1, notEmpty.code());
        assertTrue(notEmpty.err().contains("is not empty"), notEmpty.err());

        Run noRing = cfs("mount", mnt.toString(), "--via", "127.0.0.1:1", "--timeout", "5s");
        assertEquals(1, noRing.code());
        assertTrue(noRing.err().contains("refused"), noRing.err());
        assertFalse(VolumeMount.isMounted(mnt), "a failed mount leaves nothing mounted");

        mountInBackground();
        Run twice = cfs("mount", mnt.toString(), "--via", via);
        assertEquals(1, twice.code());
        assertTrue(twice.err().contains("already mounted"), twice.err());
        for (Run r : List.of(missing, notEmpty, noRing, twice)) {
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        }
        assertEquals(0, cfs("unmount", mnt.toString()).code());
    }
}
