package org.cfs.cli;

import org.cfs.chord.ByteSize;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Publishes a directory as the next version of a signed volume, or re-signs the current one. */
@Command(name = "publish",
        mixinStandardHelpOptions = true,
        description = {"Publishes DIR as the next version of the volume named by --key and --label: stores the"
                + " blocks the ring lacks, then signs the new version. An unchanged tree makes no version.",
                "With --refresh, re-signs the current version with a new expiry instead."})
final class PublishCommand implements Callable<Integer> {
    static final String DEFAULT_LABEL = "default";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The directory to publish.")
    private Path dir;

    @Option(names = "--key", required = true, paramLabel = "NAME", description = "The signing key (see cfs keygen).")
    private String keyName;

    @Option(names = "--label", paramLabel = "L", defaultValue = DEFAULT_LABEL,
            description = "Which of the key's volumes (default: ${DEFAULT-VALUE}); the volume id is H(public key || L).")
    private String label;

    @Option(names = {"-m", "--message"}, paramLabel = "M", defaultValue = "", description = "A note for the log.")
    private String message;

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "30d", converter = DurationConverter.class,
            description = "How long the signature stays valid, e.g. 30d, 12h (default: ${DEFAULT-VALUE}).")
    private Duration expires;

    @Option(names = "--force", description = "Make a new version even if the tree is unchanged.")
    private boolean force;

    @Option(names = "--refresh", description = "Re-sign the current version with a new expiry; no DIR.")
    private boolean refresh;

    @Option(names = "--replicas", paramLabel = "K", defaultValue = "3",
            description = "The ring's replica count, as its nodes were started with (default: ${DEFAULT-VALUE}).")
    private int replicas;

    @Option(names = "--json", description = "Print one JSON object at the end.")
    private boolean json;

    @Mixin
    private VolumeCommands volume;

    record Result(String volume, String label, long version, boolean unchanged, String commit, String expires,
                  long files, long directories, long bytes, long blocksSent, long bytesSent, long blocksFound,
                  long bytesFound, long skipped, double seconds, @JsonIgnore boolean refreshed) implements CommandReport {
        static Result of(Publication p, String label, boolean refreshed) {
            return new Result(p.volume().toHex(), label, p.version(), p.unchanged(), p.commit().toHex(),
                    Instant.ofEpochMilli(p.expiresAtMillis()).toString(), p.files(), p.directories(), p.bytes(),
                    p.blocksSent(), p.bytesSent(), p.blocksFound(), p.bytesFound(), p.skipped(),
                    p.elapsed().toNanos() / 1e9, refreshed);
        }

        @Override
        public void print(PrintWriter out) {
            if (unchanged) {
                out.println("volume " + volume + " unchanged at version " + version
                        + " (no version made; --force makes one)");
            } else if (refreshed) {
                out.println("volume " + volume + " version " + version + " re-signed, expires " + expires);
                return;
            } else {
                out.println("volume " + volume + " version " + version + " published (label '" + label + "')");
            }
            out.printf("  %d files, %d directories, %s%s%n", files, directories, ByteSize.of(bytes),
                    skipped > 0 ? ", " + skipped + " skipped" : "");
            out.printf("  sent %d blocks, %s over the wire (every replica's copy); %d blocks, %s already stored%n",
                    blocksSent, ByteSize.of(bytesSent), blocksFound, ByteSize.of(bytesFound));
            out.printf("  expires %s; took %.1f s%n", expires, seconds);
        }
    }

    @Override
    public Integer call() {
        if (refresh == (dir != null)) {
            throw new ParameterException(spec.commandLine(), refresh ? "--refresh re-signs the current version: give no DIR"
                    : "give the directory to publish (or --refresh)");
        }
        byte[] labelBytes = label.getBytes(StandardCharsets.UTF_8);
        if (labelBytes.length > 255) {
            throw new ParameterException(spec.commandLine(), "--label is " + labelBytes.length
                    + " bytes of UTF-8; at most 255");
        }
        DHashConfig config;
        try {
            config = DHashConfig.defaults().withReplicas(replicas);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + ": " + e.getMessage());
        }
        SigningKey key = VolumeCommands.config(spec).loadKey(keyName);
        try (RemoteVolumes remote = volume.connect(spec, config);
             CommandProgress progress = new CommandProgress("publish", json)) {
            Publication p;
            if (refresh) {
                p = VolumeCommands.run(() -> remote.publisher(progress).refresh(key, labelBytes, expires));
            } else {
                Publisher.Options options = Publisher.Options.defaults().withMessage(message).withExpires(expires)
                        .withForce(force);
                p = VolumeCommands.run(() -> remote.publisher(progress).publish(dir.toAbsolutePath(), key, labelBytes,
                        options));
            }
            progress.close();
            Result.of(p, label, refresh).emit(spec, json);
        }
        return 0;
    }
}
