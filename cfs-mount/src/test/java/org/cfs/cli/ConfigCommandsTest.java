package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Id;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen, keys, alias and config run in-process against a config directory of real files. */
class ConfigCommandsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String VOLUME = "00112233445566778899aabbccddeeff01234567";
    private static final String OTHER = "ffeeddccbbaa99887766554433221100fedcba98";

    @TempDir
    Path tmp;

    /** A run with --config pointing into the temp dir, so the user's own config is never touched. */
    private CliRun cfs(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", tmp.resolve("cfg").toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static void assertFailure(int exitCode, CliRun run, String... expected) {
        assertAll(
                () -> assertEquals(exitCode, run.exitCode(), "exit code; stderr: " + run.err()),
                () -> assertEquals(1, run.errLines().size(), "one line on stderr, got: " + run.err()),
                () -> {
                    for (String part : expected) {
                        assertTrue(run.err().contains(part), "stderr should mention '" + part + "': " + run.err());
                    }
                });
    }

    @Test
    void keygenSavesAPrivateKeyAndPrintsOnlyItsPublicHalf() throws Exception {
        CliRun run = cfs("keygen", "alice");
        assertEquals(0, run.exitCode(), run.err());
        Path file = tmp.resolve("cfg/keys/alice.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        SigningKey key = KeyFile.decode(Files.readAllBytes(file));
        List<String> lines = run.out().lines().toList();
        assertEquals(HexFormat.of().formatHex(key.publicKey()), lines.get(0));
        assertTrue(lines.get(1).contains(file.toString()), run.out());
        String pemBody = Files.readString(file).lines().toList().get(1);
        assertFalse(run.out().contains(HexFormat.of().formatHex(key.privateKey())), "private key printed");
        assertFalse(run.out().contains(pemBody), "private key printed");
    }

    @Test
    void keygenRefusesToOverwrite() throws Exception {
        assertEquals(0, cfs("keygen", "alice").exitCode());
        byte[] before = Files.readAllBytes(tmp.resolve("cfg/keys/alice.pem"));
        CliRun again = cfs("keygen", "alice");
        assertFailure(1, again, "cfs keygen: key file " + tmp.resolve("cfg/keys/alice.pem"), "already exists");
        assertEquals("", again.out());
        assertEquals(HexFormat.of().formatHex(before), HexFormat.of().formatHex(
                Files.readAllBytes(tmp.resolve("cfg/keys/alice.pem"))));
    }

    @Test
    void keygenRefusesABadNameAsAUsageError() {
        assertFailure(2, cfs("keygen", "../evil"), "key name '../evil' is not 1..64 characters");
        assertFalse(Files.exists(tmp.resolve("cfg/evil.pem")));
    }

    @Test
    void keysListsNamePublicKeyAndFile() throws Exception {
        assertEquals("no keys in " + tmp.resolve("cfg/keys") + "; make one with 'cfs keygen NAME'",
                cfs("keys").out().strip());
        String bob = cfs("keygen", "bob").out().lines().findFirst().orElseThrow();
        String alice = cfs("keygen", "alice").out().lines().findFirst().orElseThrow();
        CliRun run = cfs("keys");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("alice  " + alice + "  " + tmp.resolve("cfg/keys/alice.pem"),
                "bob    " + bob + "  " + tmp.resolve("cfg/keys/bob.pem")), run.out().lines().toList());
        JsonNode json = MAPPER.readTree(cfs("keys", "--json").lastOutLine());
        assertEquals(2, json.get("keys").size());
        assertEquals("alice", json.get("keys").get(0).get("name").asText());
        assertEquals(alice, json.get("keys").get(0).get("publicKey").asText());
        assertEquals(tmp.resolve("cfg/keys/bob.pem").toString(), json.get("keys").get(1).get("file").asText());
    }

    @Test
    void keysNamesACorruptKeyFile() throws Exception {
        cfs("keygen", "alice");
        Files.writeString(tmp.resolve("cfg/keys/alice.pem"), "garbage");
        assertFailure(1, cfs("keys"), "cfs keys: key file " + tmp.resolve("cfg/keys/alice.pem")
                + " is not an Ed25519 PKCS#8 key");
    }

    @Test
    void aliasesAreSetListedAndMoved() throws Exception {
        assertEquals("no aliases; add one with 'cfs alias set NAME VOLUME'", cfs("alias", "list").out().strip());
        assertEquals("photos = " + VOLUME, cfs("alias", "set", "photos", VOLUME).out().strip());
        assertEquals("docs = " + OTHER, cfs("alias", "set", "docs", OTHER.toUpperCase()).out().strip());
        assertEquals(List.of("docs    " + OTHER, "photos  " + VOLUME), cfs("alias", "list").out().lines().toList());
        assertEquals("photos = " + OTHER + " (was " + VOLUME + ")", cfs("alias", "set", "photos", OTHER).out().strip());
        JsonNode json = MAPPER.readTree(cfs("alias", "list", "--json").lastOutLine());
        assertEquals("[{\"name\":\"docs\",\"volume\":\"" + OTHER + "\"},{\"name\":\"photos\",\"volume\":\"" + OTHER
                + "\"}]", json.get("aliases").toString());
    }

    @Test
    void aliasSetRefusesWhatCouldNotBeResolved() {
        assertFailure(2, cfs("alias", "set", "photos", "abc"), "'abc' is not a volume id");
        assertFailure(2, cfs("alias", "set", OTHER, VOLUME), "would read as a volume id");
        assertFailure(2, cfs("alias", "set", "a b", VOLUME), "alias name 'a b' is not 1..64 characters");
        assertFailure(2, cfs("alias"), "name an alias command");
        assertEquals(Map.of(), ConfigDir.resolve(tmp.resolve("cfg"), Map.of()).aliases());
    }

    @Test
    void aliasSetRepairsACorruptAlias() throws Exception {
        Files.createDirectories(tmp.resolve("cfg"));
        Files.writeString(tmp.resolve("cfg/settings.properties"), "alias.photos=oops\n");
        assertFailure(1, cfs("alias", "list"), "alias.photos is 'oops'");
        assertEquals("photos = " + VOLUME, cfs("alias", "set", "photos", VOLUME).out().strip());
        assertEquals(Id.fromHex(VOLUME), ConfigDir.resolve(tmp.resolve("cfg"), Map.of()).resolveVolume("photos"));
    }

    @Test
    void configSetAndGetVia() {
        assertEquals("via = (not set)", cfs("config", "get").out().strip());
        assertFailure(1, cfs("config", "get", "via"), "via is not set", "cfs config set via HOST:PORT");
        CliRun set = cfs("config", "set", "via", "127.0.0.1:7000");
        assertEquals(0, set.exitCode(), set.err());
        assertTrue(set.out().startsWith("via = 127.0.0.1:7000 (saved in " + tmp.resolve("cfg/settings.properties")),
                set.out());
        assertEquals("127.0.0.1:7000", cfs("config", "get", "via").out().strip());
        assertEquals("via = 127.0.0.1:7000", cfs("config", "get").out().strip());
    }

    @Test
    void configRefusesUnknownSettingsAndBadAddresses() {
        assertFailure(2, cfs("config", "set", "colour", "blue"), "unknown setting 'colour': the settings are: via");
        assertFailure(2, cfs("config", "get", "colour"), "unknown setting 'colour'");
        assertFailure(2, cfs("config", "set", "via", "localhost"), "expected HOST:PORT, got 'localhost'");
        assertFailure(2, cfs("config", "set", "via", "127.0.0.1:0"), "not 0");
        assertEquals("via = (not set)", cfs("config", "get").out().strip());
    }

    @Test
    void commandsWithoutViaUseTheSavedOne() throws Exception {
        int saved = closedPort();
        cfs("config", "set", "via", "127.0.0.1:" + saved);
        CliRun run = cfs("lookup", "hello", "--timeout", "20");
        assertFailure(1, run, "cfs lookup: lookup via 127.0.0.1:" + saved + " failed");
        int given = closedPort();
        CliRun overridden = cfs("lookup", "hello", "--via", "127.0.0.1:" + given, "--timeout", "20");
        assertFailure(1, overridden, "cfs lookup: lookup via 127.0.0.1:" + given + " failed");
    }

    @Test
    void withoutViaOrASavedOneTheErrorSaysHowToSetIt() {
        String how = "give --via HOST:PORT or set one with 'cfs config set via HOST:PORT'";
        assertFailure(2, cfs("ring"), how);
        assertFailure(2, cfs("lookup", "hello"), how);
        assertFailure(2, cfs("block", "get", VOLUME), how);
    }

    @Test
    void xdgConfigHomeIsHonouredByTheCommand() throws Exception {
        Path xdg = tmp.resolve("xdg");
        Path home = tmp.resolve("home");
        Process keygen = cfsProcess(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", home.toString()),
                "keygen", "alice");
        assertTrue(Files.exists(xdg.resolve("cfs/keys/alice.pem")), "key under $XDG_CONFIG_HOME/cfs");
        assertFalse(Files.exists(home.resolve(".config")), "nothing under $HOME/.config");
        Process config = cfsProcess(Map.of("HOME", home.toString()), "config", "set", "via", "127.0.0.1:7000");
        assertTrue(Files.exists(home.resolve(".config/cfs/settings.properties")), "without XDG, ~/.config/cfs");
        assertEquals(0, keygen.exitValue() + config.exitValue());
    }

    /** Runs the cfs main class in a JVM of its own, with exactly the given environment. */
    private Process cfsProcess(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("process.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "cfs " + String.join(" ", args) + " did not finish");
        assertEquals(0, process.exitValue(), Files.readString(tmp.resolve("process.log")));
        return process;
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
