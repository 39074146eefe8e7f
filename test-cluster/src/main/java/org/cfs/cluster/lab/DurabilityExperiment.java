package org.cfs.cluster.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.cfs.cluster.sim.FailureTrace;
import org.cfs.cluster.sim.TraceReplay;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.DHashException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Durability under churn, after Carbonite (Chun et al., NSDI '06): one synthetic failure trace
 * per seed of transient failures and disk losses over simulated months, replayed on the real
 * DHash once per repair policy (k copies on the first k successors, or Carbonite's count of the
 * reachable copies in the successor list). Per policy: blocks lost at the end, block-probes with
 * no copy on a running host, maintenance bytes per host per day, copies per block at the end.
 */
@Command(name = "durability", mixinStandardHelpOptions = true,
        description = "A seeded trace of transient failures and disk losses over simulated months, replayed with "
                + "each DHash repair policy: blocks lost, unavailability, repair bytes per host per day, copies.")
final class DurabilityExperiment implements Callable<Integer> {
    @Option(names = "--hosts", defaultValue = "64", description = "Host slots N (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--days", defaultValue = "60", description = "Length of the trace in days (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--blocks", defaultValue = "1500", description = "Blocks stored (default ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--block-bytes", defaultValue = "8192", description = "Data bytes per block (default ${DEFAULT-VALUE}).")
    int blockBytes;

    @Option(names = "--replicas", defaultValue = "3", description = "k, also Carbonite's r_L (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--successors", defaultValue = "8",
            description = "Successor list length: the copies Carbonite counts (default ${DEFAULT-VALUE}).")
    int successors;

    @Option(names = "--session-hours", defaultValue = "72", description = "Mean time a host stays up (default ${DEFAULT-VALUE}).")
    double sessionHours;

    @Option(names = "--downtime-hours", defaultValue = "6", description = "Mean time a host stays down (default ${DEFAULT-VALUE}).")
    double downtimeHours;

    @Option(names = "--disk-life-days", defaultValue = "365",
            description = "Mean time from a disk's first use to its loss (default ${DEFAULT-VALUE}).")
    double diskLifeDays;

    @Option(names = "--stabilize-seconds", defaultValue = "300",
            description = "Chord stabilize period, coarse to simulate months (default ${DEFAULT-VALUE}).")
    int stabilizeSeconds;

    @Option(names = "--maintenance-minutes", defaultValue = "60",
            description = "Mean DHash maintenance period (default ${DEFAULT-VALUE}).")
    int maintenanceMinutes;

    @Option(names = "--probe-hours", defaultValue = "2", description = "Availability probe period (default ${DEFAULT-VALUE}).")
    int probeHours;

    @Option(names = "--runs", defaultValue = "3", description = "Seeds, from --seed on (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--policies", defaultValue = "EXACT,CARBONITE", split = ",",
            description = "Repair policies to compare (default ${DEFAULT-VALUE}).")
    List<DHashConfig.Repair> policies;

    @Mixin
    Experiments.Common common;

    /** One replay: its seed, its trace and what it measured. */
    private record Run(long seed, FailureTrace trace, TraceReplay.Outcome outcome) {
    }

    @Override
    public Integer call() throws DHashException {
        if (runs < 1 || runs > 100) {
            throw new IllegalArgumentException("--runs is " + runs + ", must be in 1..100");
        }
        long wall = System.nanoTime();
        FailureTrace.Params params = new FailureTrace.Params(hosts, Duration.ofDays(days), hours(sessionHours),
                hours(downtimeHours), hours(diskLifeDays * 24));
        TraceReplay.Setup setup = new TraceReplay.Setup(blocks, blockBytes, replicas, successors,
                Duration.ofSeconds(stabilizeSeconds), Duration.ofMinutes(maintenanceMinutes),
                Duration.ofHours(probeHours));
        Report report = new Report("durability")
                .put("hosts", hosts).put("days", days).put("blocks", blocks)
                .put("block_bytes_encoded", new ContentBlock(new byte[blockBytes]).encode().length)
                .put("replicas", replicas).put("successors", successors)
                .put("mean_session_hours", sessionHours).put("mean_downtime_hours", downtimeHours)
                .put("mean_disk_life_days", diskLifeDays).put("stabilize_seconds", stabilizeSeconds)
                .put("maintenance_minutes", maintenanceMinutes).put("probe_hours", probeHours)
                .put("seeds", runs).put("first_seed", common.seed);
        List<List<Run>> byPolicy = new ArrayList<>();
        for (DHashConfig.Repair policy : policies) {
            List<Run> done = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long seed = common.seed + i;
                FailureTrace trace = FailureTrace.generate(params, seed);
                done.add(new Run(seed, trace, TraceReplay.run(trace, policy, setup)));
            }
            byPolicy.add(done);
        }
        List<Run> first = byPolicy.get(0);
        report.put("transient_failures_per_run", values(first, r -> r.trace().count(FailureTrace.Kind.DOWN)))
                .put("disk_losses_per_run", values(first, r -> r.trace().count(FailureTrace.Kind.DISK_LOST)));
        for (int p = 0; p < policies.size(); p++) {
            String name = policies.get(p).name().toLowerCase(Locale.ROOT);
            List<Run> done = byPolicy.get(p);
            double hostDays = (double) hosts * days;
            report.put(name + "_lost", values(done, r -> r.outcome().lost()))
                    .put(name + "_unavailable_fraction",
                            values(done, r -> (double) r.outcome().unavailable() / r.outcome().probes()))
                    .put(name + "_maintenance_bytes_per_host_day",
                            values(done, r -> r.outcome().maintenanceBytes() / hostDays))
                    .put(name + "_block_copies_per_host_day", values(done, r -> r.outcome().copies() / hostDays))
                    .put(name + "_handed_off_per_host_day", values(done, r -> r.outcome().handedOff() / hostDays))
                    .put(name + "_copies_per_block", values(done, r -> r.outcome().copiesPerBlock()))
                    .put(name + "_fewest_copies", values(done, r -> r.outcome().fewestCopies()))
                    .put(name + "_most_copies", values(done, r -> r.outcome().mostCopies()))
                    .put(name + "_restarts_refused", values(done, r -> r.outcome().restartsRefused()));
        }
        report.put("wall_seconds", (System.nanoTime() - wall) / 1e9).print(System.out, common.json);
        return 0;
    }

    private static List<Double> values(List<Run> runs, ToDoubleFunction<Run> figure) {
        return runs.stream().map(r -> figure.applyAsDouble(r)).toList();
    }

    private static Duration hours(double h) {
        if (!(h > 0) || h > 1e6) {
            throw new IllegalArgumentException("a mean of " + h + " hours must be in (0, 1e6]");
        }
        return Duration.ofMillis(Math.round(h * 3_600_000));
    }
}
