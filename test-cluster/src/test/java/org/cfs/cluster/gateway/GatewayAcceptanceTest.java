package org.cfs.cluster.gateway;

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
 * Issue 8's acceptance of the HTTP gateway as CI runs it: {@code scripts/acceptance-gateway
 * --small} (five real {@code cfs node} processes, one serving {@code --http}, and a separate
 * {@code cfs gateway}, driven by curl, wget and python3) must exit 0, and its JSON line must hold
 * the figures of every check. Output goes to {@code target/acceptance-gateway.log}.
 */
class GatewayAcceptanceTest {
    private static final Duration DEADLINE = Duration.ofMinutes(8);

    @Test
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void smallAcceptanceRunPasses() throws Exception {
        JsonNode figures = AcceptanceScript.runSmall("acceptance-gateway", DEADLINE,
                List.of("fidelity", "hostile", "sigterm"));
        String last = figures.toString();
        for (String side : List.of("gateway", "node")) {
            assertEquals(figures.path("fidelity_" + side + "_curl_files").asLong(),
                    figures.path("fidelity_" + side + "_curl_matched").asLong(-1), last);
            assertTrue(figures.path("fidelity_" + side + "_range_ok").asBoolean(false), last);
            assertEquals(304, figures.path("fidelity_" + side + "_if_none_match").asInt(), last);
        }
        for (String path : List.of("hostile_dotdot", "hostile_pct2e2e", "hostile_pct00")) {
            assertEquals(400, figures.path(path).asInt(), last);
        }
        assertEquals(1000, figures.path("hostile_flood_connected").asLong(), last);
        assertEquals(0, figures.path("hostile_slow_during_bad").asLong(-1), last);
        assertEquals(0, figures.path("hostile_flood_during_bad").asLong(-1), last);
        assertTrue(figures.path("hostile_flood_rss_peak_mib").asLong(Long.MAX_VALUE)
                <= figures.path("hostile_rss_bound_mib").asLong(), last);
        assertEquals(0, figures.path("sigterm_exit").asInt(-1), last);
    }
}
