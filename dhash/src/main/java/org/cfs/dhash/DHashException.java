package org.cfs.dhash;

import java.util.Objects;

/**
 * Why a block operation failed, typed so that a server can send the reason over the wire and a
 * client can decide whether another replica is worth asking.
 */
public final class DHashException extends Exception {
    /** The failure classes. Each has a fixed wire code that never changes meaning. */
    public enum Kind {
        /** The bytes do not hash to the key they were offered or fetched under. */
        BAD_HASH(1),
        /** A signed block's signature does not verify under its public key. */
        BAD_SIGNATURE(2),
        /** A signed block is older (lower sequence number) than the one already held. */
        STALE(3),
        /** A signed block has the same sequence number as the one held but different content. */
        CONFLICT(4),
        /** The block's data or payload exceeds the size limit. */
        TOO_LARGE(5),
        /** The sender has used up its share of the store. */
        OVER_QUOTA(6),
        /** The store has no room left. */
        STORE_FULL(7),
        /** No replica holds the block. */
        NOT_FOUND(8),
        /** The block could not be reached: its replicas did not answer in time. */
        UNAVAILABLE(9),
        /** A signed block's expiry time has passed. */
        EXPIRED(10),
        /** The bytes are not a well-formed block or message. */
        MALFORMED(11),
        /** The local disk failed. */
        IO(12);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The stable number that stands for this kind on the wire. */
        public int code() {
            return code;
        }

        /**
         * The kind with the given wire code.
         *
         * @throws IllegalArgumentException if no kind has that code
         */
        public static Kind fromCode(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("no DHash error kind has the code " + code);
        }
    }

    private final Kind kind;

    public DHashException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public DHashException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "DHashException[" + kind + "]: " + getMessage();
    }
}
