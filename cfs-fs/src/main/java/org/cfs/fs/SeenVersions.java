package org.cfs.fs;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.cfs.chord.Id;

/**
 * The newest signed block this client has seen of each volume (its sequence number and the
 * version it names), so that a replica serving an older signed block cannot roll a reader back. Kept in a file under the state directory
 * ({@code $XDG_STATE_HOME/cfs}), or in memory for tests and one-off readers.
 */
public final class SeenVersions {
    private final Path file;
    private final Map<Id, Seen> highest = new ConcurrentHashMap<>();

    private SeenVersions(Path file) {
        this.file = file;
    }

    public static SeenVersions inMemory() {
        return new SeenVersions(null);
    }

    /** The record in {@code directory}/seen-versions, read now; an absent file is an empty record. */
    public static SeenVersions inDirectory(Path directory) throws IOException {
        SeenVersions seen = new SeenVersions(directory.resolve("seen-versions"));
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(seen.file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException absent) {
            return seen;
        }
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name);
            if (!Id.isHex(name) || !value.matches("\\d{1,18},\\d{1,18}")) {
                throw new IOException(seen.file + ": line '" + name + "=" + value
                        + "' is not a volume id with a sequence and a version; fix or delete the file");
            }
            String[] parts = value.split(",");
            seen.highest.put(Id.fromHex(name), new Seen(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
        }
        return seen;
    }

    /** A signed block seen: its sequence number and the volume version it names. */
    public record Seen(long seq, long version) {
        static final Seen NONE = new Seen(-1, 0);
    }

    /** The newest signed block seen of {@code volume}; sequence -1 and version 0 if none. */
    public Seen highest(Id volume) {
        return highest.getOrDefault(volume, Seen.NONE);
    }

    /** Records a signed block if it is the newest yet, and saves the record. */
    public synchronized void saw(Id volume, long seq, long version) throws IOException {
        if (seq <= highest(volume).seq()) {
            return;
        }
        highest.put(volume, new Seen(seq, version));
        if (file != null) {
            save();
        }
    }

    private void save() throws IOException {
        Files.createDirectories(file.getParent());
        // Written by hand rather than by Properties.store, so the lines come sorted and the file
        // reads the same whatever order the versions were seen in.
        StringBuilder text = new StringBuilder(
                "# newest signed block seen per volume (sequence,version); an older one is refused as a rollback\n");
        new TreeMap<>(highest).forEach((id, v) -> text.append(id.toHex()).append('=').append(v.seq()).append(',')
                .append(v.version()).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            out.write(text.toString());
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
