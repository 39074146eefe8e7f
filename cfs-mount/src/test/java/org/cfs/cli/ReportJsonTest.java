package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.cfs.chord.ByteSize;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.Endpoint;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Endpoint VIA = new Endpoint("127.0.0.1", 7000);

    private static List<NodeRef> ring(int hosts, int vnodes) {
        return IntStream.range(0, hosts).boxed()
                .flatMap(h -> IntStream.range(0, vnodes)
                        .mapToObj(v -> NodeRef.of(new Endpoint("127.0.0." + (1 + h), 7000), v)))
                .sorted(Comparator.comparing(NodeRef::id))
                .toList();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void closedRingJsonHasEveryNodeInOrder() throws Exception {
        List<NodeRef> nodes = ring(3, 2);
        String line = new RingReport(VIA, new RingWalk(nodes, true, null)).toJson();
        assertEquals(1, line.lines().count(), line);
        JsonNode json = MAPPER.readTree(line);
        assertEquals(List.of("via", "closed", "count", "hosts", "nodes"), fieldNames(json));
        assertEquals("127.0.0.1:7000", json.get("via").asText());
        assertTrue(json.get("closed").asBoolean());
        assertEquals(6, json.get("count").asInt());
        assertEquals(3, json.get("hosts").asInt());
        assertFalse(json.has("problem"));
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode n = json.get("nodes").get(i);
            assertEquals(List.of("id", "host", "port", "vnode"), fieldNames(n));
            assertEquals(nodes.get(i).id().toHex(), n.get("id").asText());
            assertEquals(nodes.get(i).endpoint().host(), n.get("host").asText());
            assertEquals(nodes.get(i).endpoint().port(), n.get("port").asInt());
            assertEquals(nodes.get(i).vnode(), n.get("vnode").asInt());
        }
    }

    @Test
    void openRingJsonSaysWhy() throws Exception {
        List<NodeRef> nodes = ring(2, 1).subList(0, 1);
        RingWalk walk = new RingWalk(nodes, false, "node x did not answer");
        JsonNode json = MAPPER.readTree(new RingReport(VIA, walk).toJson());
        assertEquals(List.of("via", "closed", "count", "hosts", "problem", "nodes"), fieldNames(json));
        assertFalse(json.get("closed").asBoolean());
        assertEquals("node x did not answer", json.get("problem").asText());
        assertEquals(1, json.get("nodes").size());
    }

    @Test
    void ringTableHasAHeadlineAndOneLinePerVnodeWithSharesSummingToAll() {
        List<NodeRef> nodes = ring(4, 2);
        StringWriter text = new StringWriter();
        new RingReport(VIA, new RingWalk(nodes, true, null)).print(new PrintWriter(text, true));
        List<String> lines = text.toString().lines().toList();
        assertEquals("ring via 127.0.0.1:7000: 8 vnodes on 4 hosts, closed", lines.get(0));
        assertEquals(2 + nodes.size(), lines.size());
        double total = lines.stream().skip(2)
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1, l.length() - 1)))
                .sum();
        assertEquals(100.0, total, 0.1);
    }

    @Test
    void lookupJsonHasOwnerReplicasHopsAndTime() throws Exception {
        List<NodeRef> nodes = ring(3, 1);
        LookupKey key = LookupKey.parse("hello.txt");
        LookupResult result = new LookupResult(key.id(), nodes.get(1), List.of(nodes.get(1), nodes.get(2)), 2, 1,
                Duration.ofNanos(1_500_000), List.of(nodes.get(0)), null);
        JsonNode json = MAPPER.readTree(new LookupReport(key, VIA, result, 3).toJson());
        assertEquals(List.of("key", "hashedFrom", "via", "owner", "replicas", "successors", "hops", "timeouts", "elapsedMs"),
                fieldNames(json));
        assertEquals(key.id().toHex(), json.get("key").asText());
        assertEquals("hello.txt", json.get("hashedFrom").asText());
        assertEquals("127.0.0.1:7000", json.get("via").asText());
        assertEquals(nodes.get(1).id().toHex(), json.get("owner").get("id").asText());
        assertEquals(2, json.get("replicas").size());
        assertEquals(nodes.get(2).endpoint().port(), json.get("replicas").get(1).get("port").asInt());
        assertEquals(2, json.get("hops").asInt());
        assertEquals(1, json.get("timeouts").asInt());
        assertEquals(1.5, json.get("elapsedMs").asDouble(), 1e-9);
    }

    @Test
    void lookupOfAnIdHasNoHashedFromAndKeepsAnyTextOnOneLine() throws Exception {
        List<NodeRef> nodes = ring(2, 1);
        LookupResult result = new LookupResult(nodes.get(0).id(), nodes.get(0), List.of(nodes.get(0)), 1, 0,
                Duration.ofMillis(2), List.of(), null);
        JsonNode byId = MAPPER.readTree(new LookupReport(LookupKey.parse(nodes.get(0).id().toHex()), VIA, result, 3)
                .toJson());
        assertFalse(byId.has("hashedFrom"), byId.toString());
        assertEquals(nodes.get(0).id().toHex(), byId.get("key").asText());

        String tricky = "quote\" backslash\\ newline\n tab\t bell\u0007 é 🙂";
        String line = new LookupReport(LookupKey.parse(tricky), VIA, result, 3).toJson();
        assertEquals(1, line.lines().count(), line);
        assertEquals(tricky, MAPPER.readTree(line).get("hashedFrom").asText());
    }

    /** What another report would get by adding components: their JSON, with no code of its own. */
    private record Probe(Endpoint via, NodeRef owner, List<NodeRef> path, ByteSize size, String note)
            implements CommandReport {
        @Override
        public void print(PrintWriter out) {
            out.println(note);
        }
    }

    @Test
    void aReportRecordIsItsJsonComponentByComponent() throws Exception {
        List<NodeRef> nodes = ring(2, 1);
        JsonNode json = MAPPER.readTree(new Probe(VIA, nodes.get(0), nodes, ByteSize.parse("1.5G"), null).toJson());
        assertEquals(List.of("via", "owner", "path", "size", "note"), fieldNames(json));
        assertEquals("127.0.0.1:7000", json.get("via").asText());
        assertEquals(nodes.get(0).id().toHex(), json.get("owner").get("id").asText());
        assertEquals(nodes.get(1).vnode(), json.get("path").get(1).get("vnode").asInt());
        assertEquals(3L << 29, json.get("size").asLong());
        assertTrue(json.get("note").isNull());
    }

    /** Owner first, then its successors: 4 hosts of 2 vnodes each, so every host comes up twice. */
    private static LookupResult lookupOnVnodes(LookupKey key, List<NodeRef> nodes) {
        return new LookupResult(key.id(), nodes.get(0), nodes, 3, 0, Duration.ofMillis(2), List.of(), null);
    }

    @Test
    void lookupReplicasAreKDistinctHostsAndTheSuccessorListStandsApart() throws Exception {
        List<NodeRef> nodes = ring(4, 2);
        LookupKey key = LookupKey.parse("hello.txt");
        LookupResult result = lookupOnVnodes(key, nodes);
        List<String> hosts = nodes.stream().map(n -> n.endpoint().toString()).distinct().toList();

        JsonNode json = MAPPER.readTree(new LookupReport(key, VIA, result, 3).toJson());
        assertEquals(3, json.get("replicas").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(hosts.get(i), json.get("replicas").get(i).get("host").asText() + ":"
                    + json.get("replicas").get(i).get("port").asInt(), "replica " + i + " in ring order");
        }
        assertEquals(nodes.get(0).id().toHex(), json.get("replicas").get(0).get("id").asText(), "owner first");
        assertEquals(nodes.size() - 1, json.get("successors").size());
        assertEquals(nodes.get(1).id().toHex(), json.get("successors").get(0).get("id").asText());

        assertEquals(2, MAPPER.readTree(new LookupReport(key, VIA, result, 2).toJson()).get("replicas").size());

        StringWriter text = new StringWriter();
        new LookupReport(key, VIA, result, 3).print(new PrintWriter(text, true));
        List<String> lines = text.toString().lines().toList();
        int replicas = indexStartingWith(lines, "replicas ");
        int successors = indexStartingWith(lines, "successors ");
        assertEquals(replicas + 3, successors, "three replica lines, then the successor list: " + text);
        assertEquals(nodes.size() - 1, lines.subList(successors, lines.size()).stream()
                .filter(l -> l.matches("^(successors| {10}) +\\d+\\. .*")).count(), text.toString());
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(replicas + i).endsWith(hostOf(nodes, hosts.get(i))), lines.get(replicas + i));
        }
    }

    @Test
    void lookupTextSaysWhenTheRingHasFewerHostsThanReplicas() {
        List<NodeRef> nodes = ring(2, 2);
        LookupKey key = LookupKey.parse("hello.txt");
        StringWriter text = new StringWriter();
        new LookupReport(key, VIA, lookupOnVnodes(key, nodes), 3).print(new PrintWriter(text, true));
        assertTrue(text.toString().contains("only 2 distinct hosts known of the 3 wanted"), text.toString());
    }

    private static int indexStartingWith(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with '" + prefix + "': " + lines);
    }

    /** "host:port#vnode" of the first vnode of {@code host} in ring order. */
    private static String hostOf(List<NodeRef> ring, String host) {
        NodeRef first = ring.stream().filter(n -> n.endpoint().toString().equals(host)).findFirst().orElseThrow();
        return first.endpoint() + "#" + first.vnode();
    }
}
