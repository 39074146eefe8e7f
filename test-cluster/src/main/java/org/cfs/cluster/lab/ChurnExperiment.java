package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.cfs.chord.ChordConfig;
import org.cfs.cluster.sim.ChurnRun;
import org.cfs.cluster.sim.SimChurn;
import org.cfs.cluster.sim.SimRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Lookups during stabilization, as in the Chord papers (SIGCOMM'01 section 6.5 and Fig. 12;
 * ToN'03 section V): N simulated nodes stabilized, then hosts crash and fresh hosts join as
 * Poisson processes of rate R each while lookups from random members for random keys arrive as a
 * Poisson process; each lookup is judged against the oracle of the ring when it ends (see
 * {@link SimChurn}). For every R, one run per seed; fractions are given as the mean over seeds
 * with the least and greatest seed, latencies and hops over every seed's lookups together.
 */
@Command(name = "churn", mixinStandardHelpOptions = true,
        description = "N nodes; crashes and joins at rate R each, lookups at rate L (Chord SIGCOMM'01 Fig. 12, "
                + "ToN'03 sec. V): failed and wrong-owner lookups, latency, hops and timeouts for each R.")
final class ChurnExperiment implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "500", description = "Nodes N at the start (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--rates", split = ",", defaultValue = "0.05,0.1,0.2,0.3,0.4",
            description = "Churn rates R per second, each of crashes and of joins (default ${DEFAULT-VALUE}).")
    List<Double> rates;

    @Option(names = "--seeds", defaultValue = "5",
            description = "Runs per rate, with seeds S, S+1, ... (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--seed", defaultValue = "1", description = "First seed S (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--minutes", defaultValue = "120",
            description = "Simulated minutes of lookups per run (default ${DEFAULT-VALUE}, the paper's two hours).")
    double minutes;

    @Option(names = "--warmup-minutes", defaultValue = "5",
            description = "Simulated minutes of churn before lookups begin (default ${DEFAULT-VALUE}).")
    double warmupMinutes;

    @Option(names = "--lookup-rate", defaultValue = "1",
            description = "Lookups per simulated second (default ${DEFAULT-VALUE}, as in the paper).")
    double lookupRate;

    @Option(names = "--stabilize-seconds", defaultValue = "30",
            description = "Mean stabilize period; fix-fingers runs twice as often, check-predecessor half as "
                    + "often; each wait is drawn from [0.5, 1.5) times its period (default ${DEFAULT-VALUE}).")
    double stabilizeSeconds;

    @Option(names = "--succ", defaultValue = "16", description = "Successor list length r (default ${DEFAULT-VALUE}).")
    int successors;

    @Option(names = "--json", description = "End with one JSON object.")
    boolean json;

    /** The figures of one R over every seed. */
    record Row(double rate, double perStabilization, int judged, double failedMean, double failedMin,
               double failedMax, double wrongMean, double wrongMin, double wrongMax, double notRightMean,
               double notRightMin, double notRightMax, int wrongInFlight,
               double latencyMeanMs, double latencyMedianMs, double latencyP99Ms, double meanHops,
               double meanTimeouts, int joins, int failedJoins, int crashes, int originCrashed,
               List<Map<String, Object>> seeds) {
    }

    @Override
    public Integer call() {
        validate();
        long wall = System.nanoTime();
        Duration stabilize = Duration.ofNanos(Math.round(stabilizeSeconds * 1e9));
        ChordConfig config = SimRing.simConfig(successors).withStabilizeInterval(stabilize);
        List<Row> rows = new ArrayList<>();
        System.out.println(String.format(Locale.ROOT, "%6s %6s %7s %21s %21s %21s %6s %8s %8s %8s %6s %6s",
                "R", "R*stab", "lookups", "failed % (min-max)", "wrong % (min-max)", "either % (min-max)", "flight",
                "mean ms",
                "p50 ms", "p99 ms", "hops", "t/o"));
        for (double rate : rates) {
            List<ChurnRun> runs = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                runs.add(runOnce(config, rate, seed + s));
            }
            Row row = row(rate, stabilize, runs);
            rows.add(row);
            System.out.println(String.format(Locale.ROOT,
                    "%6.3f %6.2f %7d %6.3f (%5.3f-%5.3f) %6.3f (%5.3f-%5.3f) %6.3f (%5.3f-%5.3f) %6d %8.1f %8.1f %8.1f"
                            + " %6.2f %6.3f",
                    row.rate(), row.perStabilization(), row.judged(), 100 * row.failedMean(), 100 * row.failedMin(),
                    100 * row.failedMax(), 100 * row.wrongMean(), 100 * row.wrongMin(), 100 * row.wrongMax(),
                    100 * row.notRightMean(), 100 * row.notRightMin(), 100 * row.notRightMax(), row.wrongInFlight(), row.latencyMeanMs(), row.latencyMedianMs(), row.latencyP99Ms(),
                    row.meanHops(), row.meanTimeouts()));
            for (ChurnRun r : runs) {
                if (r.firstFailure() != null) {
                    System.out.println("       failed: " + r.firstFailure());
                }
                if (r.firstWrong() != null) {
                    System.out.println("       wrong:  " + r.firstWrong());
                }
            }
        }
        new Report("churn")
                .put("nodes", nodes)
                .put("successors", successors)
                .put("stabilize_seconds", stabilizeSeconds)
                .put("lookup_rate", lookupRate)
                .put("minutes", minutes)
                .put("warmup_minutes", warmupMinutes)
                .put("seeds", seeds)
                .put("first_seed", seed)
                .put("rows", rows)
                .put("wall_seconds", (System.nanoTime() - wall) / 1e9)
                .print(System.out, json);
        return 0;
    }

    private void validate() {
        if (nodes < 2 || seeds < 1 || successors < 1 || rates.isEmpty()) {
            throw new IllegalArgumentException("--nodes must be at least 2, --seeds and --succ at least 1, and"
                    + " --rates must name at least one rate");
        }
        for (double r : rates) {
            if (!(r > 0) || r > 100) {
                throw new IllegalArgumentException("--rates " + r + " is outside (0, 100] per second");
            }
        }
        if (!(minutes > 0) || !(warmupMinutes >= 0) || !(lookupRate > 0) || !(stabilizeSeconds > 0)) {
            throw new IllegalArgumentException("--minutes, --lookup-rate and --stabilize-seconds must be positive"
                    + " and --warmup-minutes not negative");
        }
    }

    private ChurnRun runOnce(ChordConfig config, double rate, long runSeed) {
        SimRing ring = new SimRing(runSeed, config);
        // Two stabilize periods between waves: waves that join faster than the ring stabilizes can
        // leave it wound round twice ("loopy"), which stabilization does not undo.
        ring.growInWaves(nodes, Math.max(1, nodes / 16), config.stabilizeInterval().multipliedBy(2));
        Experiments.requireStable(ring);
        // Ten stabilize periods more: fix-fingers has run about twenty times on every node, more
        // than the distinct fingers of a ring of this size.
        ring.advance(config.stabilizeInterval().multipliedBy(10));
        SimChurn churn = new SimChurn(ring, rate, lookupRate, runSeed);
        return churn.run(minutesOf(warmupMinutes), minutesOf(minutes), config.requestTimeout().multipliedBy(5));
    }

    private static Duration minutesOf(double m) {
        return Duration.ofNanos(Math.round(m * 60e9));
    }

    private static Row row(double rate, Duration stabilize, List<ChurnRun> runs) {
        double[] failed = runs.stream().mapToDouble(ChurnRun::failedFraction).toArray();
        double[] wrong = runs.stream().mapToDouble(ChurnRun::wrongFraction).toArray();
        double[] notRight = runs.stream().mapToDouble(ChurnRun::notRightFraction).toArray();
        Histogram latency = new Histogram(3);
        Histogram hops = new Histogram(3);
        long timeouts = 0;
        List<Map<String, Object>> perSeed = new ArrayList<>();
        for (ChurnRun r : runs) {
            latency.add(r.latencyMicros());
            hops.add(r.hops());
            timeouts += r.timeouts();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("nodes_before", r.nodesBefore());
            s.put("nodes_after", r.nodesAfter());
            s.put("judged", r.judged());
            s.put("failed", r.failed());
            s.put("wrong", r.wrong());
            s.put("wrong_in_flight", r.wrongInFlight());
            s.put("origin_crashed", r.originCrashed());
            s.put("joins", r.joins());
            s.put("failed_joins", r.failedJoins());
            s.put("crashes", r.crashes());
            s.put("first_failure", r.firstFailure());
            s.put("first_wrong", r.firstWrong());
            perSeed.add(s);
        }
        return new Row(rate, rate * stabilize.toNanos() / 1e9, runs.stream().mapToInt(ChurnRun::judged).sum(),
                mean(failed), min(failed), max(failed), mean(wrong), min(wrong), max(wrong), mean(notRight),
                min(notRight), max(notRight),
                runs.stream().mapToInt(ChurnRun::wrongInFlight).sum(), latency.getMean() / 1e3,
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, hops.getMean(),
                hops.getTotalCount() == 0 ? Double.NaN : (double) timeouts / hops.getTotalCount(),
                runs.stream().mapToInt(ChurnRun::joins).sum(), runs.stream().mapToInt(ChurnRun::failedJoins).sum(),
                runs.stream().mapToInt(ChurnRun::crashes).sum(), runs.stream().mapToInt(ChurnRun::originCrashed).sum(),
                perSeed);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
