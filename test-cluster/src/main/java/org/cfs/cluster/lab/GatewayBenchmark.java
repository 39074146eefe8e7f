package org.cfs.cluster.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.cfs.chord.ByteSize;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.VolumeSnapshots;
import org.cfs.fs.Volumes;
import org.cfs.gateway.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The HTTP gateway on real nodes beside nginx serving the same tree from local disk, both on
 * loopback in the same run, the order alternating across runs: a big file downloaded with
 * {@code curl -o /dev/null}, cold and warm, and many small files fetched with a fixed
 * concurrency, cold and warm. Every byte of the small files is checked, and the big file once
 * from each server before the runs.
 */
@Command(name = "gateway-bench", mixinStandardHelpOptions = true,
        description = "N real nodes in one JVM, each on its own loopback address, with RocksDB stores, read over HTTP through the gateway"
                + " beside nginx serving the same tree from disk: a big file with curl (MB/s, cold and warm) and many"
                + " small files at a fixed concurrency (files/s, cold and warm).")
final class GatewayBenchmark implements Callable<Integer> {
    /** cfs gateway's defaults (GatewayCommand): --timeout, --refresh and --memory-cache. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REFRESH = Duration.ofSeconds(60);
    private static final long MEMORY_CACHE_BYTES = 256L << 20;
    /** Bound on any one timed step or command: far above what they take, so only a hang trips it. */
    private static final Duration NGINX_START = Duration.ofSeconds(20);
    private static final long SEED = 1;
    private static final int DIRS = 100;
    private static final int SMALL_MIN = 1024;
    private static final int SMALL_MAX = 16384;
    private static final byte[] LABEL = "gateway-bench".getBytes(StandardCharsets.UTF_8);

    @Option(names = "--nodes", defaultValue = "5", description = "Hosts, one vnode each (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--replicas", defaultValue = "3", description = "Copies of each block (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--big", defaultValue = "1G", description = "Size of the big file (default ${DEFAULT-VALUE}).")
    String big;

