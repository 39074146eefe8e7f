package org.cfs.cluster.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.cluster.mount.RequiresFuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first step after unpacking, {@code bin/cfs demo --exit}, from a clean directory
 * with nothing of the source tree: it mounts, shows the volume, exits 0 and leaves nothing behind.
 */
@ExtendWith(RequiresFuse.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DemoFromTarballIT {
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void theDemoRunsFromTheUnpackedTarball() throws Exception {
        Path home = UnpackedRelease.unpack(dir);
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Path log = dir.resolve("demo.log");
        Process p = new ProcessBuilder(home.resolve("bin/cfs").toString(), "demo", mnt.toString(), "--exit")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertTrue(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the demo did not end within " + DEADLINE);
        } finally {
            p.destroyForcibly();
        }
        String out = UnpackedRelease.read(log);
        assertEquals(0, p.exitValue(), out);
        for (String shown : List.of("$ ls -l " + mnt, "hello from a script run straight from the cfs mount",
                "identical to the file published", "Version 2 of the sample volume", "unmounted " + mnt)) {
            assertTrue(out.contains(shown), "the demo's output lacks '" + shown + "':\n" + out);
        }
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(mnt.toString()), "still mounted");
        try (Stream<Path> left = Files.list(mnt)) {
            assertEquals(0, left.count(), "the mount point is left empty");
        }
        assertTrue(p.descendants().findAny().isEmpty(), "a process of the demo is still running");
    }
}
