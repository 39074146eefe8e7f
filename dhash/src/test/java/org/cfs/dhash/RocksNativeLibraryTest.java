package org.cfs.dhash;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.cfs.dhash.RocksNativeLibrary.FILE_NAME;
import static org.cfs.dhash.RocksNativeLibrary.PARTIAL_SUFFIX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * The RocksDB native library cache: one verified copy per user and build, replaced but never
 * rewritten, and no copy left in the temporary directory of a JVM that opened a store and was
 * killed.
 */
class RocksNativeLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void extractsOnceAndThenReusesTheCopy() throws IOException {
        Path cache = tmp.resolve("cache");
        Path library = RocksNativeLibrary.prepare(cache).resolve(FILE_NAME);
        assertSameAsBundled(library);
        Object file = fileKey(library);

        assertEquals(library.getParent(), RocksNativeLibrary.prepare(cache));
        assertEquals(file, fileKey(library), "the second prepare extracted the library again");
        assertEquals(List.of(library), files(cache));
    }

    @Test
    void replacesADamagedCopyWithoutWritingIntoIt() throws IOException {
        Path cache = tmp.resolve("cache");
        Path library = RocksNativeLibrary.prepare(cache).resolve(FILE_NAME);
        Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("rw-------"));
        // Open throughout, as a JVM that mapped the damaged copy would have it.
        try (FileChannel damaged = FileChannel.open(library, READ, WRITE)) {
            byte flipped = (byte) ~byteAt(damaged, 4096);
            damaged.write(ByteBuffer.wrap(new byte[] {flipped}), 4096);

            RocksNativeLibrary.prepare(cache);

            assertEquals(flipped, byteAt(damaged, 4096), "the damaged copy was rewritten in place");
        }
        assertSameAsBundled(library);
        assertEquals(List.of(library), files(cache));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void concurrentExtractionsLeaveOneWholeCopy() throws Exception {
        Path cache = tmp.resolve("cache");
        int racers = 8;
        CyclicBarrier start = new CyclicBarrier(racers);
        Callable<Path> racer = () -> {
            start.await();
            return RocksNativeLibrary.prepare(cache);
        };
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Path>> dirs = pool.invokeAll(Collections.nCopies(racers, racer));
            Set<Path> distinct = new HashSet<>();
            for (Future<Path> dir : dirs) {
                distinct.add(dir.get());
            }
            assertEquals(1, distinct.size(), "the racers prepared different directories: " + distinct);
            Path library = distinct.iterator().next().resolve(FILE_NAME);
            assertSameAsBundled(library);
            assertEquals(List.of(library), files(cache));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesACacheDirectoryOthersCanWrite() throws IOException {
        Path cache = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

        IOException refused = assertThrows(IOException.class, () -> RocksNativeLibrary.prepare(cache));

        String message = refused.getMessage();
        assertTrue(message.contains(cache + " is writable by other users"), message);
        assertEquals(List.of(), files(cache));
    }

    @Test
    void deletesPartialCopiesAbandonedByKilledJvms() throws IOException {
        Path dir = RocksNativeLibrary.prepare(tmp.resolve("cache"));
        Path abandoned = Files.write(dir.resolve(FILE_NAME + ".1" + PARTIAL_SUFFIX), new byte[100]);
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path inProgress = Files.write(dir.resolve(FILE_NAME + ".2" + PARTIAL_SUFFIX), new byte[100]);

        RocksNativeLibrary.prepare(tmp.resolve("cache"));

        assertTrue(Files.notExists(abandoned), "an hour-old partial copy was kept");
        assertTrue(Files.exists(inProgress), "a partial copy another JVM may be writing was deleted");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aKilledJvmLeavesNoLibraryInItsTemporaryDirectory() throws Exception {
        Path childTmp = Files.createDirectory(tmp.resolve("child-tmp"));
        Path cache = tmp.resolve("cache");
        Object first = null;
        for (int run = 0; run < 2; run++) {
            // Relative to the child's working directory, tmp, as someone might pass it.
            String stderr = openAndKill(childTmp, "cache");

            assertEquals(List.of(), libraries(childTmp), "stderr: " + stderr);
            List<Path> cached = files(cache);
            assertEquals(1, cached.size(), "the cache holds " + cached);
            if (first == null) {
                first = fileKey(cached.get(0));
            }
            assertEquals(first, fileKey(cached.get(0)), "run " + run + " extracted the library again");
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void fallsBackToRocksDbsOwnExtractionWithOneWarning() throws Exception {
        Path childTmp = Files.createDirectory(tmp.resolve("child-tmp"));
        Path notADirectory = Files.write(tmp.resolve("cache"), new byte[0]);

        String stderr = openAndKill(childTmp, notADirectory.toString());

        List<String> warnings = stderr.lines().filter(line -> line.contains("WARN")).toList();
        assertEquals(1, warnings.size(), stderr);
        assertTrue(warnings.get(0).contains(notADirectory.toString()), warnings.get(0));
        assertEquals(1, libraries(childTmp).size(), "RocksDB's own extraction did not run: " + stderr);
    }

    /**
     * Runs {@link OpenStore} in a JVM working in {@link #tmp} with the given temporary and cache
     * directories, kills it once the store is open, and returns what it wrote to stderr.
     */
    private String openAndKill(Path childTmp, String cache) throws Exception {
        Path stderr = Files.createTempFile(tmp, "child", ".err");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + childTmp,
                "-D" + RocksNativeLibrary.CACHE_DIR_PROPERTY + "=" + cache,
                "-cp", System.getProperty("java.class.path"),
                OpenStore.class.getName(), tmp.resolve("store").toString())
                .directory(tmp.toFile())
                .redirectError(stderr.toFile())
                .start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line = out.readLine();
            assertEquals(OpenStore.READY, line,
                    "the child did not open its store; stderr: " + Files.readString(stderr));
        } finally {
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not exit in 30 s");
        }
        return Files.readString(stderr);
    }

    /** Opens a store, says so, and waits to be killed (or for its parent to go away). */
    public static final class OpenStore {
        static final String READY = "open";

        private OpenStore() {
        }

        public static void main(String[] args) throws DHashException, IOException {
            RocksBlockStore.open(Path.of(args[0]), StoreLimits.defaults());
            System.out.println(READY);
            System.out.flush();
            System.in.read();
        }
    }

    private void assertSameAsBundled(Path library) throws IOException {
        byte[] bundled;
        try (InputStream in = RocksDB.class.getClassLoader()
                .getResourceAsStream(Environment.getJniLibraryFileName("rocksdb"))) {
            bundled = in.readAllBytes();
        }
        Path expected = Files.write(tmp.resolve("bundled.so"), bundled);
        try {
            assertEquals(-1, Files.mismatch(expected, library),
                    library + " differs from the bundled library");
        } finally {
            Files.delete(expected);
        }
    }

    private static byte byteAt(FileChannel file, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        file.read(one, position);
        return one.get(0);
    }

    private static Object fileKey(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        assertNotNull(key, "no file key on this file system");
        return key;
    }

    /** Every regular file under {@code root}, sorted. */
    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    /** Every RocksDB library under {@code root}, whoever put it there. */
    private static List<Path> libraries(Path root) throws IOException {
        return files(root).stream()
                .filter(file -> file.getFileName().toString().contains("rocksdbjni"))
                .toList();
    }
}
