package org.cfs.fs;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.cfs.chord.Id;

/**
 * One version of a volume, stored as a content block that the signed volume block names. Commits
 * chain to their predecessors, so every older version stays readable.
 *
 * <pre>
 * commit = 'C' version:u8=1 volumeVersion:u64 timeMillis:i64 msgLen:u16 message:msgLen (UTF-8)
 *          root:20 rootEntries:u64 rootMode:u16 rootMtimeNanos:i64 hasPrevious:u8 (previous:20 if hasPrevious = 1)
 *          files:u64 directories:u64 bytes:u64
 * </pre>
 *
 * @param version the volume version, 1 for the first; the signed block's sequence number equals it
 * @param timeMillis when it was published, Unix milliseconds
 * @param message the publisher's note, at most 4096 bytes of UTF-8
 * @param root the root directory's top block
 * @param rootEntries entries directly in the root directory
 * @param rootMode the root directory's permission bits (07777)
 * @param rootMtimeNanos the root directory's modification time
 * @param previous the commit of version - 1, null for version 1
 * @param files regular files in the tree, symlinks included
 * @param directories directories in the tree, the root included
 * @param bytes bytes of all regular files
 */
public record Commit(long version, long timeMillis, String message, Id root, long rootEntries, int rootMode,
                     long rootMtimeNanos, Id previous, long files, long directories, long bytes) {
    public Commit {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(root, "root");
        if (version < 1) {
            throw new IllegalArgumentException("volume version " + version + " is below 1");
        }
        if ((version == 1) != (previous == null)) {
            throw new IllegalArgumentException("version " + version + (previous == null ? " needs" : " cannot have")
                    + " a previous commit");
        }
        if ((rootMode & ~Format.MODE_BITS) != 0) {
            throw new IllegalArgumentException("root mode " + Integer.toOctalString(rootMode) + " has bits outside 07777");
        }
        if (message.getBytes(StandardCharsets.UTF_8).length > Format.MAX_MESSAGE) {
            throw new IllegalArgumentException("a commit message is at most " + Format.MAX_MESSAGE + " bytes of UTF-8");
        }
    }

    /** The root directory as an entry (with an empty name), so it is looked at like any other. */
    public DirEntry rootEntry() {
        return new DirEntry(new byte[0], EntryKind.DIRECTORY, rootMode, rootEntries, rootMtimeNanos, root, null);
    }

    byte[] encode() {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        Encoder out = new Encoder(128 + msg.length);
        out.u8(Format.COMMIT_MAGIC).u8(Format.VERSION).i64(version).i64(timeMillis).u16(msg.length).bytes(msg)
                .id(root).i64(rootEntries).u16(rootMode).i64(rootMtimeNanos).u8(previous != null ? 1 : 0);
        if (previous != null) {
            out.id(previous);
        }
        return out.i64(files).i64(directories).i64(bytes).toByteArray();
    }

    static Commit decode(byte[] encoded) throws CorruptBlockException {
        Decoder in = new Decoder(encoded);
        in.header(Format.COMMIT_MAGIC, "commit");
        long version = in.u63("volume version");
        if (version < 1) {
            throw new CorruptBlockException("commit for volume version 0; versions start at 1");
        }
        long time = in.i64("time");
        int msgLen = in.u16("message length");
        if (msgLen > Format.MAX_MESSAGE) {
            throw new CorruptBlockException("commit message of " + msgLen + " bytes exceeds " + Format.MAX_MESSAGE);
        }
        String message = utf8(in.bytes(msgLen, "message"));
        Id root = in.id("root");
        long rootEntries = in.u63("root entries");
        int rootMode = in.u16("root mode");
        if ((rootMode & ~Format.MODE_BITS) != 0) {
            throw new CorruptBlockException("root mode " + Integer.toOctalString(rootMode) + " has bits outside 07777");
        }
        long rootMtime = in.i64("root mtime");
        int hasPrevious = in.u8("has previous");
        if (hasPrevious > 1) {
            throw new CorruptBlockException("has-previous flag is " + hasPrevious + ", not 0 or 1");
        }
        Id previous = hasPrevious == 1 ? in.id("previous") : null;
        if ((version == 1) != (previous == null)) {
            throw new CorruptBlockException("commit for version " + version + (previous == null ? " lacks" : " has")
                    + " a previous commit");
        }
        Commit c = new Commit(version, time, message, root, rootEntries, rootMode, rootMtime, previous, in.u63("files"),
                in.u63("directories"), in.u63("bytes"));
        in.end("commit");
        return c;
    }

    private static String utf8(byte[] bytes) throws CorruptBlockException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptBlockException("commit message is not UTF-8");
        }
    }
}
