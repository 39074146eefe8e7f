package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cfs.chord.Endpoint;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory is one node's at a time, and free again once that node's storage closes. */
class NodeStorageTest {
    private static final Endpoint FIRST = new Endpoint("127.0.0.1", 7000);
    private static final Endpoint SECOND = new Endpoint("127.0.0.1", 7001);

    @TempDir
    Path dir;

    @Test
    void aSecondOpenIsRefusedNamingTheHolderUntilTheFirstCloses() {
        Path data = dir.resolve("data");
        try (NodeStorage first = NodeStorage.open(data, FIRST, StoreLimits.defaults())) {
            CommandFailedException e = assertThrows(CommandFailedException.class,
                    () -> NodeStorage.open(data, SECOND, StoreLimits.defaults()));
            assertEquals("another node (" + FIRST + ", pid " + ProcessHandle.current().pid()
                    + ") uses the data directory " + data + "; give each node its own --data", e.getMessage());
            assertThrows(CommandFailedException.class, () -> NodeStorage.checkFree(data));
        }
        NodeStorage.checkFree(data);
        try (NodeStorage again = NodeStorage.open(data, SECOND, StoreLimits.defaults())) {
            assertEquals(0, again.store().count());
        }
    }

    @Test
    void aDataPathThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> NodeStorage.open(file, FIRST, StoreLimits.defaults()));
        assertTrue(e.getMessage().startsWith("cannot use --data " + file + ": it is a file"), e.getMessage());
    }
}
