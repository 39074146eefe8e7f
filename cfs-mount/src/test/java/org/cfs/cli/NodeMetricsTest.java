package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code cfs node --metrics} processes, each on its own loopback address: their scrapes
 * parse as the Prometheus text format, move as blocks are put and read, pass {@code promtool
 * check metrics}, and {@code cfs status} describes a node (and fails in one line for one that is
 * not there).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeMetricsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int HOSTS = 3;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> nodes = new ArrayList<>();
    private final List<String> listen = new ArrayList<>();
    private final List<URI> metrics = new ArrayList<>();
    /** Node 0's --http address. */
    private URI gateway;

    @TempDir
    static Path dir;

    @BeforeAll
    void startNodes() throws Exception {
        for (int i = 0; i < HOSTS; i++) {
            String host = "127.0.0." + (51 + i);
            listen.add(host + ":" + freePort(host));
            String metricsAt = host + ":" + freePort(host);
            metrics.add(URI.create("http://" + metricsAt + "/metrics"));
            List<String> args = new ArrayList<>(List.of("--listen", listen.get(i), "--vnodes", "2",
                    "--data", dir.resolve("data" + i).toString(), "--metrics", metricsAt));
            if (i == 0) {
                gateway = URI.create("http://" + host + ":" + freePort(host) + "/");
                args.addAll(List.of("--http", gateway.getHost() + ":" + gateway.getPort()));
            }
            if (i > 0) {
                args.addAll(List.of("--join", listen.get(0)));
            }
            nodes.add(node("node" + i, args));
        }
        for (int i = 0; i < HOSTS; i++) {
            awaitLog("node" + i, i == 0 ? "started a new ring" : "joined ring");
        }
    }

    @AfterAll
    void stopNodes() throws InterruptedException {
        for (Process p : nodes) {
            p.destroy();
        }
        for (Process p : nodes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    private Process node(String name, List<String> args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx160m",
                "-cp", System.getProperty("java.class.path"), "org.cfs.cli.Main", "node"));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
    }

    private void awaitLog(String name, String line) throws Exception {
        Path log = dir.resolve(name + ".err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(line)) {
                assertTrue(text.contains("serving metrics at http://"), text);
                return;
            }
            Thread.sleep(100);
        }
        fail(name + " did not log '" + line + "' within 60 s: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    private String scrapeText(int node) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics.get(node))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        return response.body();
    }

    private Map<String, Double> scrape(int node) throws Exception {
        return PrometheusText.parse(scrapeText(node));
    }

    private double sum(String name, Map<String, Double> samples) {
        return samples.entrySet().stream().filter(e -> PrometheusText.name(e.getKey()).equals(name))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void scrapesParseAndMoveAsBlocksArePutAndRead() throws Exception {
        List<Map<String, Double>> before = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            before.add(scrape(i));
        }
        for (String name : List.of("cfs_lookups_started_total", "cfs_lookups_failed_total", "cfs_lookup_hops_count",
                "cfs_lookup_seconds_count", "cfs_lookup_seconds_bucket", "cfs_rpc_timeouts_total",
                "cfs_ring_vnodes_estimate", "cfs_store_blocks", "cfs_store_size_bytes", "cfs_store_capacity_bytes",
                "cfs_path_cache_requests_total", "cfs_maintenance_rounds_total", "cfs_maintenance_traffic_bytes_total",
                "cfs_rocksdb_sst_files_size_bytes", "cfs_rocksdb_live_data_size_bytes", "jvm_memory_used_bytes",
                "jvm_threads_live_threads", "system_cpus", "process_uptime_seconds")) {
            assertTrue(before.get(0).keySet().stream().anyMatch(k -> PrometheusText.name(k).equals(name)),
                    name + " is missing from " + before.get(0).keySet());
        }

        Random random = new Random(5);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] data = new byte[10_000 + i];
            random.nextBytes(data);
            Path file = Files.write(dir.resolve("block" + i), data);
            CliRun put = CliRun.of("block", "put", file.toString(), "--via", listen.get(i % HOSTS), "--json");
            assertEquals(0, put.exitCode(), put.err());
            keys.add(MAPPER.readTree(put.lastOutLine()).get("key").asText());
        }
        for (String key : keys) {
            CliRun get = CliRun.of("block", "get", key, "--via", listen.get(1), "--output",
                    dir.resolve("copy").toString());
            assertEquals(0, get.exitCode(), get.err());
        }

        // Blocks are stored at once; nodes' own lookups (fingers, maintenance) run on timers: wait for them, bounded.
        double blocksBefore = 0;
        for (Map<String, Double> b : before) {
            blocksBefore += sum("cfs_store_blocks", b);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<Map<String, Double>> after = new ArrayList<>();
            for (int i = 0; i < HOSTS; i++) {
                after.add(scrape(i));
            }
            double blocks = 0;
            boolean lookupsMoved = false;
            boolean roundsMoved = false;
            for (int i = 0; i < HOSTS; i++) {
                blocks += sum("cfs_store_blocks", after.get(i));
                lookupsMoved |= sum("cfs_lookups_started_total", after.get(i))
                        > sum("cfs_lookups_started_total", before.get(i));
                roundsMoved |= sum("cfs_maintenance_rounds_total", after.get(i))
                        > sum("cfs_maintenance_rounds_total", before.get(i));
            }
            if (blocks >= blocksBefore + 5 * HOSTS && lookupsMoved && roundsMoved) {
                Map<String, Double> first = after.get(0);
                assertTrue(sum("cfs_lookup_seconds_count", first) >= sum("cfs_lookup_hops_count", first) - 1,
                        "each successful lookup is timed and its hops recorded");
                double estimate = sum("cfs_ring_vnodes_estimate", first);
                assertTrue(estimate >= 2 && estimate <= 4 * HOSTS * 2, "ring of 6 vnodes estimated as " + estimate);
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("counters did not move within 60 s: blocks " + blocksBefore + " -> " + blocks
                        + ", lookups moved " + lookupsMoved + ", maintenance rounds moved " + roundsMoved);
            }
            Thread.sleep(500);
        }
    }

    @Test
    void aScrapePassesPromtool() throws Exception {
        promtool(scrapeText(0));
    }

    @Test
    void theNodesGatewayIsMeasured() throws Exception {
        String ok = "cfs_gateway_requests_seconds_count{status=\"200\"}";
        String notFound = "cfs_gateway_requests_seconds_count{status=\"404\"}";
        String before = scrapeText(0);
        for (String path : List.of("", "api/status", "v/" + "0".repeat(40) + "/")) {
            http.send(HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        String after = scrapeText(0);
        assertTrue(sample(after, ok) >= sample(before, ok) + 2, "200s counted: " + sample(after, ok));
        assertTrue(sample(after, notFound) >= sample(before, notFound) + 1, "404s counted");
        assertTrue(sample(after, "cfs_gateway_sent_bytes_total") > sample(before, "cfs_gateway_sent_bytes_total"));
        promtool(after);
    }

    /** A series' value in a scrape, 0 if it is not there (yet). */
    private static double sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    private static void promtool(String scrape) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            if ("1".equals(System.getenv("CFS_REQUIRE_FUSE"))) {
                fail("promtool is missing (Debian package prometheus); scripts/test installs it");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        Path file = Files.writeString(Files.createTempFile(dir, "scrape", ".txt"), scrape, StandardCharsets.UTF_8);
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        assertTrue(check.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.exitValue(), out);
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        URI other = metrics.get(0).resolve("/other");
        assertEquals(404, http.send(HttpRequest.newBuilder(other).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(metrics.get(0)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    @Test
    void statusDescribesTheNodeAsTextAndJson() throws Exception {
        CliRun json = CliRun.of("status", "--via", listen.get(1), "--json");
        assertEquals(0, json.exitCode(), json.err());
        JsonNode status = MAPPER.readTree(json.lastOutLine());
        assertEquals(listen.get(1), status.get("node").asText());
        assertTrue(status.get("software").asText().startsWith("cfs "), json.out());
        assertTrue(status.get("uptimeSeconds").asDouble() > 0, json.out());
        assertTrue(status.get("capacity").asLong() > 0, json.out());
        JsonNode vnodes = status.get("vnodes");
        assertEquals(2, vnodes.size(), json.out());
        for (int v = 0; v < 2; v++) {
            JsonNode vnode = vnodes.get(v);
            assertEquals(v, vnode.get("self").get("vnode").asInt(), json.out());
            assertEquals(listen.get(1), vnode.get("self").get("host").asText() + ":"
                    + vnode.get("self").get("port").asInt());
            assertTrue(vnode.get("successors").size() >= 1, json.out());
        }

        CliRun text = CliRun.of("status", "--via", listen.get(1));
        assertEquals(0, text.exitCode(), text.err());
        List<String> lines = text.out().lines().toList();
        assertTrue(lines.get(0).startsWith("node " + listen.get(1) + ": cfs "), text.out());
        assertTrue(lines.stream().anyMatch(l -> l.trim().startsWith("store ")), text.out());
        assertTrue(lines.stream().anyMatch(l -> l.trim().startsWith("maintenance ")), text.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains(vnodes.get(1).get("self").get("id").asText())),
                text.out());
    }

    @Test
    void statusOfANodeThatIsNotThereIsOneLineAndExitOne() throws Exception {
        String nobody = "127.0.0.59:" + freePort("127.0.0.59");
        long start = System.nanoTime();
        CliRun run = CliRun.of("status", "--via", nobody, "--timeout", "5");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15), "within the deadline");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("cfs status: asking " + nobody + " for its status failed: "), run.err());
    }
}
