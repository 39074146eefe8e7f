package org.cfs.fs;

import java.time.Duration;
import org.cfs.chord.Id;

/**
 * What a publish did.
 *
 * @param volume the volume id
 * @param version the version now current (the previous one if {@code unchanged})
 * @param unchanged true if the tree was the same as the current version's and no version was made
 * @param commit the current version's commit block
 * @param expiresAtMillis when the new signature expires
 * @param files regular files and symlinks published
 * @param directories directories published, the root included
 * @param bytes bytes of the regular files
 * @param blocksSent content blocks that had to be sent to at least one replica
 * @param bytesSent bytes sent over the wire for them, every replica's copy counted
 * @param blocksFound content blocks every replica held already
 * @param bytesFound their bytes
 * @param skipped sockets, fifos and devices left out
 * @param elapsed how long the publish took
 */
public record Publication(Id volume, long version, boolean unchanged, Id commit, long expiresAtMillis, long files,
                          long directories, long bytes, long blocksSent, long bytesSent, long blocksFound,
                          long bytesFound, long skipped, Duration elapsed) {
}
