package org.cfs.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Fetches and checks every block of a version; exit 1 if any is missing or corrupt. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {"Fetches and checks every block of a version of a volume: the commit, every directory"
                + " and chunk-list block, every data chunk. Exits 1 if a block is missing or corrupt.",
                "With --replicas, also asks how many hosts hold each block and lists those held by fewer than K."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL[@N]", description = "A volume id or alias, and a version.")
    private String target;

    @Option(names = "--replicas", arity = "0..1", paramLabel = "K", fallbackValue = "3",
            description = "Count the hosts holding each block; report those on fewer than K (default K: 3).")
    private Integer replicas;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Mixin
    private VolumeCommands volume;

    record Problem(String key, String path, String reason) {
    }

    record Result(String volume, long version, long blocks, long bytes, long missing, List<Problem> missingBlocks,
                  long corrupt, List<Problem> corruptBlocks, long uncheckedSubtrees, Integer replicaTarget,
                  Map<Integer, Long> holders, long underReplicated, List<Problem> underReplicatedBlocks,
                  double seconds) implements CommandReport {
        static Result of(VolumeVerifier.Report r) {
            return new Result(r.volume().toHex(), r.version(), r.blocks(), r.bytes(), r.missing(),
                    problems(r.missingBlocks()), r.corrupt(), problems(r.corruptBlocks()), r.uncheckedSubtrees(),
                    r.replicasCounted() ? r.replicaTarget() : null, r.replicasCounted() ? r.holders() : null,
                    r.underReplicated(), problems(r.underReplicatedBlocks()), r.took().toNanos() / 1e9);
        }

        private static List<Problem> problems(List<VolumeVerifier.Problem> list) {
            return list.stream().map(p -> new Problem(p.key().toHex(), p.path().toString(), p.reason())).toList();
        }

        @Override
        public void print(PrintWriter out) {
            out.printf("volume %s version %d: %d blocks (%s) checked in %.1f s%n", volume, version, blocks,
                    ByteSize.of(bytes), seconds);
            out.printf("  missing %d, corrupt %d%s%n", missing, corrupt,
                    uncheckedSubtrees > 0 ? ", " + uncheckedSubtrees + " subtrees could not be checked" : "");
            missingBlocks.forEach(p -> out.println("  missing: block " + p.key() + " (" + p.path() + "): " + p.reason()));
            corruptBlocks.forEach(p -> out.println("  corrupt: block " + p.key() + " (" + p.path() + "): " + p.reason()));
            if (replicaTarget != null) {
                out.printf("  held by fewer than %d hosts: %d%n", replicaTarget, underReplicated);
                holders.forEach((hosts, count) -> out.printf("    %d blocks on %d hosts%n", count, hosts));
                underReplicatedBlocks.forEach(p -> out.println("  under " + replicaTarget + ": block " + p.key()
                        + " (" + p.path() + "): " + p.reason()));
            }
        }
    }

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        if (!at.path().isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "'" + target + "': verify checks a whole version; give VOL[@N] without a path");
        }
        Id id = at.id(VolumeCommands.config(spec));
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot snapshot = remote.open(id, at);
            VolumeVerifier.Options options = VolumeVerifier.Options.defaults();
            if (replicas != null) {
                options = options.withReplicas(replicas);
            }
            VolumeVerifier.Options chosen = options;
            VolumeVerifier.Report report = VolumeCommands.run(() -> VolumeVerifier.verify(snapshot, chosen,
                    new VolumeVerifier.Listener() {
                    }));
            Result.of(report).emit(spec, json);
            return report.missing() > 0 || report.corrupt() > 0 ? 1 : 0;
        }
    }
}
