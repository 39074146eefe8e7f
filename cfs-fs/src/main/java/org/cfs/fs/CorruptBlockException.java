package org.cfs.fs;

/**
 * A block that verified against its key but does not decode to a well-formed, canonical part of a
 * volume. The reader adds the volume, the path and the block key before a user sees it.
 */
final class CorruptBlockException extends Exception {
    CorruptBlockException(String why) {
        super(why);
    }
}
