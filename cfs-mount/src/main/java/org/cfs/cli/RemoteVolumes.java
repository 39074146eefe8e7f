package org.cfs.cli;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.Block;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.fs.Blocks;
import org.cfs.fs.DiskBlockCache;
import org.cfs.fs.FastCdc;
import org.cfs.fs.ForwardingBlocks;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.Snapshot;
import org.cfs.fs.Volumes;

/**
 * Volumes seen from outside the ring, for the volume commands: a DHash client through one node,
 * the record of versions seen, and counts of the blocks fetched, closed together.
 */
final class RemoteVolumes implements AutoCloseable {
    private final SystemScheduler scheduler;
    private final Transport transport;
    private final DHash dhash;
    private final Blocks blocks;
    private final Duration timeout;
    private final SeenVersions seen;
    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();

    RemoteVolumes(Endpoint via, DHashConfig config, Duration timeout, Path stateDir) {
        this(via, config, timeout, stateDir, null);
    }

    /** @param registry where lookups are counted and timed, or null for nowhere */
    RemoteVolumes(Endpoint via, DHashConfig config, Duration timeout, Path stateDir, MeterRegistry registry) {
        this.timeout = timeout;
        try {
            seen = SeenVersions.inDirectory(stateDir);
        } catch (IOException e) {
            throw new CommandFailedException("cannot read the versions seen under " + stateDir + ": " + e.getMessage(), e);
        }
        scheduler = SystemScheduler.create("cfs-volume");
        transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults());
        ChordClient chord = registry == null ? new ChordClient(transport, scheduler, ChordConfig.defaults())
                : new ChordClient(transport, scheduler, ChordConfig.defaults(), registry);
        dhash = DHash.client(chord, via, transport, scheduler, config.withRequestTimeout(
                timeout.compareTo(config.requestTimeout()) < 0 ? timeout : config.requestTimeout()), Clock.systemUTC());
        blocks = new ForwardingBlocks(Blocks.of(dhash)) {
            @Override
            public CompletableFuture<Block> get(Id key) {
                return counted(inner().get(key));
            }

            @Override
            public CompletableFuture<Block> getIncludingExpired(Id key) {
                return counted(inner().getIncludingExpired(key));
            }
        };
    }

    private CompletableFuture<Block> counted(CompletableFuture<Block> f) {
        return f.whenComplete((b, e) -> {
            if (b != null) {
                fetched.incrementAndGet();
                fetchedBytes.addAndGet(b.size());
            }
        });
    }

    DHash dhash() {
        return dhash;
    }

    Transport transport() {
        return transport;
    }

    /** A reader of volumes with {@code memoryBytes} of memory for verified blocks and no disk cache. */
    Volumes volumes(long memoryBytes) {
        return new Volumes(blocks, seen, Clock.systemUTC(), timeout, memoryBytes);
    }

    /**
     * A reader of volumes with {@code memoryBytes} of memory for verified blocks, in front of the
     * disk cache {@code disk}, which {@code writes} fills off the network's threads.
     */
    Volumes volumes(long memoryBytes, DiskBlockCache disk, Executor writes) {
        return new Volumes(DiskBlockCache.cached(blocks, disk, writes), seen, Clock.systemUTC(), timeout, memoryBytes);
    }

    /** The snapshot {@code VOL[@N]} names: version N, else the newest. */
    Snapshot open(Id volume, VolumeSpec at) {
        Volumes volumes = volumes(VolumeCommands.CACHE_BYTES);
        return VolumeCommands.run(() -> at.version().isPresent() ? volumes.open(volume, at.version().getAsLong())
                : volumes.open(volume));
    }

    Publisher publisher(Publisher.Listener listener) {
        return new Publisher(blocks, seen, Clock.systemUTC(), timeout, FastCdc.defaults(), listener);
    }

    /** Blocks fetched from the ring so far (a cached block counts once). */
    long blocksFetched() {
        return fetched.get();
    }

    long bytesFetched() {
        return fetchedBytes.get();
    }

    @Override
    public void close() {
        dhash.close();
        transport.close();
        scheduler.close();
    }
}
