package org.cfs.cli;

import org.cfs.chord.ByteSize;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.fs.Commit;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeHead;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows what a volume's signed block and current commit say. */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        description = "Shows a volume: id, label, version, when it was published, when its signature expires,"
                + " the message, totals and the publisher's public key.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOL[@N]", description = "A volume id or alias, and a version.")
    private String target;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Mixin
    private VolumeCommands volume;

    record Info(String volume, String label, long version, long newestVersion, long signature, String published,
                String expires, String message, long files, long directories, long bytes, String publicKey,
                String commit) implements CommandReport {
        @Override
        public void print(PrintWriter out) {
            out.println("volume       " + volume);
            out.println("label        " + label);
            out.println("version      " + version + (version == newestVersion ? " (newest)" : " (newest is "
                    + newestVersion + ")"));
            out.println("published    " + published);
            out.println("expires      " + expires + " (signature " + signature + ")");
            out.println("message      " + message);
            out.println("files        " + files);
            out.println("directories  " + directories);
            out.println("bytes        " + bytes + " (" + ByteSize.of(bytes) + ")");
            out.println("public key   " + publicKey);
            out.println("commit       " + commit);
        }
    }

    @Override
    public Integer call() {
        VolumeSpec at = VolumeSpec.parse(spec, target);
        Id id = at.id(VolumeCommands.config(spec));
        try (RemoteVolumes remote = volume.connect(spec)) {
            Snapshot s = remote.open(id, at);
            VolumeHead head = s.head();
            Commit c = s.commit();
            new Info(id.toHex(), new String(head.label(), StandardCharsets.UTF_8), s.version(), head.version(),
                    head.seq(), Instant.ofEpochMilli(c.timeMillis()).toString(),
                    Instant.ofEpochMilli(head.expiresAtMillis()).toString(),
                    c.message(), c.files(), c.directories(), c.bytes(), head.publicKeyHex(), s.commitRef().toHex())
                    .emit(spec, json);
        }
        return 0;
    }
}
