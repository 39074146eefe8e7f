package org.cfs.mount;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The mount's FUSE operations, counted and timed per operation ({@code cfs.fuse.operations}), with
 * failures counted per operation and errno ({@code cfs.fuse.errors}) and the bytes reads returned
 * ({@code cfs.fuse.read}). Every meter is made here, once, so a call only finds it in an array.
 */
final class FuseMeters {
    /** The operations a read-only mount answers. */
    enum Op { GETATTR, READDIR, OPEN, READ, RELEASE, READLINK, GETXATTR, LISTXATTR, STATFS }

    private static final Map<Integer, String> ERRNO_NAMES = errnoNames();

    private final EnumMap<Op, Timer> timers = new EnumMap<>(Op.class);
    private final EnumMap<Op, Map<Integer, Counter>> errors = new EnumMap<>(Op.class);
    private final EnumMap<Op, Counter> otherErrors = new EnumMap<>(Op.class);
    private final Counter bytesRead;

    FuseMeters(MeterRegistry registry) {
        for (Op op : Op.values()) {
            String name = op.name().toLowerCase(java.util.Locale.ROOT);
            timers.put(op, Timer.builder("cfs.fuse.operations").tag("op", name)
                    .description("FUSE operations answered, by operation, with their time")
                    .register(registry));
            Map<Integer, Counter> byErrno = new HashMap<>();
            ERRNO_NAMES.forEach((errno, errnoName) -> byErrno.put(errno, error(registry, name, errnoName)));
            errors.put(op, Map.copyOf(byErrno));
            otherErrors.put(op, error(registry, name, "other"));
        }
        bytesRead = Counter.builder("cfs.fuse.read").baseUnit("bytes")
                .description("Bytes FUSE reads returned").register(registry);
    }

    private static Counter error(MeterRegistry registry, String op, String errno) {
        return Counter.builder("cfs.fuse.errors").tags("op", op, "errno", errno)
                .description("FUSE operations answered with an error, by operation and errno")
                .register(registry);
    }

    /** The errnos the mount answers with, by their number on this platform. */
    private static Map<Integer, String> errnoNames() {
        Map<Integer, String> names = new HashMap<>();
        names.put(ErrorCodes.ENOENT(), "ENOENT");
        names.put(ErrorCodes.ENOTDIR(), "ENOTDIR");
        names.put(ErrorCodes.EISDIR(), "EISDIR");
        names.put(ErrorCodes.EINVAL(), "EINVAL");
        names.put(ErrorCodes.EIO(), "EIO");
        names.put(ErrorCodes.EROFS(), "EROFS");
        names.put(ErrorCodes.ERANGE(), "ERANGE");
        names.put(ErrorCodes.ENODATA(), "ENODATA");
        return Map.copyOf(names);
    }

    /**
     * Records one answered operation that began at {@code startNanos} ({@link System#nanoTime})
     * and returns its result unchanged: negative is an errno.
     */
    int record(Op op, long startNanos, int result) {
        timers.get(op).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (result < 0) {
            Counter counter = errors.get(op).get(-result);
            (counter != null ? counter : otherErrors.get(op)).increment();
        }
        return result;
    }

    void read(int bytes) {
        bytesRead.increment(bytes);
    }
}
