package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.Block;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.MemoryBlockStore;
import org.cfs.dhash.SignedBlock;
import org.cfs.dhash.SigningKey;
import org.cfs.dhash.StoreLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The block commands against three real hosts running DHash on loopback in this JVM, shared by the tests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveBlockTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final List<ChordHost> hosts = new ArrayList<>();
    private final List<DHash> nodes = new ArrayList<>();
    private Endpoint via;

    @TempDir
    Path dir;

    @BeforeAll
    void startRing() throws Exception {
        for (int i = 0; i < 3; i++) {
            Endpoint listen = new Endpoint("127.0.0." + (2 + i), 0);
            ChordHost host = ChordHost.builder()
                    .config(ChordConfig.defaults())
                    .vnodes(2)
                    .transport(handler -> NettyTransport.bind(listen, DHashMessages.registry(),
                            handler, NettyTransport.Options.defaults()))
                    .build();
            hosts.add(host);
            nodes.add(DHash.node(host, new MemoryBlockStore(StoreLimits.defaults()), DHashConfig.defaults(),
                    Clock.systemUTC(), null, null));
            host.start(i == 0 ? null : hosts.get(0).endpoint()).get(30, TimeUnit.SECONDS);
        }
        via = hosts.get(2).endpoint();
        awaitReplicaSets();
    }

    /** Until every host's first successors name the other two hosts, so puts reach three. */
    private void awaitReplicaSets() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean linked = hosts.stream().flatMap(h -> h.vnodes().stream())
                    .allMatch(v -> v.successors().stream().map(n -> n.endpoint()).distinct().count() >= 3);
            if (linked) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the ring of 3 hosts did not link up within 60 s");
    }

    @AfterAll
    void closeRing() {
        hosts.forEach(ChordHost::close);
        nodes.forEach(DHash::close);
    }

    @Test
    void aFilePutThroughOneNodeIsReadBackAndLocatedThroughAnother() throws Exception {
        byte[] data = new byte[Block.DEFAULT_MAX_DATA];
        new Random(1).nextBytes(data);
        Path file = Files.write(dir.resolve("file"), data);

        CliRun put = CliRun.of("block", "put", file.toString(), "--via", via.toString(), "--json");
        assertEquals(0, put.exitCode(), put.err());
        assertEquals("", put.err(), "no warning when all three stored it");
        JsonNode stored = MAPPER.readTree(put.lastOutLine());
        String key = stored.get("key").asText();
        assertEquals(Id.hash(data).toHex(), key);
        assertTrue(stored.get("complete").asBoolean());
        assertEquals(3, stored.get("holders").size());

        Path copy = dir.resolve("copy");
        Endpoint other = hosts.get(0).endpoint();
        CliRun get = CliRun.of("block", "get", key, "--via", other.toString(), "--output", copy.toString());
        assertEquals(0, get.exitCode(), get.err());
        assertArrayEquals(data, Files.readAllBytes(copy));

        CliRun stat = CliRun.of("block", "stat", key, "--via", other.toString(), "--json");
        assertEquals(0, stat.exitCode(), stat.err());
        JsonNode where = MAPPER.readTree(stat.lastOutLine());
        assertEquals(3, where.get("storedReplicas").asInt());

        CliRun text = CliRun.of("block", "stat", key, "--via", other.toString());
        assertTrue(text.out().startsWith("block " + key + ": stored on 3 of 3 replica hosts"), text.out());
    }

    @Test
    void getWritesOnlyTheDataToStdout() throws Exception {
        Path file = Files.writeString(dir.resolve("hello.txt"), "hello, ring\n");
        CliRun put = CliRun.of("block", "put", file.toString(), "--via", via.toString());
        assertEquals(0, put.exitCode(), put.err());
        String key = put.out().lines().findFirst().orElseThrow();

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        CliRun get;
        System.setOut(new PrintStream(captured, true));
        try {
            get = CliRun.of("block", "get", key, "--via", via.toString());
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, get.exitCode(), get.err());
        assertEquals("hello, ring\n", captured.toString());
    }

    @Test
    void putOfDashStoresStandardInput() throws Exception {
        byte[] data = "hi\n".getBytes(StandardCharsets.UTF_8);
        InputStream stdin = System.in;
        CliRun put;
        System.setIn(new ByteArrayInputStream(data));
        try {
            put = CliRun.of("block", "put", "-", "--via", via.toString());
        } finally {
            System.setIn(stdin);
        }
        assertEquals(0, put.exitCode(), put.err());
        String key = put.out().lines().findFirst().orElseThrow();
        assertEquals(Id.hash(data).toHex(), key);
        Path copy = dir.resolve("from-stdin");
        CliRun get = CliRun.of("block", "get", key, "--via", hosts.get(0).endpoint().toString(), "-o", copy.toString());
        assertEquals(0, get.exitCode(), get.err());
        assertArrayEquals(data, Files.readAllBytes(copy));
    }

    @Test
    void getOntoADirectorySaysSoAfterTheFetch() throws Exception {
        Path file = Files.writeString(dir.resolve("for-a-directory"), "bytes");
        CliRun put = CliRun.of("block", "put", file.toString(), "--via", via.toString());
        assertEquals(0, put.exitCode(), put.err());
        String key = put.out().lines().findFirst().orElseThrow();
        Path target = Files.createDirectories(dir.resolve("a-directory"));
        CliRun get = CliRun.of("block", "get", key, "--via", via.toString(), "-o", target.toString());
        assertEquals(1, get.exitCode(), get.err());
        assertEquals(List.of("cfs block get: cannot write " + target + ": is a directory"), get.errLines());
    }

    @Test
    void getOfASignedBlockWritesItsPayload() throws Exception {
        SignedBlock signed = SignedBlock.sign(SigningKey.generate(new java.security.SecureRandom()),
                "root".getBytes(), 4, System.currentTimeMillis() + 3_600_000, "payload".getBytes());
        nodes.get(0).put(signed).get(30, TimeUnit.SECONDS);
        Path out = dir.resolve("payload");
        CliRun get = CliRun.of("block", "get", signed.key().toHex(), "--via", via.toString(), "-o", out.toString());
        assertEquals(0, get.exitCode(), get.err());
        assertEquals("payload", Files.readString(out));
    }

    @Test
    void aKeyNobodyHoldsFailsWithOneLineAndWritesNoFile() {
        String key = Id.hash("never stored").toHex();
        Path out = dir.resolve("out");
        CliRun get = CliRun.of("block", "get", key, "--via", via.toString(), "-o", out.toString());
        assertEquals(1, get.exitCode(), get.err());
        assertEquals(List.of("cfs block get: block " + key + " is held by none of the 3 replica hosts (not found)"),
                get.errLines());
        assertTrue(Files.notExists(out), "no file for a failed fetch");

        CliRun stat = CliRun.of("block", "stat", key, "--via", via.toString());
        assertEquals(0, stat.exitCode(), stat.err());
        assertTrue(stat.out().startsWith("block " + key + ": stored on 0 of 3 replica hosts"), stat.out());
        assertEquals(3, stat.out().lines().filter(l -> l.endsWith("MISSING")).count(), stat.out());
    }

    @Test
    void demoStoresBlocksAndReadsThemBackThroughOtherHosts() {
        CliRun run = CliRun.of("demo", "--hosts", "3", "--vnodes", "1", "--lookups", "0", "--blocks", "2",
                "--no-volume");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("2 blocks, each stored through one host on 3 replica hosts"), run.out());
        assertEquals(2, run.out().lines().filter(l -> l.contains("(3 of 3)") && l.endsWith("ok")).count(), run.out());
        assertTrue(run.out().contains("every block read back verified and equal"), run.out());
    }
}
