package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

class ConfigDirTest {
    private static final Id VOLUME = Id.fromHex("00112233445566778899aabbccddeeff01234567");
    private static final Id OTHER = Id.fromHex("ffeeddccbbaa99887766554433221100fedcba98");

    @TempDir
    Path tmp;

    private ConfigDir config() {
        return ConfigDir.resolve(tmp.resolve("cfg"), Map.of());
    }

    @Test
    void explicitDirWinsOverTheEnvironment() {
        ConfigDir config = ConfigDir.resolve(tmp.resolve("x"), Map.of("XDG_CONFIG_HOME", "/xdg", "HOME", "/home/u"));
        assertEquals(tmp.resolve("x"), config.path());
    }

    @Test
    void xdgConfigHomeIsHonoured() {
        assertEquals(Path.of("/xdg/cfs"),
                ConfigDir.resolve(null, Map.of("XDG_CONFIG_HOME", "/xdg", "HOME", "/home/u")).path());
    }

    @Test
    void withoutXdgConfigHomeItIsUnderHome() {
        assertEquals(Path.of("/home/u/.config/cfs"), ConfigDir.resolve(null, Map.of("HOME", "/home/u")).path());
        assertEquals(Path.of("/home/u/.config/cfs"),
                ConfigDir.resolve(null, Map.of("XDG_CONFIG_HOME", "", "HOME", "/home/u")).path(), "empty is unset");
        assertEquals(Path.of("/home/u/.config/cfs"),
                ConfigDir.resolve(null, Map.of("XDG_CONFIG_HOME", "rel", "HOME", "/home/u")).path(),
                "the XDG spec says to ignore a relative path");
    }

    @Test
    void configOptionReachesNestedCommandsBeforeOrAfterTheirName() {
        String dir = tmp.resolve("given").toString();
        for (List<String> args : List.of(
                List.of("--config", dir, "block", "get", VOLUME.toHex(), "--via", "127.0.0.1:7000"),
                List.of("block", "get", VOLUME.toHex(), "--via", "127.0.0.1:7000", "--config", dir))) {
            ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
            while (parsed.hasSubcommand()) {
                parsed = parsed.subcommand();
            }
            assertEquals(Path.of(dir), ConfigDir.of(parsed.commandSpec()).path(), String.join(" ", args));
        }
    }

