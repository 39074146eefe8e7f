package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, {@code ./cfs demo --exit}, as a user runs it: it mounts, shows the
 * volume through the mount, exits 0 and leaves nothing mounted, running or on disk.
 */
@ExtendWith(RequiresFuse.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DemoScriptTest {
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    @TempDir
    Path mnt;

    @Test
    void theDemoMountsShowsAndLeavesNothingBehind() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path log = Path.of("target", "demo.log").toAbsolutePath();
        Process p = new ProcessBuilder(root.resolve("cfs").toString(), "demo", mnt.toString(), "--exit")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the demo did not end within " + DEADLINE);
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        for (String shown : List.of("$ ls -l " + mnt, "Version 1 of the sample volume",
                "hello from a script run straight from the cfs mount", "user.cfs.replicas=", "killed the host at",
                "identical to the file published", "Version 2 of the sample volume", "unmounted " + mnt)) {
            assertTrue(out.contains(shown), "the demo's output lacks '" + shown + "':\n" + out);
        }
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(mnt.toString()), "still mounted:\n" + mounts);
        try (Stream<Path> left = Files.list(mnt)) {
            assertEquals(0, left.count(), "the mount point is left empty");
        }
        assertTrue(p.descendants().findAny().isEmpty(), "a process of the demo is still running");
    }
}
