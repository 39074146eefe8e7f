package org.cfs.dhash;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library from one copy per user and library build in a cache directory.
 * RocksJava's own loader extracts a new 14 MB copy into the temporary directory for every JVM and
 * deletes it only on a normal exit, so nodes that halt and tests that kill them fill /tmp.
 *
 * <p>A copy is published by renaming a synced file into place, so JVMs starting together see no
 * library or a whole one, and a damaged copy is replaced by a new file rather than rewritten under
 * a JVM that has the old one mapped. Where no cache directory works, RocksDB's own loader runs,
 * after one warning.
 */
final class RocksNativeLibrary {
    /** Overrides the cache directory, {@code $XDG_CACHE_HOME/cfs} or else {@code ~/.cache/cfs}. */
    static final String CACHE_DIR_PROPERTY = "cfs.cache.dir";
    /**
     * The file {@link RocksDB#loadLibrary(List)} loads from each directory it is given. RocksJava
     * 9 asks for the JNI name of "rocksdbjni", so this is {@code librocksdbjnijni-linux64.so}
     * rather than the name in the jar (facebook/rocksdb#14167).
     */
    static final String FILE_NAME = Environment.getJniLibraryFileName("rocksdbjni");
    static final String PARTIAL_SUFFIX = ".partial";

    private static final Logger LOG = LoggerFactory.getLogger(RocksNativeLibrary.class);
    /** A partial copy this old was left by a JVM killed while extracting, not one still at it. */
    private static final Duration ABANDONED = Duration.ofMinutes(10);
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final Set<PosixFilePermission> LIBRARY = PosixFilePermissions.fromString("r-x------");

    private RocksNativeLibrary() {
    }

    /** Loads the library into this JVM: from the first cache directory that works, else RocksDB's way. */
    static void load() {
        List<String> failures = new ArrayList<>();
        for (Path cache : cacheDirectories()) {
            try {
                Path dir = prepare(cache);
                RocksDB.loadLibrary(List.of(dir.toString()));
                LOG.debug("loaded the RocksDB native library from {}", dir.resolve(FILE_NAME));
                return;
            } catch (IOException | UnsatisfiedLinkError e) {
                failures.add(cache + ": " + reason(e));
            }
        }
        LOG.warn("cannot keep the RocksDB native library in a cache directory ({}); RocksDB extracts"
                + " a copy for this process into {} instead, and leaves it there if the process is killed",
                String.join("; ", failures), System.getProperty("java.io.tmpdir"));
        RocksDB.loadLibrary();
    }

