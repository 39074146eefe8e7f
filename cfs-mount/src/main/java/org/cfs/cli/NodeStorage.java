package org.cfs.cli;

import java.nio.file.Path;
import org.cfs.chord.ByteSize;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.MemoryBlockStore;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.StoreLimits;
import org.slf4j.Logger;

/** Where a node keeps its blocks: RocksDB under {@code --data}, or memory without it. */
final class NodeStorage {
    /** The store's directory under the node's data directory. */
    static final String BLOCKS_DIR = "blocks";

    private NodeStorage() {
    }

    /** The RocksDB store under {@code data}, or an in-memory store when {@code data} is null. */
    static BlockStore open(Path data, StoreLimits limits) {
        if (data == null) {
            return new MemoryBlockStore(limits);
        }
        try {
            return RocksBlockStore.open(data.resolve(BLOCKS_DIR), limits);
        } catch (DHashException e) {
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /** One line with the effective DHash settings; a warning too when blocks are not durable. */
    static void logSettings(Logger log, DHashConfig config, BlockStore store, Path data) {
        StoreLimits limits = store.limits();
        String where = data == null ? "in memory"
                : "in " + data.resolve(BLOCKS_DIR) + " (" + blocks(store.count()) + ", "
                        + ByteSize.of(store.bytes()) + " held)";
        log.info("dhash: {} replicas (a put needs {}), blocks {}, capacity {}, at most {} per remote host,"
                        + " maintenance every {} s, cache {}, request timeout {} s",
                config.replicas(), config.minReplicas(), where, limits.capacity(),
                limits.quota(), config.maintenanceInterval().toSeconds(),
                config.cacheSize(), config.requestTimeout().toSeconds());
        if (data == null) {
            log.warn("no --data: blocks are kept in memory only and are lost when this node stops"
                    + " (not durable); give --data DIR to keep them on disk");
        }
    }

    /** "1 block", "2 blocks". */
    static String blocks(long count) {
        return count + (count == 1 ? " block" : " blocks");
    }
}
