package org.cfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Id;
import org.cfs.fs.Snapshot;
import org.cfs.fs.TreeExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Copies a file or a whole tree out of a volume, verified, as {@code cp -r} would. */
@Command(name = "get",
        mixinStandardHelpOptions = true,
        description = {"Copies the file or tree at VOL[@N][/PATH] to DEST, verified, restoring modes, mtimes"
                + " and symlinks: into DEST/<name> if DEST is a directory, else as DEST.",
                "Nothing is written outside DEST; a file is written under a temporary name and renamed once"
                        + " complete."})
final class GetCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL[@N][/PATH]", description = "A volume id or alias, a version, a path.")
    private String target;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to write.")
    private Path dest;

    @Option(names = "--overwrite", description = "Replace existing files and symlinks (never a directory).")
    private boolean overwrite;

    @Option(names = "--json", description = "Print one JSON object at the end.")
    private boolean json;

    @Mixin
    private VolumeCommands volume;

    record Result(String volume, long version, String path, String written, long files, long symlinks,
                  long directories, long bytes, long blocksFetched, double seconds) implements CommandReport {
        @Override
        public void print(PrintWriter out) {
            out.printf("wrote %s: %d files (%d symlinks), %d directories, %s in %.1f s%n", written, files, symlinks,
                    directories, ByteSize.of(bytes), seconds);
        }
    }

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        Id id = at.id(VolumeCommands.config(spec));
        long start = System.nanoTime();
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot snapshot = remote.open(id, at);
            TreeExport.Options options = TreeExport.Options.defaults().withOverwrite(overwrite)
                    .withChunksAhead(VolumeCommands.READ_AHEAD);
            TreeExport.Result r;
            try (CommandProgress progress = new CommandProgress("get", json)) {
                r = VolumeCommands.run(() -> TreeExport.export(snapshot, at.volumePath(), dest.toAbsolutePath(),
                        options, progress));
            }
            new Result(id.toHex(), snapshot.version(), at.volumePath().toString(), r.written().toString(), r.files(),
                    r.symlinks(), r.directories(), r.bytes(), remote.blocksFetched(),
                    (System.nanoTime() - start) / 1e9).emit(spec, json);
        }
        return 0;
    }
}
