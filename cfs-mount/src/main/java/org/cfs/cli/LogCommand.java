package org.cfs.cli;

import org.cfs.chord.ByteSize;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.fs.Commit;
import org.cfs.fs.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists a volume's versions, newest first, from its chain of commits. */
@Command(name = "log",
        mixinStandardHelpOptions = true,
        description = "Lists the versions of a volume, newest first, following the chain of commits.")
final class LogCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL", description = "A volume id or alias.")
    private String target;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Mixin
    private VolumeCommands volume;

    record Version(long version, String published, String message, long files, long directories, long bytes,
                   String commit) {
    }

    record Log(String volume, List<Version> versions) implements CommandReport {
        @Override
        public void print(PrintWriter out) {
            for (Version v : versions) {
                out.printf("version %d  %s  %d files  %s  %s%n", v.version(), v.published(), v.files(),
                        ByteSize.of(v.bytes()), v.message());
            }
        }
    }

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        if (at.version().isPresent() || !at.path().isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "'" + target + "': give the volume alone; the log lists every version");
        }
        Id id = at.id(VolumeCommands.config(spec));
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot newest = remote.open(id, at);
            List<Version> versions = new ArrayList<>();
            for (Snapshot s : VolumeCommands.run(newest::history)) {
                Commit c = s.commit();
                versions.add(new Version(c.version(), Instant.ofEpochMilli(c.timeMillis()).toString(), c.message(), c.files(),
                        c.directories(), c.bytes(), s.commitRef().toHex()));
            }
            new Log(id.toHex(), versions).emit(spec, json);
        }
        return 0;
    }
}
