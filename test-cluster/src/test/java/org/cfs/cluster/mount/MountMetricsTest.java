package org.cfs.cluster.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cfs.chord.Id;
import org.cfs.cli.Main;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.mount.VolumeMount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cfs mount --metrics} on a real ring: the background mount process serves Prometheus
 * metrics, and reading a file and asking for a missing one move the FUSE counters it serves.
 */
@ExtendWith(RequiresFuse.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MountMetricsTest {
    private static final Pattern PID = Pattern.compile("process (\\d+)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)");

    @TempDir
    static Path dir;
    private static LoopbackDHashRing ring;
    private static Path config;
    private static Path mnt;
    private static byte[] data;
    private static long pid;
    private static URI metrics;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void publishAndMount() throws Exception {
        ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults().withReplicas(3),
                StoreLimits.defaults(), dir.resolve("ring"));
        ring.growSequentially(3, 1);
        ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
        Path src = Files.createDirectories(dir.resolve("src"));
        data = new byte[300_000];
        new Random(3).nextBytes(data);
        Files.write(src.resolve("big.bin"), data);
        Publisher publisher = new Publisher(Blocks.of(ring.client(ring.hosts().get(0).endpoint())),
                SeenVersions.inMemory(), Clock.systemUTC(), Duration.ofSeconds(20), FastCdc.defaults(),
                new Publisher.Listener() { });
        Id volume = publisher.publish(src, SigningKey.generate(new SecureRandom()),
                "metrics".getBytes(StandardCharsets.UTF_8), Publisher.Options.defaults()).volume();
        config = dir.resolve("config");
        assertEquals(0, cfs("alias", "set", "docs", volume.toHex()).code());
        mnt = Files.createDirectories(dir.resolve("mnt"));

        String metricsAt = "127.0.0.1:" + freePort();
        metrics = URI.create("http://" + metricsAt + "/metrics");
        Run run = cfs("mount", mnt.toString(), "--via", ring.hosts().get(0).endpoint().toString(),
                "--timeout", "10s", "--metrics", metricsAt);
        assertEquals(0, run.code(), run.err());
        Matcher m = PID.matcher(run.out());
        assertTrue(m.find(), run.out());
        pid = Long.parseLong(m.group(1));
    }

    @AfterAll
    static void unmountAndStop() throws Exception {
        if (mnt != null && VolumeMount.isMounted(mnt)) {
            VolumeMount.unmount(mnt);
        }
        if (pid != 0) {
            ProcessHandle.of(pid).ifPresent(p -> {
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        if (ring != null) {
            ring.close();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cfs(String... args) {
        CommandLine cmd = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Every sample of a scrape by series; a line that is neither a comment nor a sample fails. */
    private static Map<String, Double> scrape() throws Exception {
        return samples(scrapeText());
    }

    private static String scrapeText() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample: " + line);
            samples.put(m.group(1), Double.parseDouble(m.group(2).replace("Inf", "Infinity")));
        }
        return samples;
    }

    private static double value(Map<String, Double> samples, String series) {
        Double v = samples.get(series);
        assertTrue(v != null, series + " is not served: " + samples.keySet());
        return v;
    }

    @Test
    void readsAndMissesMoveTheFuseCounters() throws Exception {
        Map<String, Double> before = scrape();
        assertArrayEquals(data, Files.readAllBytes(mnt.resolve("docs/big.bin")));
        assertFalse(Files.exists(mnt.resolve("docs/no-such-file")));
        Map<String, Double> after = scrape();

        assertTrue(value(after, "cfs_fuse_read_bytes_total") - value(before, "cfs_fuse_read_bytes_total")
                >= data.length, "bytes read: " + after.get("cfs_fuse_read_bytes_total"));
        String reads = "cfs_fuse_operations_seconds_count{op=\"read\"}";
        assertTrue(value(after, reads) > value(before, reads), "reads counted");
        String opens = "cfs_fuse_operations_seconds_count{op=\"open\"}";
        assertTrue(value(after, opens) > value(before, opens), "opens counted");
        String missing = "cfs_fuse_errors_total{errno=\"ENOENT\",op=\"getattr\"}";
        assertTrue(value(after, missing) > value(before, missing), "the missing file counted as ENOENT");
        String memoryMisses = "cfs_block_cache_requests_total{cache=\"memory\",result=\"miss\"}";
        assertTrue(value(after, memoryMisses) > value(before, memoryMisses), "blocks fetched past the memory cache");
        value(after, "cfs_block_cache_requests_total{cache=\"disk\",result=\"hit\"}");
        value(after, "cfs_block_cache_size_bytes{cache=\"disk\"}");
        String lookups = "cfs_lookups_started_total";
        assertTrue(value(after, lookups) > value(before, lookups), "the mount's lookups counted");
        assertTrue(after.keySet().stream().anyMatch(s -> s.startsWith("jvm_memory_used_bytes{")), "JVM meters");
    }

    @Test
    void aScrapePassesPromtool() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            if ("1".equals(System.getenv("CFS_REQUIRE_FUSE"))) {
                throw new AssertionError("promtool is missing (Debian package prometheus); scripts/test installs it");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        Path file = Files.writeString(Files.createTempFile("scrape", ".txt"), scrapeText());
        try {
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(file.toFile()).redirectErrorStream(true).start();
            assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, check.exitValue(), out);
        } finally {
            Files.delete(file);
        }
    }
}
