package org.cfs.cluster.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The release's systemd unit passes {@code systemd-analyze verify} without a warning. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SystemdUnitIT {
    private static final String INSTALLED = "/opt/cfs/bin/cfs";

    @TempDir
    Path dir;

    /**
     * verify refuses a unit whose ExecStart binary does not exist, and /opt/cfs is where the README
     * installs the release, not where this test unpacked it: so it checks a copy of the unit whose
     * ExecStart is the unpacked bin/cfs, the only line changed. It warns, exit 0, of unknown keys,
     * so its output must be empty too.
     */
    @Test
    void theUnitVerifiesWithItsBinaryWhereTheTarballWasUnpacked() throws Exception {
        Assumptions.assumeTrue(UnpackedRelease.run(dir, Map.of(), Duration.ofSeconds(30), "sh", "-c",
                "command -v systemd-analyze").exitCode() == 0, "systemd-analyze is not installed");
        Path home = UnpackedRelease.unpack(Files.createDirectory(dir.resolve("release")));
        String unit = Files.readString(home.resolve("share/systemd/cfs-node.service"));
        String execStart = "ExecStart=" + INSTALLED + " node --config /etc/cfs/node.conf\n";
        assertEquals(1, unit.split(execStart, -1).length - 1, "one ExecStart, running the node with its config:\n" + unit);
        Path copy = Files.createDirectory(dir.resolve("units")).resolve("cfs-node.service");
        Files.writeString(copy, unit.replace(execStart, execStart.replace(INSTALLED, home.resolve("bin/cfs").toString())));

        UnpackedRelease.Run run = UnpackedRelease.run(dir, Map.of(), Duration.ofMinutes(1),
                "systemd-analyze", "verify", copy.toString());
        assertEquals(new UnpackedRelease.Run(0, ""), run, "systemd-analyze verify " + copy);
    }
}
