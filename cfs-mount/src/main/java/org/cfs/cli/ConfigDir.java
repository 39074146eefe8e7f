package org.cfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.SigningKey;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The user's cfs configuration directory: signing keys as {@code keys/NAME.pem}, and in
 * {@code settings.properties} the default ring address ({@code via}) and volume aliases
 * ({@code alias.NAME}). Problems with its files are {@link CommandFailedException}s naming the
 * file; a malformed new key or alias name is an {@link IllegalArgumentException}.
 */
final class ConfigDir {
    static final String XDG_CONFIG_HOME = "XDG_CONFIG_HOME";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String NAME_RULE = "1..64 characters of A-Z a-z 0-9 . _ -";
    private static final String KEY_SUFFIX = ".pem";
    private static final String VIA = "via";
    private static final String ALIAS_PREFIX = "alias.";
    /** Like ssh: a private key or the directory holding it is for its owner alone. */
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_DIR =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);

    private final Path dir;
    private final SettingsFile settings;

    private ConfigDir(Path dir) {
        this.dir = dir;
        this.settings = new SettingsFile(dir.resolve("settings.properties"));
    }

    /**
     * {@code explicitOrNull} (from {@code --config}) if given; else {@code $XDG_CONFIG_HOME/cfs};
     * else {@code $HOME/.config/cfs}. As the XDG spec asks, an empty or relative XDG_CONFIG_HOME is
     * ignored. The directory need not exist: it is made when something is first saved.
     */
    static ConfigDir resolve(Path explicitOrNull, Map<String, String> env) {
        if (explicitOrNull != null) {
            return new ConfigDir(explicitOrNull.toAbsolutePath());
        }
        String xdg = env.get(XDG_CONFIG_HOME);
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return new ConfigDir(Path.of(xdg, "cfs"));
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return new ConfigDir(Path.of(home, ".config", "cfs").toAbsolutePath());
    }

    /** The config dir a command runs with: its {@code --config} option, else the environment's. */
    static ConfigDir of(CommandSpec spec) {
        return resolve(((Main) spec.root().userObject()).configDir(), System.getenv());
    }

    Path path() {
        return dir;
    }

    Path settingsFile() {
        return settings.path();
    }

    /** A signing key's name, its public key in hex, and the file holding it. */
    record KeyInfo(String name, String publicKey, Path file) {
    }

    /**
     * Makes a new Ed25519 key and saves it as {@code keys/NAME.pem}. The file is created with mode
     * 0600 in the same call that makes it, so the key is never readable by others, not even
     * briefly; an existing file is never replaced.
     */
    SigningKey createKey(String name) {
        checkName("key", name);
        Path file = keyFile(name);
        SigningKey key = SigningKey.generate(new SecureRandom());
        try {
            Files.createDirectories(file.getParent(), OWNER_DIR);
        } catch (IOException e) {
            throw new CommandFailedException("cannot make key directory " + file.getParent() + ": " + reason(e), e);
        }
        try (FileChannel channel = FileChannel.open(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
            writeKey(channel, file, key);
        } catch (FileAlreadyExistsException e) {
            throw new CommandFailedException("key file " + file + " already exists; a key is never overwritten:"
                    + " choose another name, or move the file away first", e);
        } catch (IOException e) {
            throw new CommandFailedException("cannot create key file " + file + ": " + reason(e), e);
        }
        return key;
    }

    /** Writes the key and flushes it to disk; on failure removes the partial file it created. */
    private static void writeKey(FileChannel channel, Path file, SigningKey key) throws IOException {
        try {
            OutputStream out = Channels.newOutputStream(channel);
            out.write(KeyFile.encode(key));
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * The key saved as {@code keys/NAME.pem}. Refuses, as ssh does, a file that group or others
     * may read or write: a key others can read is no longer the owner's alone.
     */
    SigningKey loadKey(String name) {
        if (!NAME.matcher(name).matches() || !Files.exists(keyFile(name))) {
            List<String> names = keyNames();
            throw new CommandFailedException("no key named '" + name + "' in " + keysDir() + " ("
                    + (names.isEmpty() ? "there are none; make one with 'cfs keygen NAME'"
                            : "keys: " + String.join(", ", names)) + ")");
        }
        Path file = keyFile(name);
        checkPrivate(file);
        return readKey(file);
    }

    private static void checkPrivate(Path file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new CommandFailedException("cannot read key file " + file + ": " + reason(e), e);
        }
        if (permissions.stream().anyMatch(p -> !OWNER_ONLY.contains(p))) {
            throw new CommandFailedException("key file " + file + " has mode "
                    + PosixFilePermissions.toString(permissions) + ", open to other users;"
                    + " cfs uses only private keys: run 'chmod 600 " + file + "'");
        }
    }

    private static SigningKey readKey(Path file) {
        byte[] pem;
        try {
            long size = Files.size(file);
            if (size > KeyFile.MAX_BYTES) {
                throw new CommandFailedException("key file " + file + " is not an Ed25519 PKCS#8 key: it is "
                        + size + " bytes, too long for one");
            }
            pem = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CommandFailedException("cannot read key file " + file + ": " + reason(e), e);
        }
        try {
            return KeyFile.decode(pem);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(
                    "key file " + file + " is not an Ed25519 PKCS#8 key: " + e.getMessage(), e);
        }
    }

    /** Every saved key, by name. A key file that cannot be read fails the whole listing, naming it. */
    List<KeyInfo> keys() {
        List<KeyInfo> keys = new ArrayList<>();
        for (String name : keyNames()) {
            Path file = keyFile(name);
            keys.add(new KeyInfo(name, HexFormat.of().formatHex(readKey(file).publicKey()), file));
        }
        return keys;
    }

    /** The names of the files {@code keys/NAME.pem} with a valid NAME, sorted; others are not keys. */
    private List<String> keyNames() {
        Path keysDir = keysDir();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(keysDir, "*" + KEY_SUFFIX)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - KEY_SUFFIX.length());
                if (NAME.matcher(name).matches()) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new CommandFailedException("cannot list key directory " + keysDir + ": " + reason(e), e);
        }
        Collections.sort(names);
        return names;
    }

    Path keysDir() {
        return dir.resolve("keys");
    }

    /** Where the key NAME is kept; see {@link #checkName} for the names allowed. */
    Path keyFile(String name) {
        return keysDir().resolve(name + KEY_SUFFIX);
    }

    /**
     * Names {@code volume} {@code name}, replacing what the name stood for before, which it returns
     * (empty if nothing, or something that was not a volume id: setting it again is the fix).
     */
    Optional<Id> setAlias(String name, Id volume) {
        checkName("alias", name);
        if (Id.isHex(name)) {
            throw new IllegalArgumentException(
                    "alias '" + name + "' is 40 hex digits, which would read as a volume id");
        }
        Object before = settings.update(s -> s.setProperty(ALIAS_PREFIX + name, volume.toHex()));
        return before instanceof String hex && Id.isHex(hex.trim()) ? Optional.of(Id.fromHex(hex.trim()))
                : Optional.empty();
    }

    /** Every alias and its volume, sorted by name. */
    Map<String, Id> aliases() {
        Properties s = settings.read();
        Map<String, Id> aliases = new TreeMap<>();
        for (String key : s.stringPropertyNames()) {
            if (key.startsWith(ALIAS_PREFIX)) {
                String value = s.getProperty(key).trim();
                if (!Id.isHex(value)) {
                    throw new CommandFailedException("settings file " + settings.path() + ": " + key + " is '"
                            + value + "', not a volume id of 40 hex digits; set it again with 'cfs alias set'");
                }
                aliases.put(key.substring(ALIAS_PREFIX.length()), Id.fromHex(value));
            }
        }
        return aliases;
    }

    /** A volume named on the command line: 40 hex digits, or an alias. */
    Id resolveVolume(String idOrAlias) {
        if (Id.isHex(idOrAlias)) {
            return Id.fromHex(idOrAlias);
        }
        Map<String, Id> aliases = aliases();
        Id volume = aliases.get(idOrAlias);
        if (volume == null) {
            throw new CommandFailedException("unknown volume '" + idOrAlias
                    + "': not 40 hex digits and no alias of that name ("
                    + (aliases.isEmpty() ? "no aliases; add one with 'cfs alias set NAME VOLUME'"
                            : "aliases: " + String.join(", ", aliases.keySet())) + ")");
        }
        return volume;
    }

    /** The ring address commands use when not given {@code --via}. */
    Optional<Endpoint> via() {
        String value = settings.read().getProperty(VIA);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Endpoint.parse(value.trim()));
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException("settings file " + settings.path() + ": via is '" + value + "': "
                    + e.getMessage() + "; set it again with 'cfs config set via HOST:PORT'", e);
        }
    }

    void setVia(Endpoint via) {
        settings.update(s -> s.setProperty(VIA, via.toString()));
    }

    /** Refuses a name that is not 1..64 of [A-Za-z0-9._-], so every name is a safe file or key name. */
    static void checkName(String kind, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name + "' is not " + NAME_RULE);
        }
    }

    /** Why a file operation failed, for a person: the JDK's messages for these are only the path. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "it already exists";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
