package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.Block;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.PutResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arguments, refusals before any network, and the reports of the block commands and node's new options. */
class BlockCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY = Id.hash("k").toHex();
    private static final String VIA = "127.0.0.1:7000";

    @TempDir
    Path dir;

    private static void assertFails(CliRun run, int exitCode, String expectedInMessage) {
        assertAll(
                () -> assertEquals(exitCode, run.exitCode(), "exit code; stderr: " + run.err()),
                () -> assertEquals(1, run.errLines().size(), "one line on stderr, got: " + run.err()),
                () -> assertTrue(run.err().contains(expectedInMessage),
                        "stderr should mention '" + expectedInMessage + "': " + run.err()),
                () -> assertEquals("", run.out(), "nothing on stdout"));
    }

    @Test
    void blockWithoutASubcommandIsAUsageError() {
        assertFails(CliRun.of("block"), 2, "name a block command: put, get or stat");
    }

    @Test
    void aKeyMustBeFortyHexDigits() {
        assertFails(CliRun.of("block", "get", "hello.txt", "--via", VIA), 2, "'hello.txt' is not a block key");
        assertFails(CliRun.of("block", "stat", KEY.substring(1), "--via", VIA), 2, "is not a block key");
    }

    @Test
    void viaIsRequiredAndNeedsARealPort() {
        assertFails(CliRun.of("block", "get", KEY), 2, "--via");
        assertFails(CliRun.of("block", "stat", KEY, "--via", "127.0.0.1:0"), 2, "not 0");
    }

    @Test
    void replicasAndTimeoutAreChecked() {
        assertFails(CliRun.of("block", "stat", KEY, "--via", VIA, "--replicas", "0"), 2, "--replicas 0");
        assertFails(CliRun.of("block", "get", KEY, "--via", VIA, "--timeout", "0"), 2, "--timeout 0");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedNamingItsSizeAndTheLimit() throws Exception {
        Path big = Files.write(dir.resolve("big"), new byte[Block.DEFAULT_MAX_DATA + 1]);
        assertFails(CliRun.of("block", "put", big.toString(), "--via", VIA), 1,
                "is 1048577 bytes, over the 1048576-byte (1 MiB) limit of one block");
    }

    @Test
    void aMissingFileOrADirectoryIsRefused() {
        assertFails(CliRun.of("block", "put", dir.resolve("nope").toString(), "--via", VIA), 1, "no such file");
        assertFails(CliRun.of("block", "put", dir.toString(), "--via", VIA), 1, "is a directory");
    }

    @Test
    void aFileInAMissingDirectoryIsRefusedNamingTheDirectory() throws Exception {
        Path missing = dir.resolve("x").resolve("y");
        assertEquals(List.of("cfs block put: cannot read " + missing.resolve("f") + ": no such directory " + missing),
                CliRun.of("block", "put", missing.resolve("f").toString(), "--via", VIA).errLines());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertFails(CliRun.of("block", "put", file.resolve("f").toString(), "--via", VIA), 1,
                file + " is not a directory");
    }

    @Test
    void getIntoAMissingDirectoryIsRefusedBeforeFetchingAndSaysWhy() throws Exception {
        Path missing = dir.resolve("x").resolve("y");
        // Nothing listens at VIA: a fetch would fail differently, so the check ran first.
        CliRun run = CliRun.of("block", "get", KEY, "--via", VIA, "-o", missing.resolve("out").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("cfs block get: cannot write " + missing.resolve("out")
                + ": no such directory " + missing), run.errLines());
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertFails(CliRun.of("block", "get", KEY, "--via", VIA, "-o", file.resolve("out").toString()), 1,
                "cannot write " + file.resolve("out") + ": " + file + " is not a directory");
    }

    @Test
    void standardInputOverOneMebibyteIsRefused() {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(new byte[Block.DEFAULT_MAX_DATA + 1]));
        try {
            assertFails(CliRun.of("block", "put", "-", "--via", VIA), 1,
                    "standard input holds more than 1048576 bytes, over the 1 MiB limit of one block");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void nodeRefusesABadCapacityOrReplicaCount() {
        assertFails(CliRun.of("node", "--listen", VIA, "--capacity", "10X"), 2, "'10X' is not a byte size");
        assertFails(CliRun.of("node", "--listen", VIA, "--capacity", "0"), 2, "--capacity 0 must be at least 1 byte");
        assertFails(CliRun.of("node", "--listen", VIA, "--replicas", "17"), 2, "--replicas 17");
    }

    @Test
    void nodeHelpShowsTheStorageDefaults() {
        CliRun run = CliRun.of("node", "--help");
        assertEquals(0, run.exitCode());
        String help = run.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--capacity=BYTES Most block bytes"), help);
        assertTrue(help.contains("(default: 10 GiB)"), help);
        assertTrue(help.contains("K distinct hosts (default: 3)"), help);
        assertTrue(help.contains("in memory only"), help);
    }

    @Test
    void helpListsTheBlockCommands() {
        CliRun run = CliRun.of("block", "--help");
        assertEquals(0, run.exitCode());
        for (String command : new String[] {"put", "get", "stat"}) {
            assertTrue(run.out().contains(command), run.out());
        }
    }

    @Test
    void putReportHasTheKeyAloneOnItsFirstLineAndEveryHolderInJson() throws Exception {
        List<NodeRef> holders = List.of(NodeRef.of(new Endpoint("127.0.0.3", 7001), 0),
                NodeRef.of(new Endpoint("127.0.0.4", 7002), 1));
        PutReport report = new PutReport(new PutResult(Id.fromHex(KEY), holders, 3, false, 246), 123,
                Endpoint.parse(VIA));
        StringWriter text = new StringWriter();
        report.print(new PrintWriter(text, true));
        List<String> lines = text.toString().lines().toList();
        assertEquals(KEY, lines.get(0));
        assertEquals("stored 123 bytes on 2 of 3 replica hosts:", lines.get(1));
        assertEquals(4, lines.size());

        JsonNode json = MAPPER.readTree(report.toJson());
        assertEquals(Set.of("key", "bytes", "bytesSent", "via", "wanted", "complete", "holders"), fieldNames(json));
        assertEquals(246, json.get("bytesSent").asInt(), "the encoded block once per copy sent");
        assertEquals(KEY, json.get("key").asText());
        assertEquals(VIA, json.get("via").asText());
        assertEquals(123, json.get("bytes").asInt());
        assertEquals(3, json.get("wanted").asInt());
        assertTrue(!json.get("complete").asBoolean());
        assertEquals(7002, json.get("holders").get(1).get("port").asInt());
        assertEquals(1, json.get("holders").get(1).get("vnode").asInt());
    }

    @Test
    void statReportMarksMissingReplicasCachesAndSilentNodes() throws Exception {
        NodeRef a = NodeRef.of(new Endpoint("127.0.0.3", 7001), 0);
        NodeRef b = NodeRef.of(new Endpoint("127.0.0.4", 7002), 0);
        NodeRef c = NodeRef.of(new Endpoint("127.0.0.5", 7003), 0);
        NodeRef path = NodeRef.of(new Endpoint("127.0.0.6", 7004), 0);
        BlockStat stat = new BlockStat(Id.fromHex(KEY), List.of(
                new BlockStat.Holder(a, true, true, false, null),
                new BlockStat.Holder(b, true, false, false, null),
                new BlockStat.Holder(c, true, false, false, "node c: timeout"),
                new BlockStat.Holder(path, false, false, true, null)));
        StatReport report = new StatReport(stat, 3, Endpoint.parse(VIA));
        StringWriter text = new StringWriter();
        report.print(new PrintWriter(text, true));
        List<String> lines = text.toString().lines().toList();
        assertEquals("block " + KEY + ": stored on 1 of 3 replica hosts, cached on 1 other node", lines.get(0));
        assertTrue(lines.get(1).endsWith("stored"), lines.get(1));
        assertTrue(lines.get(2).endsWith("MISSING"), lines.get(2));
        assertTrue(lines.get(3).endsWith("no answer: node c: timeout"), lines.get(3));
        assertTrue(lines.get(4).contains("path") && lines.get(4).endsWith("cached"), lines.get(4));

        JsonNode json = MAPPER.readTree(report.toJson());
        assertEquals(Set.of("key", "via", "replicas", "storedReplicas", "nodes"), fieldNames(json));
        assertEquals(KEY, json.get("key").asText());
        assertEquals(3, json.get("replicas").asInt());
        assertEquals(1, json.get("storedReplicas").asInt());
        assertEquals(4, json.get("nodes").size());
        JsonNode first = json.get("nodes").get(0);
        assertEquals(Set.of("id", "host", "port", "vnode", "replica", "stored", "cached", "error"), fieldNames(first));
        assertEquals(a.id().toHex(), first.get("id").asText());
        assertEquals(7001, first.get("port").asInt());
        assertTrue(first.get("replica").asBoolean() && first.get("stored").asBoolean());
        assertTrue(json.get("nodes").get(0).get("error").isNull());
        assertEquals("node c: timeout", json.get("nodes").get(2).get("error").asText());
        assertTrue(json.get("nodes").get(3).get("cached").asBoolean());
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
