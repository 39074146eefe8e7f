package org.cfs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.fs.DirEntry;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumePath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists a directory of a volume, reading only directory blocks. */
@Command(name = "ls",
        mixinStandardHelpOptions = true,
        description = "Lists the directory at VOL[@N][/PATH] (the root without PATH; version N, else the newest)."
                + " Attributes come from the directory blocks alone: no file is read.")
final class LsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL[@N][/PATH]", description = "A volume id or alias, a version, a path.")
    private String target;

    @Option(names = "-l", description = "Long listing: type and mode, size, modification time (UTC), name.")
    private boolean longListing;

    @Option(names = "-R", description = "List subdirectories too, recursively.")
    private boolean recursive;

    @Option(names = "--json", description = "Print one JSON object with every entry.")
    private boolean json;

    @Option(names = "--stats", description = "Say on stderr how many blocks were fetched.")
    private boolean stats;

    @Mixin
    private VolumeCommands volume;

    /** The listing as JSON. */
    record Listing(String volume, long version, String path, List<EntryView> entries, long blocksFetched)
            implements CommandReport {
        @Override
        public void print(PrintWriter out) {
            entries.forEach(e -> out.println(e.name()));
        }
    }

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        Id id = at.id(VolumeCommands.config(spec));
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot snapshot = remote.open(id, at);
            VolumePath path = at.volumePath();
            DirEntry top = VolumeCommands.run(() -> snapshot.stat(path));
            PrintWriter out = spec.commandLine().getOut();
            List<EntryView> collected = new ArrayList<>();
            if (!top.isDirectory()) {
                emit(out, collected, path.toString(), top, false);
            } else {
                list(snapshot, path, top, out, collected, false);
            }
            if (json) {
                new Listing(id.toHex(), snapshot.version(), path.toString(), collected, remote.blocksFetched())
                        .emit(spec, true);
            }
            out.flush();
            if (stats) {
                spec.commandLine().getErr().println("cfs ls: " + remote.blocksFetched() + " blocks fetched ("
                        + remote.bytesFetched() + " bytes)");
            }
        }
        return 0;
    }

    private void list(Snapshot snapshot, VolumePath dir, DirEntry entry, PrintWriter out, List<EntryView> collected,
                      boolean header) {
        if (header && !json) {
            out.println();
            out.println(dir + ":");
        }
        List<DirEntry> subdirs = new ArrayList<>();
        VolumeCommands.run(() -> {
            snapshot.forEach(dir, entry, e -> {
                emit(out, collected, dir.child(e.name()).toString(), e, true);
                if (recursive && e.isDirectory()) {
                    subdirs.add(e);
                }
            });
            return null;
        });
        for (DirEntry sub : subdirs) {
            list(snapshot, dir.child(sub.name()), sub, out, collected, true);
        }
    }

    private void emit(PrintWriter out, List<EntryView> collected, String path, DirEntry e, boolean inDirectory) {
        EntryView view = EntryView.of(path, e);
        String shown = inDirectory ? view.name() : path;
        if (json) {
            collected.add(view);
        } else {
            out.println(longListing ? view.longLine(shown) : shown);
        }
    }
}
