package org.cfs.fs;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.SignedBlock;

/**
 * Reads volumes: finds a volume's current signed block, refuses it if it has expired or is older
 * than one this client has seen, and opens a version as a {@link Snapshot}. Safe for many threads;
 * every block read is verified and every wait has a deadline.
 */
public final class Volumes implements MeterBinder {
    private final BlockReader reader;
    private final SeenVersions seen;
    private final Clock clock;

    /**
     * @param timeout the longest any one block read may take
     * @param cacheBytes bound on the memory cache of verified blocks
     */
    public Volumes(Blocks blocks, SeenVersions seen, Clock clock, Duration timeout, long cacheBytes) {
        this.reader = new BlockReader(blocks, timeout, cacheBytes);
        this.seen = seen;
        this.clock = clock;
    }

    /** A call on volumes that may fail. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws VolumeException;
    }

    /**
     * Runs {@code call} so that all the block reads it makes on this thread wait, together, at
     * most this reader's timeout: for a file system operation that must answer within it however
     * deep its path. Nested calls keep the outermost deadline.
     */
    public <T> T withinTimeout(Call<T> call) throws VolumeException {
        return reader.bounded(call::call);
    }

    /**
     * Registers the memory cache's hits and misses, {@code cfs.block.cache.requests} with
     * {@code cache=memory}, read when the registry is scraped.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        String what = "Reads of verified blocks from a cache, by cache and result";
        FunctionCounter.builder("cfs.block.cache.requests", reader, BlockReader::cacheHits)
                .tags("cache", "memory", "result", "hit").description(what).register(registry);
        FunctionCounter.builder("cfs.block.cache.requests", reader, BlockReader::cacheMisses)
                .tags("cache", "memory", "result", "miss").description(what).register(registry);
    }

    /** Where this reader's blocks come from. */
    public Blocks blocks() {
        return reader.blocks();
    }

    /**
     * One block as the ring serves it, verified against its key by DHash, within the timeout: for
     * a reader that wants the raw, checkable bytes (the gateway's {@code /block/KEY}). A block no
     * replica holds is {@link VolumeException.Kind#MISSING_BLOCK}.
     */
    public Block block(Id key) throws VolumeException {
        return Await.await(reader.blocks().get(key), reader.timeout(), "block " + key, key);
    }

    /** The volume's current signed block, checked against expiry and against rollback. */
    public VolumeHead head(Id volume) throws VolumeException {
        VolumeHead head = fetchHead(reader, volume);
        if (head == null) {
            throw new VolumeException(VolumeException.Kind.UNKNOWN_VOLUME, "volume " + volume
                    + ": no such volume (no signed block under this id on the ring)");
        }
        if (head.expiresAtMillis() <= clock.millis()) {
            throw new VolumeException(VolumeException.Kind.EXPIRED, "volume " + volume + ": version " + head.version()
                    + " expired at " + Instant.ofEpochMilli(head.expiresAtMillis())
                    + "; the publisher must refresh it (cfs publish --refresh)");
        }
        SeenVersions.Seen before = seen.highest(volume);
        if (head.seq() < before.seq()) {
            throw new VolumeException(VolumeException.Kind.ROLLBACK, "volume " + volume + ": the ring serves version "
                    + head.version() + " (signature " + head.seq() + ") but this client has seen version "
                    + before.version() + " (signature " + before.seq() + "); refusing to go back");
        }
        try {
            seen.saw(volume, head.seq(), head.version());
        } catch (IOException e) {
            throw new VolumeException(VolumeException.Kind.IO, "volume " + volume
                    + ": cannot record the version seen: " + e.getMessage(), e);
        }
        return head;
    }

    /** The newest version. */
    public Snapshot open(Id volume) throws VolumeException {
        VolumeHead head = head(volume);
        String where = "volume " + volume;
        Commit commit = reader.commit(head.commit(), where + " version " + head.version());
        if (commit.version() != head.version()) {
            throw BlockReader.corrupt(head.commit(), where, "the signed block names version " + head.version()
                    + " but its commit is version " + commit.version());
        }
        return new Snapshot(reader, head, head.commit(), commit);
    }

    /** Version {@code version}, found by following the chain of commits back from the newest. */
    public Snapshot open(Id volume, long version) throws VolumeException {
        Snapshot newest = open(volume);
        if (version > newest.version() || version < 1) {
            throw new VolumeException(VolumeException.Kind.NO_SUCH_VERSION, "volume " + volume + ": no version "
                    + version + "; versions are 1 to " + newest.version());
        }
        Snapshot s = newest;
        while (s.version() > version) {
            s = s.previous();
        }
        return s;
    }

    /**
     * The signed block under {@code volume} as DHash has it, expired or not, or null if the ring
     * has none: what a publisher must outrank and what a reader checks.
     */
    static VolumeHead fetchHead(BlockReader reader, Id volume) throws VolumeException {
        String where = "volume " + volume;
        Block block;
        try {
            block = Await.await(reader.blocks().getIncludingExpired(volume), reader.timeout(), () -> where);
        } catch (VolumeException e) {
            if (e.kind() == VolumeException.Kind.MISSING_BLOCK) {
                return null;
            }
            throw e;
        }
        if (!(block instanceof SignedBlock signed)) {
            throw BlockReader.corrupt(volume, where, "a volume id names a signed block, this is a content block");
        }
        try {
            VolumeRoot root = VolumeRoot.decode(signed.payload());
            return new VolumeHead(volume, signed.seq(), root.version(), root.commit(), signed.publicKey(),
                    signed.label(), signed.expiresAtMillis());
        } catch (CorruptBlockException e) {
            throw BlockReader.corrupt(volume, where, e);
        }
    }
}
