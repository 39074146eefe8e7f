package org.cfs.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.SystemScheduler;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.PutResult;

/**
 * DHash seen from outside the ring, for the block commands: a client transport, its event loop
 * and a DHash client working through one node, closed together. Every call waits within the
 * command's timeout and turns a failure into the one line the user sees.
 */
final class RemoteBlocks implements AutoCloseable {
    private final SystemScheduler scheduler;
    private final Transport transport;
    private final DHash dhash;
    private final Endpoint via;
    private final DHashConfig config;
    private final Duration timeout;

    RemoteBlocks(Endpoint via, DHashConfig config, Duration timeout) {
        this.via = via;
        this.config = config;
        this.timeout = timeout;
        scheduler = SystemScheduler.create("cfs-block");
        transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults());
        ChordClient chord = new ChordClient(transport, scheduler, ChordConfig.defaults());
        dhash = DHash.client(chord, via, transport, scheduler, config, Clock.systemUTC());
    }

    PutResult put(Block block) {
        return await(dhash.put(block), block.key(), "storing");
    }

    /** The block, verified against its key. */
    Block get(Id key) {
        return await(dhash.get(key), key, "fetching");
    }

    BlockStat stat(Id key) {
        return await(dhash.stat(key), key, "asking about");
    }

    private <T> T await(CompletableFuture<T> operation, Id key, String what) {
        try {
            return operation.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            operation.cancel(false);
            throw new CommandFailedException(what + " block " + key + " via " + via + " did not finish within "
                    + Await.seconds(timeout), e);
        } catch (ExecutionException e) {
            throw BlockFailure.of(key, e.getCause(), via, config.replicas());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(what + " block " + key + " was interrupted", e);
        }
    }

    @Override
    public void close() {
        dhash.close();
        transport.close();
        scheduler.close();
    }
}
