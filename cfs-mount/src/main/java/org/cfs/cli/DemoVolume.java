package org.cfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cfs.chord.ByteSize;
import org.cfs.dhash.DHash;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Blocks;
import org.cfs.fs.DirEntry;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeException;
import org.cfs.fs.VolumePath;
import org.cfs.fs.VolumeVerifier;
import org.cfs.fs.Volumes;

/**
 * The volume part of {@code cfs demo}: a small sample tree published through one host with a
 * throwaway key, listed, read and verified through another, then edited and published again to
 * show that only the changed chunk travels.
 */
final class DemoVolume {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] LABEL = "demo".getBytes(StandardCharsets.UTF_8);
    private static final int SAMPLE_BYTES = 3 << 20;

    private DemoVolume() {
    }

    /** Returns true if everything read back as written. */
    static boolean run(DHash writer, DHash reader, PrintWriter out) {
        Path tree = null;
        try {
            tree = Files.createTempDirectory("cfs-demo-");
            byte[] sample = sampleTree(tree);
            SigningKey key = SigningKey.generate(new SecureRandom());
            Publisher publisher = new Publisher(Blocks.of(writer), SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                    FastCdc.defaults(), new Publisher.Listener() {
                    });
            Publication first = publisher.publish(tree, key, LABEL, Publisher.Options.defaults().withMessage("first"));
            out.printf("%npublished a sample tree as volume %s version %d: %d files, %d directories, %s;"
                    + " sent %d blocks%n", first.volume(), first.version(), first.files(), first.directories(),
                    ByteSize.of(first.bytes()), first.blocksSent());

            Volumes volumes = new Volumes(Blocks.of(reader), SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 16 << 20);
            Snapshot snapshot = volumes.open(first.volume());
            out.println("read back through another host (cfs ls -l):");
            for (DirEntry e : snapshot.list(VolumePath.ROOT)) {
                out.println("  " + EntryView.of("/" + e.displayName(), e).longLine(e.displayName()));
            }
            byte[] readme = readAll(snapshot, "README.md");
            out.print("cfs cat README.md: " + new String(readme, StandardCharsets.UTF_8));
            boolean same = Arrays.equals(sample, readAll(snapshot, "data/sample.bin"));
            VolumeVerifier.Report check = VolumeVerifier.verify(snapshot, VolumeVerifier.Options.defaults(),
                    new VolumeVerifier.Listener() {
                    });
            out.printf("data/sample.bin (%s) read back %s; cfs verify: %d blocks, %d missing, %d corrupt%n",
                    ByteSize.of(sample.length), same ? "identical" : "DIFFERENT", check.blocks(), check.missing(),
                    check.corrupt());

            sample[sample.length / 2] ^= 1;
            Files.write(tree.resolve("data/sample.bin"), sample);
            Publication second = publisher.publish(tree, key, LABEL, Publisher.Options.defaults().withMessage("edit"));
            out.printf("one byte of data/sample.bin changed and published again as version %d: sent %d blocks"
                    + " (%s with every replica), found %d already stored%n", second.version(), second.blocksSent(),
                    ByteSize.of(second.bytesSent()), second.blocksFound());
            boolean edited = Arrays.equals(sample, readAll(volumes.open(first.volume()), "data/sample.bin"));
            return same && edited && check.healthy();
        } catch (IOException e) {
            throw new CommandFailedException("demo volume: " + e.getMessage(), e);
        } catch (VolumeException e) {
            throw new CommandFailedException("demo volume: " + e.getMessage(), e);
        } finally {
            if (tree != null) {
                deleteTree(tree);
            }
        }
    }

    /** A README, a guide, a 3 MiB binary and a symlink; returns the binary's bytes. */
    private static byte[] sampleTree(Path tree) throws IOException {
        Files.writeString(tree.resolve("README.md"), "A sample volume, published by cfs demo.\n");
        Files.createDirectories(tree.resolve("docs"));
        Files.writeString(tree.resolve("docs/guide.txt"), "cfs ls, cfs cat, cfs get: every byte verified.\n");
        Files.createDirectories(tree.resolve("data"));
        byte[] sample = new byte[SAMPLE_BYTES];
        new SplittableRandom(6).nextBytes(sample);
        Files.write(tree.resolve("data/sample.bin"), sample);
        Files.createSymbolicLink(tree.resolve("guide"), Path.of("docs/guide.txt"));
        return sample;
    }

    private static byte[] readAll(Snapshot snapshot, String path) throws VolumeException, IOException {
        try (InputStream in = snapshot.open(VolumePath.parse(path)).stream(VolumeCommands.READ_AHEAD)) {
            return in.readAllBytes();
        }
    }

    private static void deleteTree(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp directory left behind is harmless; the demo's result stands.
        }
    }
}
