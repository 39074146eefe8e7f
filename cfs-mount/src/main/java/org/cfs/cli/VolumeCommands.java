package org.cfs.cli;

import java.nio.file.Path;
import org.cfs.dhash.DHashConfig;
import org.cfs.fs.VolumeException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the volume commands share: where the ring is, the client's config and state directories,
 * and turning a {@link VolumeException} into the one line a user sees.
 */
final class VolumeCommands {
    /** Bound on the reader's memory cache of verified blocks. */
    static final long CACHE_BYTES = 32L << 20;
    /** Chunks a streaming read keeps in flight. */
    static final int READ_AHEAD = 32;

    @Mixin
    RingAddress ring;

    /** Something a volume command does that may fail with a VolumeException. */
    @FunctionalInterface
    interface VolumeCall<T> {
        T call() throws VolumeException;
    }

    /** Runs {@code call}, failing the command with the exception's one-line message. */
    static <T> T run(VolumeCall<T> call) {
        try {
            return call.call();
        } catch (VolumeException e) {
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /** Connects to the ring with the default replica count; closes with the command. */
    RemoteVolumes connect(CommandSpec spec) {
        return connect(spec, DHashConfig.defaults());
    }

    RemoteVolumes connect(CommandSpec spec, DHashConfig config) {
        ring.validate(spec);
        return new RemoteVolumes(ring.via, config, ring.timeout(), stateDir(spec));
    }

    static ConfigDir config(CommandSpec spec) {
        return ConfigDir.of(spec);
    }

    static Path stateDir(CommandSpec spec) {
        return ClientDirs.state(((Main) spec.root().userObject()).configDir(), System.getenv());
    }

    static Path cacheDir(CommandSpec spec) {
        return ClientDirs.cache(((Main) spec.root().userObject()).configDir(), System.getenv());
    }
}
