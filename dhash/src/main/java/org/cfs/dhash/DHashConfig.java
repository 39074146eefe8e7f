package org.cfs.dhash;

import java.time.Duration;
import org.cfs.chord.ByteSize;

/**
 * DHash's settings, each with its unit in its type.
 *
 * @param replicas k: copies of each block, on the key's successors, one per host
 * @param minReplicas fewest acknowledged copies for a put to succeed (with a warning below k)
 * @param maxDataBytes largest block data or payload accepted
 * @param requestTimeout timeout of each store or fetch request
 * @param maintenanceInterval mean period of one maintenance round per vnode
 * @param cacheSize bound on the path cache of each host; 0 turns path caching off
 * @param digestParts sub-ranges per digest comparison in maintenance
 * @param repair when maintenance makes a new copy and what it does with copies past the first k
 */
public record DHashConfig(int replicas, int minReplicas, int maxDataBytes, Duration requestTimeout,
                          Duration maintenanceInterval, ByteSize cacheSize, int digestParts, Repair repair) {

    /** When maintenance makes a new copy of a block, and whether copies past the first k stay. */
    public enum Repair {
        /**
         * The key's first k successors hold it: any of them that lacks it gets a copy at once, and a
         * host outside them hands its copy to them and deletes it.
         */
        EXACT,
        /**
         * Carbonite (Chun et al., NSDI '06): the owner counts the current copies on itself and on
         * every host of its successor list that answers, and makes new ones, on the first hosts in
         * ring order that lack the block, only while fewer than k are reachable. Copies on hosts
         * of the successor list past the first k, such as those of a host back from a transient
         * failure, are kept and counted, so later transient failures need no new copy.
         */
        CARBONITE
    }

    public DHashConfig {
        if (replicas < 1 || replicas > 16) {
            throw new IllegalArgumentException("replicas is " + replicas + ", must be in 1..16");
        }
        if (minReplicas < 1 || minReplicas > replicas) {
            throw new IllegalArgumentException("minReplicas is " + minReplicas + ", must be in 1.." + replicas);
        }
        if (maxDataBytes < 1 || maxDataBytes > 3 * 1024 * 1024) {
            throw new IllegalArgumentException("maxDataBytes is " + maxDataBytes + ", must be in 1..3145728");
        }
        if (digestParts < 2 || digestParts > DHashMessages.MAX_PARTS) {
            throw new IllegalArgumentException("digestParts is " + digestParts + ", must be in 2.." + DHashMessages.MAX_PARTS);
        }
        if (cacheSize == null) {
            throw new IllegalArgumentException("cacheSize is null; give ByteSize.of(0) to turn path caching off");
        }
        if (repair == null) {
            throw new IllegalArgumentException("repair is null; give Repair.EXACT or Repair.CARBONITE");
        }
        positive("requestTimeout", requestTimeout);
        positive("maintenanceInterval", maintenanceInterval);
    }

    public static DHashConfig defaults() {
        return new DHashConfig(3, 2, Block.DEFAULT_MAX_DATA, Duration.ofSeconds(5), Duration.ofSeconds(10),
                ByteSize.ofMiB(64), 64, Repair.EXACT);
    }

    /** k copies; at least {@code min(2, k)} must be acknowledged. */
    public DHashConfig withReplicas(int k) {
        return new DHashConfig(k, Math.min(minReplicas, k), maxDataBytes, requestTimeout, maintenanceInterval,
                cacheSize, digestParts, repair);
    }

    public DHashConfig withMinReplicas(int min) {
        return new DHashConfig(replicas, min, maxDataBytes, requestTimeout, maintenanceInterval, cacheSize,
                digestParts, repair);
    }

    public DHashConfig withMaintenanceInterval(Duration interval) {
        return new DHashConfig(replicas, minReplicas, maxDataBytes, requestTimeout, interval, cacheSize,
                digestParts, repair);
    }

    public DHashConfig withCacheSize(ByteSize size) {
        return new DHashConfig(replicas, minReplicas, maxDataBytes, requestTimeout, maintenanceInterval, size,
                digestParts, repair);
    }

    public DHashConfig withRequestTimeout(Duration timeout) {
        return new DHashConfig(replicas, minReplicas, maxDataBytes, timeout, maintenanceInterval, cacheSize,
                digestParts, repair);
    }

    public DHashConfig withRepair(Repair policy) {
        return new DHashConfig(replicas, minReplicas, maxDataBytes, requestTimeout, maintenanceInterval, cacheSize,
                digestParts, policy);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
