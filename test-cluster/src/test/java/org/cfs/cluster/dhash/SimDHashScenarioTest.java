package org.cfs.cluster.dhash;

import org.cfs.cluster.DHashCluster;
import org.cfs.cluster.LoopbackRing;
import org.cfs.cluster.sim.SimDHashRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.StoreLimits;

/** The DHash scenario on the simulator: in-memory stores on virtual time, deterministic from its seed. */
class SimDHashScenarioTest extends DHashScenarioTest {

    @Override
    protected DHashCluster create(DHashConfig config) {
        return new SimDHashRing(3, LoopbackRing.loopbackConfig(), config, StoreLimits.defaults());
    }
}
