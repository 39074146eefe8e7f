package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void writesNestedValuesOnOneLine() throws Exception {
        String json = new JsonWriter().beginObject()
                .name("s").value("x")
                .name("n").value(42)
                .name("d").value(1.5)
                .name("b").value(true)
                .name("none").value((String) null)
                .name("a").beginArray().value(1).beginObject().name("k").value("v").endObject().beginArray().endArray()
                .endArray()
                .name("empty").beginObject().endObject()
                .endObject().toString();
        assertEquals("{\"s\":\"x\",\"n\":42,\"d\":1.5,\"b\":true,\"none\":null,"
                + "\"a\":[1,{\"k\":\"v\"},[]],\"empty\":{}}", json);
        JsonNode node = MAPPER.readTree(json);
        assertEquals("v", node.get("a").get(1).get("k").asText());
    }

    @Test
    void escapesWhatJsonNeeds() throws Exception {
        String tricky = "quote\" backslash\\ newline\n tab\t bell\u0007 line-sep\u2028 é 🙂";
        String json = new JsonWriter().beginObject().name(tricky).value(tricky).endObject().toString();
        assertEquals(1, json.lines().count(), "one line: " + json);
        JsonNode node = MAPPER.readTree(json);
        assertEquals(tricky, node.get(tricky).asText());
    }

    @Test
    void refusesMalformedSequences() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().name("x"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().toString());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().value(1).value(2));
        assertThrows(IllegalArgumentException.class, () -> new JsonWriter().value(Double.NaN));
    }
}
