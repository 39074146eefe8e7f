package org.cfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.fs.FileContent;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumePath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Writes a file of a volume to stdout, verified, with chunks fetched ahead. */
@Command(name = "cat",
        mixinStandardHelpOptions = true,
        description = "Writes the file at VOL[@N]/PATH to stdout. Every chunk is verified against its key;"
                + " several are fetched ahead so a large file streams.")
final class CatCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL[@N]/PATH", description = "A volume id or alias, a version, a path.")
    private String target;

    @Option(names = "--stats", description = "Say on stderr how many blocks were fetched.")
    private boolean stats;

    @Mixin
    private VolumeCommands volume;

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        Id id = at.id(VolumeCommands.config(spec));
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot snapshot = remote.open(id, at);
            VolumePath path = at.volumePath();
            FileContent file = VolumeCommands.run(() -> snapshot.open(path));
            long copied;
            try (InputStream in = VolumeCommands.run(() -> file.stream(VolumeCommands.READ_AHEAD))) {
                copied = copy(in, snapshot.where(path));
            } catch (IOException e) {
                throw new CommandFailedException(e.getMessage(), e);
            }
            if (copied != file.size()) {
                throw new CommandFailedException(snapshot.where(path) + ": read " + copied + " bytes of " + file.size());
            }
            if (stats) {
                spec.commandLine().getErr().println("cfs cat: " + remote.blocksFetched() + " blocks fetched ("
                        + remote.bytesFetched() + " bytes)");
            }
        }
        return 0;
    }

    private static long copy(InputStream in, String where) throws IOException {
        PrintStream out = System.out;
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            out.write(buf, 0, n);
            if (out.checkError()) {
                throw new IOException(where + ": cannot write to stdout");
            }
            total += n;
        }
        out.flush();
        return total;
    }
}
