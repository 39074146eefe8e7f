package org.cfs.cluster.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The release tarball unpacked in a clean directory: its layout, bin/cfs, the completion, the sample config. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TarballIT {
    private static final Duration COMMAND_BOUND = Duration.ofMinutes(1);

    @TempDir
    static Path unpacked;
    static Path home;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpack() throws Exception {
        home = UnpackedRelease.unpack(unpacked);
    }

    @Test
    void theLayoutIsAsDocumented() throws Exception {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> all = Files.walk(unpacked)) {
            all.filter(Files::isRegularFile).forEach(f -> files.add(unpacked.relativize(f).toString()));
        }
        String top = "cfs-" + UnpackedRelease.VERSION + "/";
        Set<String> expected = new TreeSet<>();
        for (String f : List.of("bin/cfs", "lib/cfs.jar", "lib/runtime.sh", "README.md",
                "share/systemd/cfs-node.service", "share/cfs/node.conf", "share/bash-completion/completions/cfs")) {
            expected.add(top + f);
        }
        assertEquals(expected, files);
        assertTrue(Files.isExecutable(home.resolve("bin/cfs")), "bin/cfs is executable");
    }

    @Test
    void binCfsRunsTheJarFromAnyDirectoryThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("cfs"), home.resolve("bin/cfs"));
        UnpackedRelease.Run run = UnpackedRelease.run(dir, Map.of(), COMMAND_BOUND, link.toString(), "--version");
        assertEquals(0, run.exitCode(), run.output());
        assertEquals("cfs " + UnpackedRelease.VERSION + "\n", run.output());
    }

    /** With only a Java 11 on PATH and none elsewhere, bin/cfs names the package to install. */
    @Test
    void withoutJava17BinCfsSaysWhatToInstall() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : List.of("bash", "dirname", "readlink", "sed", "head")) {
            UnpackedRelease.Run which = UnpackedRelease.run(dir, Map.of(), COMMAND_BOUND, "sh", "-c", "command -v " + tool);
            Files.createSymbolicLink(bin.resolve(tool), Path.of(which.output().strip()));
        }
        Path java = Files.writeString(bin.resolve("java"),
                "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\nexit 0\n");
        assertTrue(java.toFile().setExecutable(true));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin.toString());
        env.put("JAVA_HOME", null);
        env.put("CFS_JVM_DIR", Files.createDirectory(dir.resolve("no-jvms")).toString());
        UnpackedRelease.Run run = UnpackedRelease.run(dir, env, COMMAND_BOUND, home.resolve("bin/cfs").toString(),
                "--version");
        assertEquals(1, run.exitCode(), run.output());
        assertEquals(List.of("cfs: needs Java 17 or newer; java on PATH (" + java + ") is Java 11. Install it with:",
                "  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless",
                "or set JAVA_HOME to a Java 17+ installation."), run.output().lines().toList());
    }

    @Test
    void theCompletionCompletesCommandsAndTheNodesOptions() throws Exception {
        assertEquals(List.of("node"), complete("cfs no"));
        assertEquals(List.of("--config"), complete("cfs node --conf"));
        List<String> block = complete("cfs block ");
        assertTrue(block.containsAll(List.of("get", "put", "stat")), "cfs block: " + block);
    }

    /** What bash completion offers for {@code line}, as bash would ask the script. */
    private List<String> complete(String line) throws Exception {
        String script = "source share/bash-completion/completions/cfs\n"
                + "COMP_LINE='" + line + "'; read -ra COMP_WORDS <<< \"$COMP_LINE\"\n"
                + (line.endsWith(" ") ? "COMP_WORDS+=('')\n" : "")
                + "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_POINT=${#COMP_LINE}\n"
                + "_complete_cfs cfs \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\" 2>/dev/null\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        UnpackedRelease.Run run = UnpackedRelease.run(home, Map.of(), COMMAND_BOUND, "bash", "-c", script);
        assertEquals(0, run.exitCode(), run.output());
        return run.output().lines().filter(l -> !l.isBlank()).toList();
    }

    /** The sample config as shipped, with only the address and data directory given as flags. */
    @Test
    void aNodeStartsFromTheSampleConfigAndStopsCleanly() throws Exception {
        String host = "127.0.0.36";
        String listen;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            listen = host + ":" + s.getLocalPort();
        }
        Path sample = home.resolve("share/cfs/node.conf");
        Path log = dir.resolve("node.log");
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/cfs").toString(), "node",
                "--config", sample.toString(), "--listen", listen, "--data", dir.resolve("data").toString()));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!UnpackedRelease.read(log).contains("started a new ring")) {
                assertTrue(p.isAlive(), "the node exited: " + UnpackedRelease.read(log));
                assertTrue(System.nanoTime() < deadline, "no ring within 60 s: " + UnpackedRelease.read(log));
                Thread.sleep(100);
            }
            String settings = UnpackedRelease.read(log).lines().filter(l -> l.contains("settings: ")).findFirst()
                    .orElseThrow();
            for (String shown : List.of("config file " + sample + ";", "listen=" + listen + " (flag)", "join=none",
                    "vnodes=4 (file)", "data=" + dir.resolve("data") + " (flag)", "capacity=10 GiB (file)")) {
                assertTrue(settings.contains(shown), "'" + shown + "' in: " + settings);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertEquals(0, p.exitValue(), "bin/cfs execs java, so SIGTERM reaches the node: " + UnpackedRelease.read(log));
    }
}
