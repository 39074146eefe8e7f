package org.cfs.cluster.lab;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one experiment: printed as aligned "name: value" lines for people and, with
 * {@code --json}, as one JSON object on the last line for scripts: {"experiment":..,figures..}.
 */
final class Report {
    /**
     * Every lab report goes through this one mapper. A figure that is not a finite number (a mean
     * over nothing) is null, since JSON has no NaN and scripts should not have to special-case it.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("lab-figures")
                    .addSerializer(Double.class, new FiniteOrNull()))
            .build();

    private final String experiment;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    Report(String experiment) {
        this.experiment = experiment;
    }

    Report put(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    void print(PrintStream out, boolean json) {
        out.println("== " + experiment);
        figures.forEach((k, v) -> out.printf(Locale.ROOT, "%-28s %s%n", k + ":", format(v)));
        if (json) {
            out.println(toJson());
        }
    }

    String toJson() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("experiment", experiment);
        all.putAll(figures);
        try {
            return MAPPER.writeValueAsString(all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("figure of " + experiment + " is not writable as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String format(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v);
    }

    private static final class FiniteOrNull extends StdSerializer<Double> {
        FiniteOrNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
            if (Double.isFinite(value)) {
                out.writeNumber(value);
            } else {
                out.writeNull();
            }
        }
    }
}
