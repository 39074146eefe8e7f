package org.cfs.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * File names as the bytes Linux stores, which need not be UTF-8. Java's {@link Path} keeps those
 * bytes but shows them only as a lossy string, so this reaches the JDK's own byte form when the
 * JVM opens {@code java.base/sun.nio.fs} to us ({@code cfs.jar}'s manifest and the test runs do).
 * Without it, names that are valid UTF-8 still work and any other is refused with the reason.
 */
public final class NativeNames {
    private static final MethodHandle AS_BYTES;
    private static final MethodHandle FROM_BYTES;

    static {
        MethodHandle asBytes = null;
        MethodHandle fromBytes = null;
        try {
            Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
            Class<?> unixFs = Class.forName("sun.nio.fs.UnixFileSystem");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(unixPath, MethodHandles.lookup());
            asBytes = lookup.findVirtual(unixPath, "asByteArray", MethodType.methodType(byte[].class));
            fromBytes = lookup.findConstructor(unixPath, MethodType.methodType(void.class, unixFs, byte[].class));
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException | IllegalArgumentException e) {
            // Not opened to us, or not a Unix JDK: fall back to UTF-8 names.
        }
        AS_BYTES = asBytes;
        FROM_BYTES = fromBytes;
    }

    private NativeNames() {
    }

    /** True when names that are not UTF-8 can be read and written. */
    public static boolean raw() {
        return AS_BYTES != null;
    }

    /** The bytes of {@code path} (its last name, for a path's {@code getFileName()}). */
    public static byte[] bytes(Path path) {
        if (AS_BYTES != null && path.getFileSystem() == FileSystems.getDefault()) {
            try {
                return (byte[]) AS_BYTES.invoke(path);
            } catch (Throwable e) {
                throw new IllegalStateException("reading the bytes of a path failed", e);
            }
        }
        return path.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The last name of {@code path} as bytes. */
    public static byte[] name(Path path) {
        return bytes(path.getFileName());
    }

    /**
     * {@code dir} resolved against the single name {@code name}, which must not contain '/' or NUL.
     *
     * @throws IllegalArgumentException if the name is not UTF-8 and raw names are unavailable
     */
    public static Path resolve(Path dir, byte[] name) {
        return dir.resolve(path(dir.getFileSystem(), name));
    }

    /** A path of the given bytes (a symlink target, say). */
    public static Path path(FileSystem fs, byte[] bytes) {
        if (FROM_BYTES != null && fs == FileSystems.getDefault()) {
            try {
                return (Path) FROM_BYTES.invoke(fs, bytes);
            } catch (Throwable e) {
                throw new IllegalStateException("making a path of raw bytes failed", e);
            }
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return fs.getPath(s);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the name '" + new String(bytes, StandardCharsets.UTF_8)
                    + "' is not UTF-8, and this JVM does not let cfs write raw names"
                    + " (run it with --add-opens java.base/sun.nio.fs=ALL-UNNAMED)");
        }
    }
}
