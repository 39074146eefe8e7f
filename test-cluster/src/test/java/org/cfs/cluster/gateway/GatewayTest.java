package org.cfs.cluster.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cfs.chord.Id;
import org.cfs.cluster.LoopbackDHashRing;
import org.cfs.cluster.LoopbackRing;
import org.cfs.dhash.Block;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.ForwardingBlocks;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.VolumeSnapshots;
import org.cfs.fs.Volumes;
import org.cfs.gateway.Gateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP gateway in front of a real ring (five hosts on loopback, TCP, RocksDB): files read back
 * as published, with ranges, validators and listings; blocks hash to their keys; and bad or
 * hostile requests get the right status or a closed connection while others are served.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GatewayTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
    /** More than loopback's socket buffers hold (up to 4 MiB each way here), so a stalled client stalls the server. */
    private static final int STALL_BYTES = 24 << 20;

    @TempDir
    static Path dir;
    private static LoopbackDHashRing ring;
    private static Gateway gateway;
    private static VolumeSnapshots snapshots;
    private static Blocks blocks;
    private static Path source;
    private static Id volume;
    private static String base;
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void publishAndServe() throws Exception {
        ring = new LoopbackDHashRing(LoopbackRing.loopbackConfig(), DHashConfig.defaults().withReplicas(3),
                StoreLimits.defaults(), dir.resolve("ring"));
        ring.growSequentially(5, 1);
        ring.stabilize(Duration.ofSeconds(60), Duration.ofMillis(200)).orElseThrow(
                () -> new AssertionError("ring did not stabilize: " + ring.mismatches()));
        blocks = Blocks.of(ring.client(ring.hosts().get(0).endpoint()));
        Publisher publisher = new Publisher(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                new FastCdc(4096, 16384, 65536), new Publisher.Listener() { });
        source = sourceTree(dir.resolve("src"));
        volume = publisher.publish(source, SigningKey.generate(new SecureRandom()),
                "gateway".getBytes(StandardCharsets.UTF_8), Publisher.Options.defaults()).volume();
        Volumes volumes = new Volumes(blocks, SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 64L << 20);
        snapshots = new VolumeSnapshots(volumes, Clock.systemUTC(), Duration.ofSeconds(5));
        gateway = Gateway.start(new InetSocketAddress("127.0.0.1", 0), snapshots,
                name -> name.equals("site") ? Optional.of(volume) : Optional.empty(),
                new Gateway.Settings(Duration.ofSeconds(5), 8, 64, Duration.ofSeconds(10), WRITE_TIMEOUT));
        base = "http://127.0.0.1:" + gateway.address().getPort();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (ring != null) {
            ring.close();
        }
    }

    private static Path sourceTree(Path src) throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        Files.createDirectories(src.resolve("docs/deep"));
        Files.createDirectories(src.resolve("site"));
        Files.writeString(src.resolve("hello.txt"), "hello over http\n");
        Files.write(src.resolve("big.bin"), bytes(random, 3 << 20));
        Files.write(src.resolve("stall.bin"), bytes(random, STALL_BYTES));
        Files.write(src.resolve("one.bin"), bytes(random, 10_000));
        Files.write(src.resolve("empty"), new byte[0]);
        Files.writeString(src.resolve("docs/a b+c.md"), "# spaces and plus\n");
        Files.writeString(src.resolve("docs/deep/x.json"), "{\"x\":1}\n");
        Files.writeString(src.resolve("site/index.html"), "<p>index</p>\n");
        Files.setPosixFilePermissions(src.resolve("hello.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(src.resolve("docs/link"), Path.of("../hello.txt"));
        Files.createSymbolicLink(src.resolve("docs/out"), Path.of("../../etc/passwd"));
        return src;
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String v(String rest) {
        return "/v/" + volume.toHex() + "@1" + rest;
    }

    @Test
    void everyFileReadsBackAsPublished() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (Path f : files) {
            StringBuilder url = new StringBuilder();
            for (Path part : source.relativize(f)) {
                url.append('/').append(URI.create("x:" + part.toString().replace(" ", "%20").replace("+", "%2B"))
                        .getRawSchemeSpecificPart());
            }
            HttpResponse<byte[]> r = get(v(url.toString()));
            assertEquals(200, r.statusCode(), url.toString());
            assertArrayEquals(Files.readAllBytes(f), r.body(), url.toString());
            assertEquals(Optional.of(String.valueOf(Files.size(f))), r.headers().firstValue("content-length"));
            assertEquals(Optional.of("public, max-age=31536000, immutable"), r.headers().firstValue("cache-control"));
        }
        HttpResponse<byte[]> newest = get("/v/" + volume.toHex() + "/hello.txt");
        assertEquals("hello over http\n", new String(newest.body(), StandardCharsets.UTF_8));
        assertEquals(Optional.of("public, max-age=5"), newest.headers().firstValue("cache-control"));
        assertEquals(Optional.of("text/plain; charset=utf-8"), newest.headers().firstValue("content-type"));
        assertEquals(200, get("/v/site/hello.txt").statusCode(), "by alias");
        assertEquals(Optional.of("application/json"), get(v("/docs/deep/x.json")).headers().firstValue("content-type"));
    }

    @Test
    void rangesAndValidators() throws Exception {
        byte[] big = Files.readAllBytes(source.resolve("big.bin"));
        HttpResponse<byte[]> tail = get(v("/big.bin"), "Range", "bytes=-100");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(big, big.length - 100, big.length), tail.body());
        assertEquals(Optional.of("bytes " + (big.length - 100) + "-" + (big.length - 1) + "/" + big.length),
                tail.headers().firstValue("content-range"));
        HttpResponse<byte[]> middle = get(v("/big.bin"), "Range", "bytes=1000000-1065535");
        assertArrayEquals(Arrays.copyOfRange(big, 1_000_000, 1_065_536), middle.body());
        HttpResponse<byte[]> open = get(v("/big.bin"), "Range", "bytes=3145000-");
        assertArrayEquals(Arrays.copyOfRange(big, 3_145_000, big.length), open.body());
        assertEquals(416, get(v("/big.bin"), "Range", "bytes=9999999-").statusCode());
        assertEquals(200, get(v("/big.bin"), "Range", "bytes=0-1,5-6").statusCode(), "several ranges: whole file");

        String etag = tail.headers().firstValue("etag").orElseThrow();
        assertEquals(304, get(v("/big.bin"), "If-None-Match", etag).statusCode());
        assertEquals(200, get(v("/big.bin"), "If-None-Match", "\"other\"").statusCode());
        assertEquals(200, get(v("/big.bin"), "Range", "bytes=0-9", "If-Range", "\"other\"").statusCode());

        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(base + v("/big.bin")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(Optional.of(String.valueOf(big.length)), head.headers().firstValue("content-length"));
        assertEquals(200, get(v("/empty")).statusCode());
        assertEquals(0, get(v("/empty")).body().length);
    }

    @Test
    void directoriesListAndRedirect() throws Exception {
        HttpResponse<byte[]> noSlash = get(v("/docs"));
        assertEquals(301, noSlash.statusCode());
        assertEquals(Optional.of(v("/docs/")), noSlash.headers().firstValue("location"));
        String html = new String(get(v("/docs/")).body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("href=\"a%20b%2Bc.md\""), html);
        assertTrue(html.contains("href=\"deep/\""), html);
        JsonNode json = new ObjectMapper().readTree(get(v("/"), "Accept", "application/json").body());
        assertEquals(volume.toHex(), json.get("volume").asText());
        List<String> names = new ArrayList<>();
        json.get("entries").forEach(e -> names.add(e.get("name").asText() + ":" + e.get("type").asText()));
        assertTrue(names.containsAll(List.of("big.bin:file", "docs:directory", "site:directory")), names.toString());
        assertEquals("<p>index</p>\n", new String(get(v("/site/")).body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> link = get(v("/docs/link"));
        assertEquals(302, link.statusCode());
        assertEquals(Optional.of(v("/hello.txt")), link.headers().firstValue("location"));
        assertEquals(404, get(v("/docs/out")).statusCode(), "a symlink out of the volume is not followed");
    }

    @Test
    void blocksHashToTheirKeys() throws Exception {
        String etag = get(v("/big.bin")).headers().firstValue("etag").orElseThrow();
        Id key = Id.fromHex(etag.replace("\"", ""));
        HttpResponse<byte[]> block = get("/block/" + key.toHex());
        assertEquals(200, block.statusCode());
        assertEquals(key, Id.hash(block.body()));
        assertEquals(Optional.of("content"), block.headers().firstValue("x-cfs-block-type"));
        HttpResponse<byte[]> signed = get("/block/" + volume.toHex());
        assertEquals(Optional.of("signed"), signed.headers().firstValue("x-cfs-block-type"));
        Block decoded = Block.decode(signed.body(), Block.DEFAULT_MAX_DATA);
        decoded.verify(volume, System.currentTimeMillis(), Block.DEFAULT_MAX_DATA);
        assertEquals(404, get("/block/" + Id.hash("nothing stored").toHex()).statusCode());
        assertEquals(400, get("/block/xyz").statusCode());
    }

    @Test
    void wrongPathsAndMethods() throws Exception {
        assertEquals(404, get("/v/" + Id.hash("no volume").toHex() + "/x").statusCode());
        assertEquals(404, get("/v/" + volume.toHex() + "@9/hello.txt").statusCode());
        assertEquals(404, get("/v/" + volume.toHex() + "@x/hello.txt").statusCode());
        assertEquals(404, get(v("/nope")).statusCode());
        assertEquals(404, get(v("/hello.txt/below")).statusCode());
        assertEquals(404, get("/v/nosuchalias/").statusCode());
        assertEquals(404, get("/etc/passwd").statusCode());
        HttpResponse<byte[]> post = http.send(HttpRequest.newBuilder(URI.create(base + v("/hello.txt")))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, post.statusCode());
        assertEquals(Optional.of("GET, HEAD"), post.headers().firstValue("allow"));
    }

    /** Sends {@code request} raw and returns the status line, or null if the connection was closed first. */
    private static String raw(String request) throws IOException {
        return raw(gateway.address().getPort(), request);
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            return text.isEmpty() ? null : text.substring(0, text.indexOf("\r\n"));
        } catch (java.net.SocketException reset) {
            return null;
        }
    }

    @Test
    void hostileRequests() throws Exception {
        String tail = " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        assertEquals("HTTP/1.1 400 Bad Request", raw("GET " + v("/../../etc/passwd") + tail));
        assertEquals("HTTP/1.1 400 Bad Request", raw("GET " + v("/docs/%2e%2e/%2E%2e/x") + tail));
        assertEquals("HTTP/1.1 400 Bad Request", raw("GET " + v("/hello.txt%00.png") + tail));
        assertEquals("HTTP/1.1 400 Bad Request", raw("GET " + v("/a%2Fb") + tail));
        assertEquals("HTTP/1.1 400 Bad Request", raw("GET " + v("/%zz") + tail));
        String huge = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 << 10) + "\r\n\r\n";
        String status = raw(huge);
        assertTrue(status == null || status.startsWith("HTTP/1.1 431"), status);
        assertEquals("HTTP/1.1 200 OK", raw("GET " + v("/hello.txt") + tail), "served after all that");
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndOthersAreServed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", gateway.address().getPort())) {
            slow.setSoTimeout(60_000);
            OutputStream out = slow.getOutputStream();
            out.write(("GET " + v("/stall.bin") + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // While it reads nothing, another client gets the whole file.
            assertArrayEquals(Files.readAllBytes(source.resolve("big.bin")), get(v("/big.bin")).body());
            Thread.sleep(WRITE_TIMEOUT.toMillis() * 3);
            InputStream in = slow.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            in.transferTo(got);
            assertTrue(got.size() < STALL_BYTES, "the stalled client was cut off: it read " + got.size() + " bytes");
        }
    }

    @Test
    void connectionsPastTheLimitAreClosedUntilOthersGo() throws Exception {
        int limit = 8;
        try (Gateway small = Gateway.start(new InetSocketAddress("127.0.0.1", 0), snapshots, name -> Optional.empty(),
                new Gateway.Settings(Duration.ofSeconds(5), 2, limit, Duration.ofSeconds(10), WRITE_TIMEOUT))) {
            int port = small.address().getPort();
            String request = "GET " + v("/hello.txt") + " HTTP/1.1\r\nHost: x\r\n\r\n";
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < limit; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                    open.add(s);
                }
                for (Socket s : open) {
                    byte[] head = s.getInputStream().readNBytes(15);
                    assertEquals("HTTP/1.1 200 OK", new String(head, StandardCharsets.ISO_8859_1));
                }
                assertEquals(null, raw(port, request), "a connection past the limit is closed at once");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String status = null;
            while (status == null && System.nanoTime() < deadline) {
                status = raw(port, request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
                if (status == null) {
                    Thread.sleep(100);
                }
            }
            assertEquals("HTTP/1.1 200 OK", status, "served again once the others have gone");
        }
    }

    @Test
    void blocksNoReplicaServesAre502AndSlowOnes504() throws Exception {
        JsonNode root = new ObjectMapper().readTree(get(v("/"), "Accept", "application/json").body());
        Map<String, Id> refs = new java.util.HashMap<>();
        root.get("entries").forEach(e -> {
            if (e.has("ref")) {
                refs.put(e.get("name").asText(), Id.fromHex(e.get("ref").asText()));
            }
        });
        Id missing = refs.get("docs");
        Id slow = refs.get("site");
        Blocks broken = new ForwardingBlocks(blocks) {
            @Override
            public CompletableFuture<Block> get(Id key) {
                if (key.equals(missing)) {
                    return CompletableFuture.failedFuture(new DHashException(DHashException.Kind.NOT_FOUND,
                            "no replica holds block " + key));
                }
                return key.equals(slow) ? new CompletableFuture<>() : inner().get(key);
            }
        };
        Volumes volumes = new Volumes(broken, SeenVersions.inMemory(), Clock.systemUTC(), Duration.ofSeconds(1), 1 << 20);
        try (Gateway g = Gateway.start(new InetSocketAddress("127.0.0.1", 0),
                new VolumeSnapshots(volumes, Clock.systemUTC(), Duration.ofSeconds(5)), name -> Optional.empty(),
                Gateway.Settings.defaults())) {
            String at = "http://127.0.0.1:" + g.address().getPort();
            HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(at + v("/docs/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, gone.statusCode(), gone.body());
            assertTrue(gone.body().contains(missing.toHex()), gone.body());
            HttpResponse<String> late = http.send(HttpRequest.newBuilder(URI.create(at + v("/site/"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(504, late.statusCode(), late.body());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(at + v("/hello.txt"))).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the rest is served");
        }
    }
}
