package org.cfs.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One Java properties file of settings. Every change rewrites it whole into a temporary file that
 * is renamed over it, so a reader never sees half a file and a crash leaves the old one; changes
 * hold a lock, so two commands run at once do not lose each other's change.
 */
final class SettingsFile {
    private static final String HEADER = "# cfs settings, written by 'cfs config set' and 'cfs alias set'\n";

    private final Path file;

    SettingsFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** The settings; none when the file does not exist yet. */
    Properties read() {
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            settings.load(in);
        } catch (NoSuchFileException e) {
            return settings;
        } catch (IOException e) {
            throw new CommandFailedException("cannot read settings file " + file + ": " + ConfigDir.reason(e), e);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException("cannot read settings file " + file + ": " + e.getMessage(), e);
        }
        return settings;
    }

    /**
     * Applies {@code change} to the current settings and writes the result in place of the file;
     * returns what {@code change} returned.
     */
    <T> T update(Function<Properties, T> change) {
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel lockFile = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                Properties settings = read();
                T result = change.apply(settings);
                write(settings);
                return result;
            }
        } catch (IOException e) {
            throw new CommandFailedException("cannot write settings file " + file + ": " + ConfigDir.reason(e), e);
        }
    }

    private void write(Properties settings) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, HEADER + sortedEntries(settings), StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The entries escaped as {@link Properties#store} escapes them, one a line, sorted so the file
     * reads well and diffs cleanly; store's own date comment is left out.
     */
    private static String sortedEntries(Properties settings) {
        StringWriter text = new StringWriter();
        try {
            settings.store(text, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().lines()
                .filter(line -> !line.startsWith("#"))
                .sorted()
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