    /** Where the library may be kept, best first: the override alone, else the user's cache, then tmp. */
    private static List<Path> cacheDirectories() {
        String override = System.getProperty(CACHE_DIR_PROPERTY, "");
        if (!override.isBlank()) {
            return List.of(Path.of(override));
        }
        // XDG says to ignore a relative XDG_CACHE_HOME.
        String xdg = System.getenv().getOrDefault("XDG_CACHE_HOME", "");
        Path userCache = !xdg.isEmpty() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "cfs-" + user);
        return List.of(userCache.resolve("cfs"), tmp);
    }

    /**
     * Returns the absolute directory under {@code cache} (System.load takes only absolute paths)
     * holding a verified copy of the library that the RocksJava jar bundles for this platform,
     * extracting it first if it is missing or damaged.
     *
     * @throws IOException if the bundled library cannot be found, or the directory cannot be made
     *     or is not private to this user
     */
    static Path prepare(Path cache) throws IOException {
        JarURLConnection jar = bundledLibrary();
        // Uncached, closing the stream closes the jar file.
        jar.setUseCaches(false);
        try (InputStream bundled = jar.getInputStream()) {
            JarEntry entry = jar.getJarEntry();
            long size = entry.getSize();
            long crc = entry.getCrc();
            if (size < 0 || crc < 0) {
                throw new IOException("the jar lists no size or CRC-32 for " + jar.getURL());
            }
            // Named by checksum: RocksJava cannot tell its version before the library is loaded.
            Path dir = privateDirectory(cache.toAbsolutePath(), String.format("rocksdb-%08x", crc));
            deleteAbandoned(dir);
            Path library = dir.resolve(FILE_NAME);
            if (!matches(library, size, crc)) {
                install(bundled, library, size, crc);
            }
            return dir;
        }
    }

    /** The library for this platform inside the RocksJava jar, looked up as RocksJava does. */
    private static JarURLConnection bundledLibrary() throws IOException {
        ClassLoader loader = RocksDB.class.getClassLoader();
        String name = Environment.getJniLibraryFileName("rocksdb");
        String fallback = Environment.getFallbackJniLibraryFileName("rocksdb");
        URL url = loader.getResource(name);
        if (url == null && fallback != null) {
            url = loader.getResource(fallback);
        }
        if (url == null) {
            throw new IOException("the class path holds no RocksDB native library named " + name
                    + (fallback == null ? "" : " or " + fallback));
        }
        URLConnection connection = url.openConnection();
        if (!(connection instanceof JarURLConnection jar)) {
            throw new IOException("the RocksDB native library " + url + " is not inside a jar");
        }
        return jar;
    }

    /**
     * Creates {@code cache/name} if need be and checks that only this user can write to it or to
     * {@code cache}: anyone else who could would choose the code this JVM runs.
     */
    private static Path privateDirectory(Path cache, String name) throws IOException {
        if (!cache.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            throw new IOException("cannot tell who may write to " + cache
                    + ": its file system has no POSIX permissions");
        }
        String user = System.getProperty("user.name");
        UserPrincipal me;
        try {
            me = cache.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("cannot tell who owns " + cache + ": there is no user named " + user, e);
        }
        Files.createDirectories(cache, PRIVATE_DIRECTORY);
        Path dir = cache.resolve(name);
        try {
            Files.createDirectory(dir, PRIVATE_DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            // Made by an earlier JVM; checked below like a new one.
        }
        checkPrivate(cache, me);
        checkPrivate(dir, me);
        return dir;
    }

    private static void checkPrivate(Path dir, UserPrincipal me) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
        if (!attributes.isDirectory()) {
            throw new IOException(dir + " is a symbolic link or not a directory");
        }
        if (!attributes.owner().equals(me)) {
            throw new IOException(dir + " belongs to " + attributes.owner().getName()
                    + ", not " + me.getName());
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " is writable by other users ("
                    + PosixFilePermissions.toString(permissions) + ")");
        }
    }

    /** The exception's message, with its type where the message is only a path or missing. */
    private static String reason(Throwable e) {
        return e instanceof FileSystemException || e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Removes partial copies left by JVMs killed while extracting; best effort. */
    private static void deleteAbandoned(Path dir) {
        Instant cutoff = Instant.now().minus(ABANDONED);
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "*" + PARTIAL_SUFFIX)) {
            for (Path partial : partials) {
                if (Files.getLastModifiedTime(partial, NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(partial);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot delete abandoned partial copies in {}: {}", dir, e.toString());
        }
    }

    /** Whether {@code library} is a regular file with the bundled library's size and CRC-32. */
    private static boolean matches(Path library, long size, long crc) throws IOException {
        if (!Files.isRegularFile(library, NOFOLLOW_LINKS) || Files.size(library) != size) {
            return false;
        }
        try (CheckedInputStream in = new CheckedInputStream(Files.newInputStream(library), new CRC32())) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.getChecksum().getValue() == crc;
        }
    }

    /**
     * Writes the library to a new file beside {@code library}, syncs it and renames it over the
     * name. The rename points the name at the new file; a JVM that mapped the old one keeps it.
     */
    private static void install(InputStream bundled, Path library, long size, long crc) throws IOException {
        Path partial = Files.createTempFile(library.getParent(), FILE_NAME + ".", PARTIAL_SUFFIX);
        try {
            CheckedInputStream in = new CheckedInputStream(bundled, new CRC32());
            long written;
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                written = in.transferTo(Channels.newOutputStream(out));
                out.force(true);
            }
            long writtenCrc = in.getChecksum().getValue();
            if (written != size || writtenCrc != crc) {
                throw new IOException(String.format("extracted %d bytes with CRC-32 %08x from the jar,"
                        + " which lists %d bytes with CRC-32 %08x", written, writtenCrc, size, crc));
            }
            Files.setPosixFilePermissions(partial, LIBRARY);
            Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
