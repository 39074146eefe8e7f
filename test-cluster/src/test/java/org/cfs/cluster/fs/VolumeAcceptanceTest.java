package org.cfs.cluster.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cfs.cluster.AcceptanceScript;
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
        JsonNode figures = AcceptanceScript.runSmall("acceptance-volumes", DEADLINE, List.of("fidelity", "dedup",
                "large_directory", "versions", "expiry", "interrupted_publish", "node_killed_during_get", "memory",
                "verify"));
        String last = figures.toString();
        assertEquals(1, figures.path("fidelity_skipped").asLong(), last);
        assertTrue(figures.path("dedup_blocks_sent").asLong() <= figures.path("dedup_blocks_bound").asLong(), last);
        assertEquals(figures.path("large_dir_entries").asLong(), figures.path("large_dir_ls_lines").asLong(), last);
        assertTrue(figures.path("large_dir_cat_blocks_fetched").asLong(99) <= 6, last);
        assertEquals(3, figures.path("versions_logged").asLong(), last);
        assertTrue(figures.path("interrupt_blocks_found").asLong() > 0, last);
        assertEquals(0, figures.path("verify_missing").asLong(-1), last);
        assertEquals(0, figures.path("verify_corrupt").asLong(-1), last);
    }
}
