package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7's acceptance as CI runs it: {@code scripts/acceptance-mount --small} (five real
 * {@code cfs node} processes, {@code cfs mount} in the background, programs reading through the
 * mount) must exit 0, and its JSON line must hold the figures of every check. Output goes to
 * {@code target/acceptance-mount.log}.
 */
@ExtendWith(RequiresFuse.class)
class MountAcceptanceTest {
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    @Test
    @Timeout(value = 11, unit = TimeUnit.MINUTES)
    void smallAcceptanceRunPasses() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("scripts/acceptance-mount");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        Path log = Path.of("target", "acceptance-mount.log").toAbsolutePath();
        Files.createDirectories(log.getParent());

        Process p = new ProcessBuilder(script.toString(), "--small")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done;
        try {
            done = p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                // SIGTERM to the script, which bash acts on once its current command ends; killing
                // the script's children ends that command, and the script's trap then unmounts and
                // removes its temporary directory. The mount processes are not its children (they
                // run under setsid): the trap ends them by pid.
                p.destroy();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "scripts/acceptance-mount --small did not finish within " + DEADLINE.toMinutes()
                + " min; output so far:\n" + output);
        assertEquals(0, p.exitValue(), "scripts/acceptance-mount --small failed:\n" + output);

        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);
        JsonNode figures = new ObjectMapper().readTree(last);
        assertEquals("small", figures.path("scale").asText(), last);
        assertFalse(figures.path("failed").asBoolean(true), last);
        for (String check : List.of("fidelity", "readers", "programs", "replicas_down", "unmount")) {
            assertTrue(figures.path(check + "_ok").asBoolean(false), check + " did not pass: " + last);
        }
        assertEquals(1, figures.path("fidelity_skipped").asLong(), last);
        assertEquals(figures.path("readers_threads").asLong() * figures.path("readers_per_reader").asLong(),
                figures.path("readers_ranges").asLong(), last);
        assertEquals(0, figures.path("readers_mismatches").asLong(-1), last);
        assertEquals(0, figures.path("readers_errors").asLong(-1), last);
        assertEquals(3, figures.path("down_holders_stopped").asLong(), last);
        for (String phase : List.of("stopped", "killed")) {
            assertTrue(figures.path("down_" + phase + "_eio").asBoolean(false), last);
            assertTrue(figures.path("down_" + phase + "_read_s").asDouble(99) <= figures.path("down_read_bound_s").asDouble(),
                    last);
        }
        assertEquals(0, figures.path("unmount_left").asLong(-1), last);
        System.out.println("acceptance-mount --small: " + last);
    }
}
