package org.cfs.fs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.cfs.chord.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots a long-running reader (the mount, the gateway) serves: a volume's newest version,
 * looked up again once {@code refresh} has passed, and versions named by number, kept open. Until
 * the refresh interval has passed, and if the ring cannot be reached then, the newest version
 * already known is served; an expired or rolled-back volume fails at once.
 */
public final class VolumeSnapshots {
    private static final Logger log = LoggerFactory.getLogger(VolumeSnapshots.class);
    /** Versions named by number that are kept open at once. */
    static final int PINNED_VERSIONS = 256;

    private final Volumes volumes;
    private final Clock clock;
    private final Duration refresh;
    private final Map<Id, Newest> newest = new ConcurrentHashMap<>();
    private final Cache<VersionKey, Snapshot> pinned = Caffeine.newBuilder().maximumSize(PINNED_VERSIONS).build();

    /** The newest snapshot of a volume known so far and when it was looked up. */
    private record Newest(Snapshot snapshot, long checkedAtMillis) {
    }

    private record VersionKey(Id volume, long version) {
    }

    public VolumeSnapshots(Volumes volumes, Clock clock, Duration refresh) {
        this.volumes = Objects.requireNonNull(volumes, "volumes");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    public Volumes volumes() {
        return volumes;
    }

    /** Version {@code version} (at least 1) of the volume. */
    public Snapshot version(Id volume, long version) throws VolumeException {
        VersionKey key = new VersionKey(volume, version);
        Snapshot s = pinned.getIfPresent(key);
        if (s == null) {
            Snapshot newestKnown = newest(volume);
            s = version == newestKnown.version() ? newestKnown : volumes.open(volume, version);
            pinned.put(key, s);
        }
        return s;
    }

    /** The volume's newest version, as looked up at most {@code refresh} ago. */
    public Snapshot newest(Id volume) throws VolumeException {
        long now = clock.millis();
        Newest known = newest.get(volume);
        if (known != null && now - known.checkedAtMillis() < refresh.toMillis()) {
            return known.snapshot();
        }
        try {
            Snapshot s = volumes.open(volume);
            if (known == null || s.version() != known.snapshot().version()) {
                log.info("volume {}: serving version {}", volume, s.version());
            }
            newest.put(volume, new Newest(s, now));
            return s;
        } catch (VolumeException e) {
            if (known == null || e.kind() == VolumeException.Kind.EXPIRED || e.kind() == VolumeException.Kind.ROLLBACK) {
                throw e;
            }
            // The ring is away for now: go on serving the version known, and try again next time.
            log.warn("volume {}: cannot look for a newer version, still serving version {}: {}",
                    volume, known.snapshot().version(), e.getMessage());
            newest.put(volume, new Newest(known.snapshot(), now));
            return known.snapshot();
        }
    }
}
