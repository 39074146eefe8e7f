package org.cfs.cluster.lab;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one experiment: printed as aligned "name: value" lines for people and, with
 * {@code --json}, as one JSON object on the last line for scripts.
 */
final class Report {
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
        StringBuilder sb = new StringBuilder("{\"experiment\":").append(quote(experiment));
        figures.forEach((k, v) -> sb.append(',').append(quote(k)).append(':').append(jsonValue(v)));
        return sb.append('}').toString();
    }

    private static String format(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v);
    }

    private static String jsonValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6f", d) : "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
