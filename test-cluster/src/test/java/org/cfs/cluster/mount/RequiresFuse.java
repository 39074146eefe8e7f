package org.cfs.cluster.mount;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where a FUSE mount can be made: /dev/fuse is there and libfuse2 loads.
 * Elsewhere the class is skipped, unless {@code CFS_REQUIRE_FUSE=1} (as CI sets), where a skip
 * would hide a broken mount and so fails instead.
 */
public final class RequiresFuse implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if ("1".equals(System.getenv("CFS_REQUIRE_FUSE"))) {
            throw new AssertionError("CFS_REQUIRE_FUSE=1 but FUSE tests cannot run: " + missing);
        }
        Assumptions.abort("FUSE tests skipped: " + missing);
    }

    /** Why no mount can be made here, or null if one can. */
    static String missing() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return "no /dev/fuse";
        }
        try {
            Class.forName("ru.serce.jnrfuse.AbstractFuseFS", true, RequiresFuse.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "libfuse2 does not load (" + e + "); install it: apt-get install libfuse2";
        }
    }
}
