package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cfs.cluster.AcceptanceScript;
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
        JsonNode figures = AcceptanceScript.runSmall("acceptance-mount", DEADLINE,
                List.of("fidelity", "readers", "programs", "replicas_down", "unmount"));
        String last = figures.toString();
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
    }
}
