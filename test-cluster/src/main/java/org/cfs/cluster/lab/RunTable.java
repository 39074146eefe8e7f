package org.cfs.cluster.lab;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Per-run figures of a benchmark, printed one row per figure with the median last; each median
 * also goes to the report, so figures and ratios are medians of per-run values.
 */
final class RunTable<R> {
    private final List<R> runs;
    private final List<String> rows = new ArrayList<>();

    RunTable(List<R> runs) {
        this.runs = runs;
    }

    void figure(Report report, String name, ToDoubleFunction<R> value) {
        double[] values = runs.stream().mapToDouble(value).toArray();
        double median = median(values);
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-30s", name));
        for (double v : values) {
            row.append(String.format(Locale.ROOT, " %10.3f", v));
        }
        rows.add(row.append(String.format(Locale.ROOT, " | %10.3f", median)).toString());
        report.put(name, median);
    }

    void print(PrintStream out) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-30s", "figure"));
        for (int i = 1; i <= runs.size(); i++) {
            head.append(String.format(Locale.ROOT, " %10s", "run " + i));
        }
        out.println(head.append(String.format(Locale.ROOT, " | %10s", "median")));
        rows.forEach(out::println);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
