package org.cfs.cluster.dhash;

import java.nio.file.Path;
import org.cfs.cluster.DHashCluster;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.io.TempDir;

/** The DHash scenario over Netty on loopback, each host on an address and a RocksDB store of its own. */
class LoopbackDHashScenarioTest extends DHashScenarioTest {
    @TempDir
    Path dir;

    @Override
    protected DHashCluster create(DHashConfig config) {
        return new LoopbackDHashRing(LoopbackRing.loopbackConfig(), config, StoreLimits.defaults(), dir);
    }
}
