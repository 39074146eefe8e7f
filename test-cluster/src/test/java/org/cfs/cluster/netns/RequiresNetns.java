package org.cfs.cluster.netns;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where network namespaces can be made (root, iproute2). Elsewhere the
 * class is skipped, unless {@code CFS_REQUIRE_NETNS=1} (as CI sets), where a skip would hide a
 * broken cluster and so fails instead.
 */
public final class RequiresNetns implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        String missing = NetnsNetwork.unavailable();
        if (missing == null) {
            return;
        }
        if ("1".equals(System.getenv("CFS_REQUIRE_NETNS"))) {
            throw new AssertionError("CFS_REQUIRE_NETNS=1 but network namespace tests cannot run: " + missing);
        }
        Assumptions.abort("network namespace tests skipped: " + missing);
    }
}
