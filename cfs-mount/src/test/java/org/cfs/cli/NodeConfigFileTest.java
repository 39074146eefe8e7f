package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ByteSize;
import org.cfs.dhash.DHashConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code cfs node --config FILE}: the file's values, flags over them, and every mistake in it named. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
    }

    /** The node command as parsed from {@code cfs ARGS}, with defaults applied, without running it. */
    private static CommandSpec parsedNode(String... args) {
        CommandLine cmd = Main.commandLine();
        return cmd.parseArgs(args).subcommand().commandSpec();
    }

    private static Object value(CommandSpec node, String option) {
        return node.findOption(option).getValue();
    }

    @Test
    void theFileSetsOptionsAndFlagsWinOverIt() throws Exception {
        Path conf = file("node.conf", "# a comment", "listen = 127.0.0.2:7000", "join=127.0.0.3:7000",
                "vnodes = 2  ", "capacity = 1G", "data = /var/lib/cfs", "successors =", "repair = Carbonite");
        CommandSpec node = parsedNode("node", "--config", conf.toString(), "--vnodes", "3");
        assertEquals("127.0.0.2:7000", value(node, "--listen").toString());
        assertEquals("127.0.0.3:7000", value(node, "--join").toString());
        assertEquals(3, value(node, "--vnodes"), "the flag wins over the file");
        assertEquals(1L << 30, ((ByteSize) value(node, "--capacity")).bytes());
        assertEquals(Path.of("/var/lib/cfs"), value(node, "--data"));
        assertEquals(16, value(node, "--successors"), "an empty value is the default");
        assertEquals(3, value(node, "--replicas"), "a key left out is the default");
        assertEquals(DHashConfig.Repair.CARBONITE, value(node, "--repair"), "a policy's name in any case");
        assertEquals(DHashConfig.Repair.EXACT, value(parsedNode("node", "--listen", "127.0.0.2:7000"), "--repair"),
                "the default policy");

        String settings = ((NodeConfigFile) node.defaultValueProvider()).describe(node);
        assertTrue(settings.startsWith("config file " + conf.toAbsolutePath() + "; "), settings);
        for (String shown : List.of("listen=127.0.0.2:7000 (file)", "vnodes=3 (flag)", "replicas=3 (default)",
                "capacity=1 GiB (file)", "successors=16 (default)", "repair=CARBONITE (file)")) {
            assertTrue(settings.contains(shown), "'" + shown + "' in: " + settings);
        }
    }

    @Test
    void theFileMayComeBeforeTheCommandToo() throws Exception {
        Path conf = file("node.conf", "listen = 127.0.0.2:7000");
        CommandSpec node = parsedNode("--config", conf.toString(), "node", "--vnodes", "1");
        assertEquals("127.0.0.2:7000", value(node, "--listen").toString());
    }

    @Test
    void anUnknownKeyIsAUsageErrorNamingTheKeyAndTheFile() throws Exception {
        Path conf = file("node.conf", "listen = 127.0.0.2:7000", "vnode = 2");
        CliRun run = CliRun.of("node", "--config", conf.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("cfs node: unknown key 'vnode' in config file " + conf + "; did you mean 'vnodes'?"
                + " (keys: listen, join, vnodes, data, replicas, capacity, successors"), line);
        assertTrue(line.endsWith(") (see 'cfs node --help')"), line);
        assertEquals("", run.out());
    }

    @Test
    void keysThatAreNotSettingsAreUnknownToo() throws Exception {
        for (String key : List.of("config", "help", "verbose")) {
            Path conf = file(key + ".conf", "listen = 127.0.0.2:7000", key + " = true");
            CliRun run = CliRun.of("node", "--config", conf.toString());
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().startsWith("cfs node: unknown key '" + key + "' in config file " + conf), run.err());
        }
    }

    @Test
    void aKeyGivenTwiceIsAUsageError() throws Exception {
        Path conf = file("node.conf", "listen = 127.0.0.2:7000", "listen = 127.0.0.3:7000");
        CliRun run = CliRun.of("node", "--config", conf.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(List.of("cfs node: key 'listen' is given twice in config file " + conf
                + " (see 'cfs node --help')"), run.errLines());
    }

    @Test
    void aMissingOrUnreadableFileIsAUsageErrorOnOneLine() throws Exception {
        Path missing = dir.resolve("absent.conf");
        assertEquals(List.of("cfs node: cannot read config file " + missing + ": no such file or directory"
                + " (see 'cfs node --help')"), CliRun.of("node", "--config", missing.toString()).errLines());
        assertEquals(2, CliRun.of("node", "--config", missing.toString()).exitCode());
        CliRun run = CliRun.of("node", "--config", dir.toString());
        assertEquals(2, run.exitCode());
        assertEquals(List.of("cfs node: cannot read config file " + dir + ": it is a directory"
                + " (see 'cfs node --help')"), run.errLines());
    }

    @Test
    void aBadValueInTheFileIsNamedWithItsKeyAndFile() throws Exception {
        Path conf = file("node.conf", "listen = 127.0.0.2:7000", "capacity = 10X");
        CliRun run = CliRun.of("node", "--config", conf.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("'10X' is not a byte size"), run.err());
        assertTrue(run.err().contains("(key 'capacity' of config file " + conf + ")"), run.err());
    }

    @Test
    void anUnknownRepairPolicyIsAUsageErrorNamingThePolicies() throws Exception {
        CliRun run = CliRun.of("node", "--listen", "127.0.0.2:7000", "--repair", "fast");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("'fast' is not a repair policy: exact or carbonite"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void withoutListenAnywhereTheOptionIsStillRequired() throws Exception {
        Path conf = file("node.conf", "vnodes = 2");
        CliRun run = CliRun.of("node", "--config", conf.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--listen"), run.err());
    }

    /** The release's sample file sets every option of cfs node, and nothing else. */
    @Test
    void theSampleConfigHasAKeyForEveryOption() throws Exception {
        // Surefire runs in the module's directory; the sample is cfs-dist's.
        Path sample = Path.of("..", "cfs-dist", "src", "share", "cfs", "node.conf").toAbsolutePath().normalize();
        CommandSpec node = parsedNode("node", "--config", sample.toString());
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(sample)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                keys.add(line.substring(0, line.indexOf('=')).strip());
            }
        }
        Set<String> options = new TreeSet<>();
        for (OptionSpec option : node.options()) {
            String name = option.longestName().substring(2);
            if (!Set.of("config", "help", "version", "verbose").contains(name)) {
                options.add(name);
            }
        }
        assertEquals(options, keys, "the sample's keys");
    }

    @Test
    void helpDescribesTheNodesConfigAsAFile() {
        CliRun run = CliRun.of("node", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--config=FILE"), run.out());
        assertTrue(CliRun.of("--help").out().contains("--config=DIR"), "other commands keep the directory");
    }

    /** A real node process says where its settings came from, once, and stops cleanly. */
    @Test
    void aNodeLogsItsConfigFileAndEffectiveSettings() throws Exception {
        String host = "127.0.0.34";
        String listen;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            listen = host + ":" + s.getLocalPort();
        }
        Path conf = file("node.conf", "listen = " + listen, "vnodes = 4", "repair = carbonite");
        Path err = dir.resolve("node.err");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), "org.cfs.cli.Main", "node", "--config", conf.toString(),
                "--vnodes", "1"));
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("node.out").toFile())
                .redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(err).contains("started a new ring")) {
                assertTrue(p.isAlive(), "the node exited: " + Files.readString(err));
                assertTrue(System.nanoTime() < deadline, "no ring within 60 s: " + Files.readString(err));
                Thread.sleep(100);
            }
            List<String> settings = Files.readAllLines(err).stream().filter(l -> l.contains("settings: ")).toList();
            assertEquals(1, settings.size(), "logged once: " + settings);
            assertTrue(settings.get(0).contains("settings: config file " + conf + "; listen=" + listen + " (file)"
                    + " join=none vnodes=1 (flag)"), settings.get(0));
            List<String> dhash = Files.readAllLines(err).stream().filter(l -> l.contains("dhash: ")).toList();
            assertEquals(1, dhash.size(), "one line of DHash settings: " + dhash);
            assertTrue(dhash.get(0).contains("maintenance every 10 s (carbonite repair)"), dhash.get(0));
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertEquals(0, p.exitValue(), Files.readString(err));
    }
}
