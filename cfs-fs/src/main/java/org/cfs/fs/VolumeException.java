package org.cfs.fs;

import java.util.Objects;

/**
 * Why reading or publishing a volume failed, in one line that names the volume, the path and the
 * cause, typed so that callers (the CLI, the mount) can map it to an exit code or an errno.
 */
public final class VolumeException extends Exception {
    /** The failure classes. */
    public enum Kind {
        /** No signed block exists under the volume id. */
        UNKNOWN_VOLUME,
        /** The volume has no such version. */
        NO_SUCH_VERSION,
        /** A path component does not exist. */
        NO_SUCH_PATH,
        /** A path component that must be a directory is not one. */
        NOT_A_DIRECTORY,
        /** The path names a directory or symlink where a file is needed. */
        NOT_A_FILE,
        /** A block of the volume is held by none of its replicas. */
        MISSING_BLOCK,
        /** A block decodes to something the format does not allow. */
        CORRUPT,
        /** The volume's signed block has expired. */
        EXPIRED,
        /** The ring serves an older version than this client has already seen. */
        ROLLBACK,
        /** The ring did not answer in time. */
        UNAVAILABLE,
        /** A local file or directory could not be read or written. */
        IO,
        /** The request itself is wrong (a bad path, a bad option value). */
        INVALID
    }

    private final Kind kind;

    public VolumeException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public VolumeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
