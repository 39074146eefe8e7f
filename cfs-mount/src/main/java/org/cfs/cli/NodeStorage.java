package org.cfs.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.dhash.BlockStore;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.MemoryBlockStore;
import org.cfs.dhash.RocksBlockStore;
import org.cfs.dhash.StoreLimits;
import org.slf4j.Logger;

/**
 * Where a node keeps its blocks: RocksDB under {@code --data}, or memory without it. A data
 * directory belongs to one node at a time; it stays locked until {@link #close}.
 */
final class NodeStorage implements AutoCloseable {
    /** The store's directory under the node's data directory. */
    static final String BLOCKS_DIR = "blocks";
    /** The file in the data directory that the running node locks and names itself in. */
    static final String LOCK_FILE = "node.lock";

    private final BlockStore store;
    private final FileChannel lock;

    private NodeStorage(BlockStore store, FileChannel lock) {
        this.store = store;
        this.lock = lock;
    }

    /**
     * The RocksDB store under {@code data}, created if missing and locked for {@code node}, or an
     * in-memory store when {@code data} is null.
     */
    static NodeStorage open(Path data, Endpoint node, StoreLimits limits) {
        if (data == null) {
            return new NodeStorage(new MemoryBlockStore(limits), null);
        }
        FileChannel lock = lock(data, node);
        try {
            return new NodeStorage(RocksBlockStore.open(data.resolve(BLOCKS_DIR), limits), lock);
        } catch (DHashException e) {
            release(lock);
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /**
     * Fails when another node holds {@code data}, creating and changing nothing, so a node can say
     * so before it binds its port; {@link #open} still checks, for a node that starts in between.
     */
    static void checkFree(Path data) {
        if (data == null || !Files.isRegularFile(data.resolve(LOCK_FILE))) {
            return;
        }
        Path file = data.resolve(LOCK_FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (tryLock(channel) == null) {
                throw inUse(data, file);
            }
        } catch (IOException e) {
            throw FileFailure.of("lock", file, e);
        }
    }

    BlockStore store() {
        return store;
    }

    /** Closes the store, then lets another node have the data directory. */
    @Override
    public void close() {
        try {
            store.close();
        } finally {
            if (lock != null) {
                release(lock);
            }
        }
    }

    /**
     * Creates {@code data} if missing and takes the lock on its lock file, writing who holds it.
     * An OS lock rather than the file's existence, so a node that was killed leaves nothing stale;
     * and our own, so a second node is told plainly instead of by RocksDB's lock error.
     */
    private static FileChannel lock(Path data, Endpoint node) {
        try {
            Files.createDirectories(data);
        } catch (FileAlreadyExistsException e) {
            throw new CommandFailedException("cannot use --data " + data + ": it is a file, not a directory", e);
        } catch (IOException e) {
            throw FileFailure.of("create the data directory", data, e);
        }
        Path file = data.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw FileFailure.of("open", file, e);
        }
        try {
            if (tryLock(channel) == null) {
                release(channel);
                throw inUse(data, file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((node + ", pid " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            return channel;
        } catch (IOException e) {
            release(channel);
            throw FileFailure.of("lock", file, e);
        }
    }

    /** "another node (127.0.0.1:7000, pid 4242) uses the data directory DIR; ...". */
    private static CommandFailedException inUse(Path data, Path lockFile) throws IOException {
        String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).strip();
        return new CommandFailedException("another node" + (holder.isEmpty() ? "" : " (" + holder + ")")
                + " uses the data directory " + data + "; give each node its own --data");
    }

    /**
     * The lock, or null when another process, or another node in this one, holds it. Within one
     * process the refusal comes from the JVM's own lock table: closing the refused channel may drop
     * the process's OS lock (POSIX semantics), which only matters where one process runs two nodes.
     */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** Closing the channel releases its lock. */
    private static void release(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The lock goes with the channel whether or not close reports an error.
        }
    }

    /** One line with the effective DHash settings; a warning too when blocks are not durable. */
    static void logSettings(Logger log, DHashConfig config, BlockStore store, Path data) {
        StoreLimits limits = store.limits();
        String where = data == null ? "in memory"
                : "in " + data.resolve(BLOCKS_DIR) + " (" + blocks(store.count()) + ", "
                        + ByteSize.of(store.bytes()) + " held)";
        log.info("dhash: {} replicas (a put needs {}), blocks {}, capacity {}, at most {} per remote host,"
                        + " maintenance every {} s ({} repair), cache {}, request timeout {} s",
                config.replicas(), config.minReplicas(), where, limits.capacity(),
                limits.quota(), config.maintenanceInterval().toSeconds(),
                NodeCommand.RepairConverter.name(config.repair()),
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
