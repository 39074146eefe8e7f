package org.cfs.cluster.lab;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lab} command and its subcommands. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Experiments and benchmarks of cfs. With --json the last line is one JSON object.",
        subcommands = {PathsExperiment.class, FailuresExperiment.class, ScaleExperiment.class,
            LookupBenchmark.class, DHashFailuresExperiment.class, MaintenanceCostExperiment.class, PathCacheExperiment.class,
            DHashBenchmark.class, FloodBenchmark.class, FloodRealBenchmark.class, FloodSender.class,
            HandOverExperiment.class, ChunkingExperiment.class, ProximityExperiment.class, VolumeBenchmark.class,
            MountBenchmark.class, GatewayBenchmark.class, BalanceExperiment.class, AttackExperiment.class,
            PartitionExperiment.class, ChurnExperiment.class, JmhCommand.class, DurabilityExperiment.class,
            NetnsBenchmark.class})
public final class LabCommands {
    private LabCommands() {
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LabCommands());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("lab " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cl;
    }
}
