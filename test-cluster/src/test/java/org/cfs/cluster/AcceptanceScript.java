package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the acceptance scripts ({@code scripts/acceptance-*}) with {@code --small}, as CI
 * does, and hands back its figures: the script must exit 0 within the deadline and end with one
 * JSON line of scale "small", not failed, with every named check passed. Output goes to
 * {@code target/NAME.log}.
 */
public final class AcceptanceScript {
    private AcceptanceScript() {
    }

    /** The figures of {@code scripts/NAME --small}, checked as above. */
    public static JsonNode runSmall(String name, Duration deadline, List<String> checks) throws IOException,
            InterruptedException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("scripts").resolve(name);
        assertTrue(Files.isExecutable(script), script + " is not executable");
        Path log = Path.of("target", name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(script.toString(), "--small")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done;
        try {
            done = p.waitFor(deadline.toSeconds(), TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                // SIGTERM to the script, which bash acts on once its current command ends; killing
                // the script's children ends that command, and the script's trap then cleans up
                // (and ends, by pid, what it started outside its children, such as mount processes).
                p.destroy();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "scripts/" + name + " --small did not finish within " + deadline.toMinutes()
                + " min; output so far:\n" + output);
        assertEquals(0, p.exitValue(), "scripts/" + name + " --small failed:\n" + output);
        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);
        JsonNode figures = new ObjectMapper().readTree(last);
        assertEquals("small", figures.path("scale").asText(), last);
        assertFalse(figures.path("failed").asBoolean(true), last);
        for (String check : checks) {
            assertTrue(figures.path(check + "_ok").asBoolean(false), check + " did not pass: " + last);
        }
        System.out.println(name + " --small: " + last);
        return figures;
    }
}
