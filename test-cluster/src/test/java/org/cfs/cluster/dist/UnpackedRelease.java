package org.cfs.cluster.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The release tarball of this build (cfs-dist's target/cfs-VERSION.tar.gz, which `mvn package`
 * makes), unpacked with tar into a directory of its own, and commands run from it as a user would.
 */
final class UnpackedRelease {
    static final String VERSION = System.getProperty("cfs.version");

    private UnpackedRelease() {
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    record Run(int exitCode, String output) {
    }

    /** Unpacks the tarball into {@code dir} and returns its top directory, cfs-VERSION. */
    static Path unpack(Path dir) throws Exception {
        String property = System.getProperty("cfs.tarball");
        if (property == null || VERSION == null) {
            throw new AssertionError("cfs.tarball and cfs.version are not set: run these tests with"
                    + " failsafe (mvn verify), which sets them");
        }
        Path tarball = Path.of(property);
        if (!Files.isRegularFile(tarball)) {
            throw new AssertionError("no release tarball at " + tarball + "; `mvn package` of cfs-dist makes it");
        }
        Run untar = run(dir, Map.of(), Duration.ofMinutes(2), "tar", "-xzf", tarball.toString());
        if (untar.exitCode() != 0) {
            throw new AssertionError("tar -xzf " + tarball + " failed: " + untar.output());
        }
        return dir.resolve("cfs-" + VERSION);
    }

    /**
     * Runs {@code command} in {@code dir} with the environment changed by {@code env} (a null value
     * removes the variable), killed if it outlasts {@code bound}.
     */
    static Run run(Path dir, Map<String, String> env, Duration bound, String... command) throws Exception {
        Path out = Files.createTempFile("cfs-run", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            env.forEach((k, v) -> {
                if (v == null) {
                    builder.environment().remove(k);
                } else {
                    builder.environment().put(k, v);
                }
            });
            Process p = builder.start();
            try {
                if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(String.join(" ", command) + " did not end within " + bound
                            + ": " + read(out));
                }
            } finally {
                p.destroyForcibly();
            }
            return new Run(p.exitValue(), read(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
