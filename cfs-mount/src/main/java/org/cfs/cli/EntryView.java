package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import org.cfs.fs.DirEntry;
import org.cfs.fs.EntryKind;

/**
 * A directory entry as {@code ls} shows it, and as its JSON has it: names that are not UTF-8 also
 * come as hex, so a script can tell two such names apart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record EntryView(String path, String name, String nameHex, String type, String mode, long size, long mtimeNanos,
                 String ref, String target) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    static EntryView of(String path, DirEntry e) {
        String target = e.kind() == EntryKind.SYMLINK ? new String(e.inline(), StandardCharsets.UTF_8) : null;
        return new EntryView(path, e.displayName(), utf8(e.name()) ? null : HexFormat.of().formatHex(e.name()),
                type(e), String.format("%04o", e.mode()), e.size(), e.mtimeNanos(),
                e.ref() != null ? e.ref().toHex() : null, target);
    }

    static String type(DirEntry e) {
        return switch (e.kind()) {
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            case INLINE_FILE, CHUNK_FILE, LIST_FILE -> "file";
        };
    }

    /** {@code ls -l}'s line: type and permissions, size, modification time (UTC), then {@code shown}. */
    String longLine(String shown) {
        int m = Integer.parseInt(mode, 8);
        char kind = switch (type) {
            case "directory" -> 'd';
            case "symlink" -> 'l';
            default -> '-';
        };
        String perms = kind + rwx(m >> 6, (m & 04000) != 0, 's') + rwx(m >> 3, (m & 02000) != 0, 's')
                + rwx(m, (m & 01000) != 0, 't');
        String when = TIME.format(Instant.ofEpochSecond(0, mtimeNanos));
        return String.format("%s %12d %s %s%s", perms, size, when, shown, target != null ? " -> " + target : "");
    }

    private static String rwx(int bits, boolean special, char specialChar) {
        char x = (bits & 1) != 0 ? (special ? specialChar : 'x') : (special ? Character.toUpperCase(specialChar) : '-');
        return "" + ((bits & 4) != 0 ? 'r' : '-') + ((bits & 2) != 0 ? 'w' : '-') + x;
    }

    private static boolean utf8(byte[] name) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
