package org.cfs.cluster.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<String> printed(Report report, boolean json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), json);
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static Report sample() {
        return new Report("paths")
                .put("nodes", 1000)
                .put("lookups", 50_000L)
                .put("mean_hops", 4.987654321)
                .put("transport", "sim \"virtual\" time\n")
                .put("stable", true)
                .put("mean_of_nothing", Double.NaN)
                .put("ratio", Double.POSITIVE_INFINITY);
    }

    @Test
    void jsonIsTheLastLineWithTheExperimentFirstAndEveryFigureInOrder() throws Exception {
        List<String> lines = printed(sample(), true);
        assertEquals("== paths", lines.get(0));
        JsonNode json = MAPPER.readTree(lines.get(lines.size() - 1));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("experiment", "nodes", "lookups", "mean_hops", "transport", "stable", "mean_of_nothing",
                "ratio"), names);
        assertEquals("paths", json.get("experiment").asText());
        assertEquals(1000, json.get("nodes").asInt());
        assertEquals(50_000L, json.get("lookups").asLong());
        assertEquals(4.987654321, json.get("mean_hops").asDouble(), 0);
        assertEquals("sim \"virtual\" time\n", json.get("transport").asText());
        assertTrue(json.get("stable").asBoolean());
    }

    @Test
    void aFigureThatIsNotAFiniteNumberIsNull() throws Exception {
        JsonNode json = MAPPER.readTree(sample().toJson());
        assertTrue(json.get("mean_of_nothing").isNull(), json.toString());
        assertTrue(json.get("ratio").isNull(), json.toString());
    }

    @Test
    void withoutJsonThereAreOnlyAlignedLinesForPeople() {
        List<String> lines = printed(new Report("scale").put("nodes", 10).put("mean_hops", 2.5), false);
        assertEquals(List.of("== scale", "nodes:                       10", "mean_hops:                   2.5000"),
                lines);
    }
}