    @Option(names = "--files", defaultValue = "10000",
            description = "Small files (1 to 16 KiB, in 100 directories) fetched one request each (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--concurrency", defaultValue = "16",
            description = "Small-file requests in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--runs", defaultValue = "3", description = "Runs, alternating the order of the servers (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    private Path work;
    private Path tree;
    private LoopbackDHashRing ring;
    private long bigBytes;
    private long bigCrc;
    private List<String> smallPaths;
    private long[] smallCrcs;
    private boolean dropCaches;
    private Publication volume;
    private HttpClient http;

    /** Seconds of each timed side of one run. */
    private record Run(double gatewayCold, double gatewayWarm, double nginxCold, double nginxWarm,
                       double gatewaySmallCold, double gatewaySmallWarm, double nginxSmallCold, double nginxSmallWarm) {
    }

    /** One side's figures of one run. */
    private record Side(double bigCold, double bigWarm, double smallCold, double smallWarm) {
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        bigBytes = ByteSize.parse(big).bytes();
        check(nodes >= replicas && replicas >= 1, "--nodes " + nodes + " must be at least --replicas " + replicas);
        check(files >= 1 && runs >= 1 && concurrency >= 1, "--files, --runs and --concurrency must be at least 1");
        check(bigBytes > 64 << 10, "--big must exceed 64 KiB, so it is chunked");
        String nginx = nginxBinary();
        work = Files.createTempDirectory("gateway-bench");
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "small-file-client");
            t.setDaemon(true);
            return t;
        });
        // Its own executor: the pool's threads block in send() and must not be the ones completing it.
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
        try {
            prepare();
            List<Run> done = new ArrayList<>();
            try (LoopbackDHashRing r = Experiments.volumeRing(work.resolve("ring"), nodes, replicas);
                    Nginx server = Nginx.start(nginx, work.resolve("nginx"), tree)) {
                ring = r;
                publish();
                verifyBig("nginx", server.base());
                try (Gateway g = gateway()) {
                    verifyBig("the gateway", gatewayBase(g));
                }
                for (int i = 0; i < runs; i++) {
                    progress("run " + (i + 1) + " of " + runs + (i % 2 == 1 ? ": nginx first" : ": the gateway first"));
                    done.add(run(i, server, pool));
                }
            }
            report(done, nginx, (System.nanoTime() - started) / 1e9);
        } finally {
            pool.shutdownNow();
            Experiments.deleteTree(work);
        }
        return 0;
    }

    /** The local tree, the CRCs every read must match, and whether the page cache may be dropped. */
    private void prepare() throws Exception {
        tree = Files.createDirectories(work.resolve("tree"));
        progress("writing a " + bigBytes + "-byte file and " + files + " small files");
        Path bigFile = tree.resolve("big.bin");
        RandomTree.file(bigFile, bigBytes, new SplittableRandom(SEED));
        try (FileChannel ch = FileChannel.open(bigFile)) {
            bigCrc = FileReads.sequentialCrc(ch::read, bigBytes);
        }
        Path small = Files.createDirectories(tree.resolve("small"));
        RandomTree.smallFiles(small, files, DIRS, SMALL_MIN, SMALL_MAX, new SplittableRandom(SEED + 1));
        smallPaths = new ArrayList<>(files);
        smallCrcs = new long[files];
        for (int i = 0; i < files; i++) {
            String path = String.format("small/d%03d/f%06d", i % DIRS, i);
            smallPaths.add(path);
            smallCrcs[i] = crc(Files.readAllBytes(tree.resolve(path)));
        }
        dropCaches = Experiments.exitsZero("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches");
        progress(dropCaches ? "the page cache is dropped before each cold side"
                : "the page cache cannot be dropped here (not root?): cold sides only sync");
    }

    private void publish() throws Exception {
        Publisher publisher = new Publisher(Blocks.of(ring.client(ring.hosts().get(0).endpoint())),
                SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, FastCdc.defaults(), new Publisher.Listener() { });
        progress("publishing the tree");
        volume = publisher.publish(tree, SigningKey.generate(new SecureRandom()), LABEL, Publisher.Options.defaults());
        progress("published in " + volume.elapsed().toSeconds() + " s");
    }

    /** A gateway as {@code cfs gateway} makes one: a DHash client of its own and an empty memory cache. */
    private Gateway gateway() throws IOException {
        Volumes volumes = new Volumes(Blocks.of(ring.client(ring.hosts().get(0).endpoint())), SeenVersions.inMemory(),
                Clock.systemUTC(), TIMEOUT, MEMORY_CACHE_BYTES);
        return Gateway.start(new InetSocketAddress("127.0.0.1", 0), new VolumeSnapshots(volumes, Clock.systemUTC(), REFRESH),
                name -> Optional.empty(), Gateway.Settings.defaults().withRefresh(REFRESH));
    }

    private String gatewayBase(Gateway g) {
        return "http://127.0.0.1:" + g.address().getPort() + "/v/" + volume.volume().toHex();
    }

    /** One run: nginx goes first in odd runs and second in even ones. */
    private Run run(int index, Nginx server, ExecutorService pool) throws Exception {
        boolean nginxFirst = index % 2 == 1;
        Side nginx = nginxFirst ? nginxSide(server, pool) : null;
        Side gateway = gatewaySide(pool);
        if (!nginxFirst) {
            nginx = nginxSide(server, pool);
        }
        return new Run(gateway.bigCold(), gateway.bigWarm(), nginx.bigCold(), nginx.bigWarm(), gateway.smallCold(),
                gateway.smallWarm(), nginx.smallCold(), nginx.smallWarm());
    }

    /** Each cold side through a fresh gateway, after the page cache is dropped; warm through the same one again. */
    private Side gatewaySide(ExecutorService pool) throws Exception {
        progress("the gateway: the big file, cold and warm");
        double bigCold;
        double bigWarm;
        cold();
        try (Gateway g = gateway()) {
            bigCold = curl(gatewayBase(g) + "/big.bin");
            bigWarm = curl(gatewayBase(g) + "/big.bin");
        }
        progress("the gateway: " + files + " small files, cold and warm");
        double smallCold;
        double smallWarm;
        cold();
        try (Gateway g = gateway()) {
            smallCold = smallFiles(gatewayBase(g), pool);
            smallWarm = smallFiles(gatewayBase(g), pool);
        }
        return new Side(bigCold, bigWarm, smallCold, smallWarm);
    }

    private Side nginxSide(Nginx server, ExecutorService pool) throws Exception {
        progress("nginx: the big file, cold and warm");
        cold();
        double bigCold = curl(server.base() + "/big.bin");
        double bigWarm = curl(server.base() + "/big.bin");
        progress("nginx: " + files + " small files, cold and warm");
        cold();
        double smallCold = smallFiles(server.base(), pool);
        double smallWarm = smallFiles(server.base(), pool);
        return new Side(bigCold, bigWarm, smallCold, smallWarm);
    }

    /** Seconds curl took to download {@code url} to /dev/null (its own time_total); fails on a short body. */
    private double curl(String url) throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                url).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            if (!p.waitFor(Experiments.STEP_BOUND.toMinutes(), TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("curl " + url + " took over " + Experiments.STEP_BOUND);
            }
            out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        String[] parts = out.split(" ");
        if (p.exitValue() != 0 || parts.length != 2 || Long.parseLong(parts[0]) != bigBytes) {
            throw new IllegalStateException("curl " + url + " exited " + p.exitValue() + " having read '" + out
                    + "' (size, seconds); expected " + bigBytes + " bytes");
        }
        return Double.parseDouble(parts[1]);
    }

    /** Before the runs: the big file read whole from {@code base}, its CRC against the source's. */
    private void verifyBig(String server, String base) throws Exception {
        progress("checking the big file's bytes from " + server);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(base + "/big.bin"))
                .timeout(Experiments.STEP_BOUND).build(), HttpResponse.BodyHandlers.ofInputStream());
        CRC32C crc = new CRC32C();
        long n = 0;
        try (InputStream in = response.body()) {
            byte[] buf = new byte[1 << 20];
            for (int r; (r = in.read(buf)) > 0; n += r) {
                crc.update(buf, 0, r);
            }
        }
        if (response.statusCode() != 200 || n != bigBytes || crc.getValue() != bigCrc) {
            throw new IllegalStateException(server + " served big.bin with status " + response.statusCode() + ", "
                    + n + " bytes, CRC-32C " + Long.toHexString(crc.getValue()) + " (expected " + bigBytes + " bytes, "
                    + Long.toHexString(bigCrc) + ")");
        }
    }

    /** Seconds to GET every small file under {@code base}, {@link #concurrency} at a time, each checked. */
    private double smallFiles(String base, ExecutorService pool) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<Void>> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < files; ) {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/" + smallPaths.get(i)))
                            .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200 || crc(r.body()) != smallCrcs[i]) {
                        throw new IllegalStateException(base + "/" + smallPaths.get(i) + ": status " + r.statusCode()
                                + ", " + r.body().length + " bytes that are not the file's");
                    }
                }
                return null;
            }));
        }
        long deadline = t0 + Experiments.STEP_BOUND.toNanos();
        for (Future<Void> w : workers) {
            w.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    /** Before a cold side: flushes dirty pages, and drops the page cache where allowed. */
    private void cold() throws Exception {
        Experiments.exec("sync");
        if (dropCaches) {
            Experiments.exec("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches");
        }
    }

    private void report(List<Run> done, String nginx, double totalSeconds) throws Exception {
        long smallBytes;
        try (Stream<Path> paths = Files.walk(tree.resolve("small"))) {
            smallBytes = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        Report report = new Report("gateway-bench")
                .put("date", java.time.LocalDate.now(Clock.systemUTC()).toString())
                .put("nodes", nodes)
                .put("replicas", replicas)
                .put("store", "rocksdb-sync")
                .put("runs", done.size())
                .put("big_bytes", bigBytes)
                .put("small_files", files)
                .put("small_bytes", smallBytes)
                .put("concurrency", concurrency)
                .put("gateway_memory_cache_bytes", MEMORY_CACHE_BYTES)
                .put("nginx", nginxVersion(nginx))
                .put("drop_caches", dropCaches)
                .put("publish_s", volume.elapsed().toMillis() / 1e3);
        RunTable<Run> table = new RunTable<>(done);
        table.figure(report, "gateway_cold_mb_s", r -> bigBytes / r.gatewayCold() / 1e6);
        table.figure(report, "gateway_warm_mb_s", r -> bigBytes / r.gatewayWarm() / 1e6);
        table.figure(report, "nginx_cold_mb_s", r -> bigBytes / r.nginxCold() / 1e6);
        table.figure(report, "nginx_warm_mb_s", r -> bigBytes / r.nginxWarm() / 1e6);
        table.figure(report, "cold_gateway_vs_nginx", r -> r.nginxCold() / r.gatewayCold());
        table.figure(report, "warm_gateway_vs_nginx", r -> r.nginxWarm() / r.gatewayWarm());
        table.figure(report, "gateway_small_cold_files_s", r -> files / r.gatewaySmallCold());
        table.figure(report, "gateway_small_warm_files_s", r -> files / r.gatewaySmallWarm());
        table.figure(report, "nginx_small_cold_files_s", r -> files / r.nginxSmallCold());
        table.figure(report, "nginx_small_warm_files_s", r -> files / r.nginxSmallWarm());
        table.figure(report, "small_cold_gateway_vs_nginx", r -> r.nginxSmallCold() / r.gatewaySmallCold());
        table.figure(report, "small_warm_gateway_vs_nginx", r -> r.nginxSmallWarm() / r.gatewaySmallWarm());
        table.print(System.out);
        report.put("seconds", Math.round(totalSeconds))
                .put("cores", Runtime.getRuntime().availableProcessors())
                .print(System.out, json);
    }

    /**
     * nginx as a child process on a free loopback port, serving {@code root} from a generated
     * minimal configuration under {@code prefix} (one process, no daemon, no access log); stopped
     * by its PID.
     */
    private record Nginx(Process process, int port) implements AutoCloseable {
        static Nginx start(String binary, Path prefix, Path root) throws Exception {
            Files.createDirectories(prefix.resolve("logs"));
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path conf = prefix.resolve("nginx.conf");
            Files.writeString(conf, String.join("\n",
                    "daemon off;",
                    "master_process off;",
                    "worker_processes 1;",
                    "pid " + prefix.resolve("nginx.pid") + ";",
                    "error_log " + prefix.resolve("logs/error.log") + " warn;",
                    "events { worker_connections 1024; }",
                    "http {",
                    "    access_log off;",
                    "    sendfile on;",
                    "    tcp_nopush on;",
                    "    keepalive_requests 100000;",
                    "    default_type application/octet-stream;",
                    "    client_body_temp_path " + prefix.resolve("body") + ";",
                    "    proxy_temp_path " + prefix.resolve("proxy") + ";",
                    "    fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
                    "    uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
                    "    scgi_temp_path " + prefix.resolve("scgi") + ";",
                    "    server {",
                    "        listen 127.0.0.1:" + port + ";",
                    "        root " + root + ";",
                    "        autoindex on;",
                    "    }",
                    "}", ""));
            Process p = new ProcessBuilder(binary, "-c", conf.toString(), "-p", prefix.toString(), "-e",
                    prefix.resolve("logs/error.log").toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/output.log").toFile()).start();
            Nginx nginx = new Nginx(p, port);
            long deadline = System.nanoTime() + NGINX_START.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("nginx exited " + p.exitValue() + " at start: "
                            + Files.readString(prefix.resolve("logs/output.log")) + Files.readString(
                            prefix.resolve("logs/error.log")));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    progress("nginx (process " + p.pid() + ") serves " + root + " on 127.0.0.1:" + port);
                    return nginx;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            nginx.close();
            throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within " + NGINX_START);
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }

        /** SIGTERM (nginx's fast shutdown), then SIGKILL if it is still there after 10 s. */
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** nginx on PATH, else Debian's /usr/sbin/nginx (not on a user's PATH); fails saying what to install. */
    private static String nginxBinary() throws Exception {
        for (String candidate : List.of("nginx", "/usr/sbin/nginx")) {
            try {
                if (Experiments.exitsZero(candidate, "-v")) {
                    return candidate;
                }
            } catch (IOException e) {
                // not there; try the next
            }
        }
        throw new IllegalStateException("needs nginx, to compare with: apt-get install -y nginx (./lab installs it"
                + " when run as root)");
    }

    private static String nginxVersion(String binary) throws Exception {
        Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        p.waitFor(10, TimeUnit.SECONDS);
        return out.replace("nginx version: ", "");
    }

    /** Says on stderr what a long run is doing, so a stalled step can be told from a slow one. */
    private static void progress(String what) {
        System.err.println(java.time.LocalTime.now(Clock.systemUTC()).withNano(0) + " gateway-bench: " + what);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

}
