package org.cfs.cluster.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * Issue 6's acceptance as CI runs it: {@code scripts/acceptance-volumes --small} (five real
 * {@code cfs node} processes and the {@code cfs} command) must exit 0, and its JSON line must hold
 * the figures of every check. Output goes to {@code target/acceptance-volumes.log}.
 */
class VolumeAcceptanceTest {
    private static final Duration DEADLINE = Duration.ofMinutes(15);

    @Test
    @Timeout(value = 16, unit = TimeUnit.MINUTES)
    void smallAcceptanceRunPasses() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("scripts/acceptance-volumes");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        Path log = Path.of("target", "acceptance-volumes.log").toAbsolutePath();
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
                // the script's children ends that command, and the script's trap then removes its
                // temporary directory.
                p.destroy();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "scripts/acceptance-volumes --small did not finish within " + DEADLINE.toMinutes()
                + " min; output so far:\n" + output);
        assertEquals(0, p.exitValue(), "scripts/acceptance-volumes --small failed:\n" + output);

        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);
        JsonNode figures = new ObjectMapper().readTree(last);
        assertEquals("small", figures.path("scale").asText(), last);
        assertTrue(!figures.path("failed").asBoolean(true), last);
        for (String check : List.of("fidelity", "dedup", "large_directory", "versions", "expiry",
                "interrupted_publish", "node_killed_during_get", "memory", "verify")) {
            assertTrue(figures.path(check + "_ok").asBoolean(false), check + " did not pass: " + last);
        }
        assertEquals(1, figures.path("fidelity_skipped").asLong(), last);
        assertTrue(figures.path("dedup_blocks_sent").asLong() <= figures.path("dedup_blocks_bound").asLong(), last);
        assertEquals(figures.path("large_dir_entries").asLong(), figures.path("large_dir_ls_lines").asLong(), last);
        assertTrue(figures.path("large_dir_cat_blocks_fetched").asLong(99) <= 6, last);
        assertEquals(3, figures.path("versions_logged").asLong(), last);
        assertTrue(figures.path("interrupt_blocks_found").asLong() > 0, last);
        assertEquals(0, figures.path("verify_missing").asLong(-1), last);
        assertEquals(0, figures.path("verify_corrupt").asLong(-1), last);
        System.out.println("acceptance-volumes --small: " + last);
    }
}
