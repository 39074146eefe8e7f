package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The release's systemd unit (cfs-dist) fits the node: it runs {@code node --config}, stops it with
 * SIGTERM and waits longer than the node's bounded hand-over and leave before killing it.
 * (test-cluster's SystemdUnitIT runs systemd-analyze verify on it.)
 */
class NodeServiceUnitTest {
    // Surefire runs in the module's directory; the unit is cfs-dist's.
    private static final Path UNIT = Path.of("..", "cfs-dist", "src", "share", "systemd", "cfs-node.service");

    private static String value(List<String> unit, String key) {
        List<String> values = unit.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .toList();
        assertEquals(1, values.size(), key + " once in the unit: " + values);
        return values.get(0);
    }

    @Test
    void theUnitStopsTheNodeGracefullyAndWaitsLongerThanItsStop() throws Exception {
        List<String> unit = Files.readAllLines(UNIT);
        assertEquals("/opt/cfs/bin/cfs node --config /etc/cfs/node.conf", value(unit, "ExecStart"));
        assertEquals("SIGTERM", value(unit, "KillSignal"));
        assertEquals("on-failure", value(unit, "Restart"));
        Duration stop = Duration.ofSeconds(Long.parseLong(value(unit, "TimeoutStopSec")));
        Duration graceful = NodeCommand.HAND_OVER_TIMEOUT.plus(NodeCommand.LEAVE_TIMEOUT);
        assertTrue(stop.compareTo(graceful.plusSeconds(10)) >= 0,
                "TimeoutStopSec " + stop + " leaves the node's hand-over and leave (" + graceful + ") 10 s to close");
    }

    @Test
    void theSampleConfigKeepsBlocksInTheUnitsStateDirectory() throws Exception {
        List<String> unit = Files.readAllLines(UNIT);
        assertEquals("cfs", value(unit, "StateDirectory"));
        List<String> sample = Files.readAllLines(UNIT.resolveSibling("../cfs/node.conf").normalize());
        assertTrue(sample.contains("data = /var/lib/cfs"), "the sample's data is /var/lib/<StateDirectory>");
    }
}
