package org.cfs.cluster.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The namespaces, links and routes a {@link NetnsNetwork} makes, and that nothing of it is left after. */
@ExtendWith(RequiresNetns.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetnsNetworkTest {
    private static String ip(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "ip finishes");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String tag() {
        return "cfs" + ProcessHandle.current().pid();
    }

    @Test
    void hostsHaveTheirOwnNamespaceAndAddressAndTheCutIsBothWays() throws Exception {
        String namespaces;
        try (NetnsNetwork net = NetnsNetwork.create(3)) {
            assertEquals(List.of(tag() + "n0", tag() + "n1", tag() + "n2"), net.namespaces());
            namespaces = ip("ip", "netns", "list");
            for (int i = 0; i < 3; i++) {
                assertTrue(namespaces.contains(net.namespace(i)), namespaces);
                assertTrue(ip("ip", "-n", net.namespace(i), "-4", "addr", "show", "eth0").contains(net.address(i) + "/24"));
            }
            assertTrue(ip("ip", "-4", "addr", "show", tag() + "b").contains(net.bridgeAddress() + "/24"));

            net.cut(Set.of(0));
            String routes0 = ip("ip", "-n", net.namespace(0), "route");
            assertTrue(routes0.contains("blackhole " + net.address(1)) && routes0.contains("blackhole " + net.address(2)), routes0);
            String routes1 = ip("ip", "-n", net.namespace(1), "route");
            assertTrue(routes1.contains("blackhole " + net.address(0)) && !routes1.contains("blackhole " + net.address(2)), routes1);
            assertFalse(routes0.contains("blackhole " + net.bridgeAddress()), "the bridge address stays reachable");
            net.heal(Set.of(0));
            assertFalse(ip("ip", "-n", net.namespace(0), "route").contains("blackhole"));
        }
        assertFalse(ip("ip", "netns", "list").contains(tag() + "n"), "namespaces removed");
        assertFalse(ip("ip", "-o", "link", "show").contains(tag()), "links removed");
    }

    @Test
    void leftoversOfADeadRunAreSweptAndThoseOfALiveOneKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String dead = "cfs" + gone.pid();
        String live = tag();
        try {
            ip("ip", "netns", "add", dead + "n0");
            ip("ip", "link", "add", dead + "b", "type", "bridge");
            ip("ip", "netns", "add", live + "n99");
            NetnsNetwork.sweep();
            assertFalse(ip("ip", "netns", "list").contains(dead + "n0"), "the dead run's namespace is gone");
            assertFalse(ip("ip", "-o", "link", "show").contains(dead + "b"), "the dead run's bridge is gone");
            assertTrue(ip("ip", "netns", "list").contains(live + "n99"), "a live run's namespace stays");
        } finally {
            cleanUp(dead + "n0", dead + "b", live + "n99");
        }
    }

    /** Deletes what the test made by hand, whatever the sweep did ({@code ip} fails harmlessly on what is gone). */
    private static void cleanUp(String deadNs, String deadBridge, String liveNs) throws Exception {
        ip("ip", "netns", "del", deadNs);
        ip("ip", "link", "del", deadBridge);
        ip("ip", "netns", "del", liveNs);
    }
}
