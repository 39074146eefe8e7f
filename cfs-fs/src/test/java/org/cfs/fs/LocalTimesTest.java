package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact mtimes on symlinks through utimensat, and why Java's own call is not enough. */
class LocalTimesTest {
    private static final long WHEN = 1_650_000_000_987_654_321L;
    private static final long BEFORE_1970 = -1_234_567_891L;

    @TempDir
    Path dir;

    private static long mtime(Path p) throws IOException {
        Instant i = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void setsASymlinksOwnTimeToTheNanosecondAndLeavesItsTargetAlone() throws Exception {
        assertTrue(LocalTimes.exact(), "utimensat unavailable: " + LocalTimes.whyInexact());
        Path target = Files.write(dir.resolve("target"), new byte[] {1});
        long targetBefore = mtime(target);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        LocalTimes.setMtime(link, WHEN);
        assertEquals(WHEN, mtime(link));
        assertEquals(targetBefore, mtime(target));
        LocalTimes.setMtime(link, BEFORE_1970);
        assertEquals(BEFORE_1970, mtime(link));
    }

    @Test
    void javasOwnCallKeepsMicrosecondsOnASymlink() throws Exception {
        // If this starts failing, the JDK sets symlink times exactly and the native call can go.
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("nowhere"));
        LocalTimes.setMtimeJava(link, WHEN);
        assertEquals(WHEN / 1000 * 1000, mtime(link));
        Path file = Files.write(dir.resolve("file"), new byte[] {1});
        LocalTimes.setMtimeJava(file, WHEN);
        assertEquals(WHEN, mtime(file));
    }

    @Test
    void aPathThatDoesNotExistFailsWithTheReason() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> LocalTimes.setMtime(dir.resolve("absent"), WHEN));
        assertEquals(dir.resolve("absent") + ": No such file or directory", e.getMessage());
    }
}