    @Test
    void createdKeyIsAPrivatePemThatLoadsBack() throws IOException {
        ConfigDir config = config();
        SigningKey created = config.createKey("alice");
        Path file = config.keysDir().resolve("alice.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.keysDir())));
        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----\n"), Files.readString(file));
        SigningKey loaded = config.loadKey("alice");
        assertEquals(created, loaded);
        assertArrayEquals(created.publicKey(), loaded.publicKey());
    }

    @Test
    void opensslReadsTheCreatedKey() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        ConfigDir config = config();
        SigningKey key = config.createKey("alice");
        Process p = new ProcessBuilder("openssl", "pkey", "-in", config.keysDir().resolve("alice.pem").toString(),
                "-pubout", "-outform", "DER").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] spki = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        assertArrayEquals(key.publicKey(), Arrays.copyOfRange(spki, spki.length - 32, spki.length),
                "openssl derives the same public key");
    }

    @Test
    void loadsAKeyMadeByOpenssl() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        ConfigDir config = config();
        Files.createDirectories(config.keysDir());
        Path file = config.keysDir().resolve("ossl.pem");
        Process gen = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519", "-out", file.toString())
                .redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertEquals(0, gen.waitFor());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Process pub = new ProcessBuilder("openssl", "pkey", "-in", file.toString(), "-pubout", "-outform", "DER")
                .start();
        byte[] spki = pub.getInputStream().readAllBytes();
        assertEquals(0, pub.waitFor());
        assertArrayEquals(Arrays.copyOfRange(spki, spki.length - 32, spki.length), config.loadKey("ossl").publicKey());
    }

    @Test
    void refusesToOverwriteAKey() throws IOException {
        ConfigDir config = config();
        SigningKey first = config.createKey("alice");
        Path file = config.keysDir().resolve("alice.pem");
        byte[] before = Files.readAllBytes(file);
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> config.createKey("alice"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("already exists"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(first, config.loadKey("alice"));
    }

    @Test
    void refusesBadKeyNames() {
        ConfigDir config = config();
        for (String bad : List.of("", "a/b", "../x", "a b", "é", "x".repeat(65), "a\nb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.createKey(bad),
                    "name '" + bad + "'");
            assertTrue(e.getMessage().contains("1..64 characters of A-Z a-z 0-9 . _ -"), e.getMessage());
        }
        assertEquals(List.of(), config.keys(), "nothing was written");
        config.createKey("x".repeat(64));
        config.createKey("A.b_c-9");
        assertEquals(List.of("A.b_c-9", "x".repeat(64)), config.keys().stream().map(ConfigDir.KeyInfo::name).toList());
    }

    @Test
    void unknownKeyNamesTheKeysThatExist() {
        ConfigDir config = config();
        assertFails(() -> config.loadKey("carol"), "no key named 'carol'", "make one with 'cfs keygen NAME'");
        config.createKey("bob");
        config.createKey("alice");
        assertFails(() -> config.loadKey("carol"), "no key named 'carol' in " + config.keysDir(), "(keys: alice, bob)");
        assertFails(() -> config.loadKey("../keys/alice"), "no key named '../keys/alice'");
    }

    @Test
    void refusesAKeyOthersCanRead() throws IOException {
        ConfigDir config = config();
        config.createKey("alice");
        Path file = config.keysDir().resolve("alice.pem");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertFails(() -> config.loadKey("alice"), file.toString(), "rw-r--r--", "chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        config.loadKey("alice");
    }

    @Test
    void corruptOrUnreadableKeyFilesAreNamed() throws IOException {
        ConfigDir config = config();
        config.createKey("alice");
        Path file = config.keysDir().resolve("alice.pem");
        String pem = Files.readString(file);
        Files.writeString(file, pem.substring(0, pem.length() / 2));
        assertFails(() -> config.loadKey("alice"), "key file " + file + " is not an Ed25519 PKCS#8 key");
        assertFails(config::keys, "key file " + file + " is not an Ed25519 PKCS#8 key");
        Files.delete(file);
        // Even root cannot read a directory as a file, so this fails however the tests are run.
        Files.createDirectory(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertFails(() -> config.loadKey("alice"), "cannot read key file " + file);
    }

    @Test
    void listsKeysWithTheirPublicHalvesAndSkipsOtherFiles() throws IOException {
        ConfigDir config = config();
        SigningKey bob = config.createKey("bob");
        SigningKey alice = config.createKey("alice");
        Files.writeString(config.keysDir().resolve("notes.txt"), "not a key");
        Files.writeString(config.keysDir().resolve("bad name.pem"), "not a key either");
        List<ConfigDir.KeyInfo> keys = config.keys();
        assertEquals(List.of(
                new ConfigDir.KeyInfo("alice", hex(alice), config.keysDir().resolve("alice.pem")),
                new ConfigDir.KeyInfo("bob", hex(bob), config.keysDir().resolve("bob.pem"))), keys);
    }

    @Test
    void aliasesRoundTripAndResolve() {
        ConfigDir config = config();
        assertEquals(Map.of(), config.aliases());
        config.setAlias("photos", VOLUME);
        config.setAlias("docs", OTHER);
        assertEquals(Map.of("photos", VOLUME, "docs", OTHER), ConfigDir.resolve(config.path(), Map.of()).aliases());
        assertEquals(List.of("docs", "photos"), List.copyOf(config.aliases().keySet()), "sorted");
        config.setAlias("photos", OTHER);
        assertEquals(OTHER, config.resolveVolume("photos"), "set again, an alias points at the new volume");
        assertEquals(VOLUME, config.resolveVolume(VOLUME.toHex()));
        assertEquals(VOLUME, config.resolveVolume(VOLUME.toHex().toUpperCase()));
    }

    @Test
    void unknownVolumeSaysWhatWasTried() {
        ConfigDir config = config();
        assertFails(() -> config.resolveVolume("x"),
                "unknown volume 'x': not 40 hex digits and no alias of that name (no aliases;");
        config.setAlias("b", VOLUME);
        config.setAlias("a", OTHER);
        assertFails(() -> config.resolveVolume("x"),
                "unknown volume 'x': not 40 hex digits and no alias of that name (aliases: a, b)");
        assertFails(() -> config.resolveVolume(VOLUME.toHex().substring(1)), "not 40 hex digits");
    }

    @Test
    void refusesBadAliasNames() {
        ConfigDir config = config();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.setAlias(OTHER.toHex(), VOLUME));
        assertTrue(e.getMessage().contains("would read as a volume id"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config.setAlias("a/b", VOLUME));
        assertThrows(IllegalArgumentException.class, () -> config.setAlias("", VOLUME));
        assertEquals(Map.of(), config.aliases());
    }

    @Test
    void viaAndAliasesShareOneSettingsFile() throws IOException {
        ConfigDir config = config();
        assertEquals(Optional.empty(), config.via());
        config.setAlias("photos", VOLUME);
        config.setVia(Endpoint.parse("[::1]:7000"));
        config.setVia(Endpoint.parse("10.0.0.1:7001"));
        assertEquals(Optional.of(new Endpoint("10.0.0.1", 7001)), ConfigDir.resolve(config.path(), Map.of()).via());
        assertEquals(Map.of("photos", VOLUME), config.aliases());
        String text = Files.readString(config.settingsFile());
        assertTrue(text.contains("via=10.0.0.1\\:7001") || text.contains("via=10.0.0.1:7001"), text);
        assertTrue(text.contains("alias.photos=" + VOLUME.toHex()), text);
        try (Stream<Path> files = Files.list(config.path())) {
            assertEquals(List.of("settings.properties", "settings.properties.lock"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file is left");
        }
    }

    @Test
    void corruptSettingsAreNamed() throws IOException {
        ConfigDir config = config();
        config.setVia(new Endpoint("127.0.0.1", 7000));
        Files.writeString(config.settingsFile(), "via=nowhere\nalias.a=123\n", StandardCharsets.UTF_8);
        assertFails(config::via, "settings file " + config.settingsFile(), "via is 'nowhere'", "cfs config set via");
        assertFails(config::aliases, "settings file " + config.settingsFile(), "alias.a is '123'");
        assertFails(() -> config.resolveVolume("a"), "alias.a is '123'");
    }

    private static String hex(SigningKey key) {
        return HexFormat.of().formatHex(key.publicKey());
    }

    private static void assertFails(Executable call, String... expected) {
        CommandFailedException e = assertThrows(CommandFailedException.class, call);
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }
}
