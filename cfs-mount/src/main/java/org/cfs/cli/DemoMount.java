package org.cfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.dhash.DHash;
import org.cfs.dhash.SigningKey;
import org.cfs.fs.Blocks;
import org.cfs.fs.FastCdc;
import org.cfs.fs.Publication;
import org.cfs.fs.Publisher;
import org.cfs.fs.SeenVersions;
import org.cfs.fs.VolumeException;
import org.cfs.fs.Volumes;
import org.cfs.mount.MountException;
import org.cfs.mount.VolumeMount;

/**
 * The mount part of {@code cfs demo}: a sample tree published, mounted, and looked at with the
 * tools a person would use (ls, cat, getfattr, sha256sum, a script run from the mount), then one
 * host holding the big file is killed and the file still reads, and a second version appears in
 * the mount while the first stays at {@code ID@1}.
 */
final class DemoMount {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REFRESH = Duration.ofSeconds(2);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final byte[] LABEL = "demo-mount".getBytes(StandardCharsets.UTF_8);
    private static final int BIG_BYTES = 16 << 20;
    private static final String ALIAS = "demo";

    private final List<ChordHost> hosts;
    private final List<DHash> dhash;
    private final Path work;
    private final PrintWriter out;
    /** The mount while it is up, for {@link #stop} from a signal's shutdown hook. */
    private volatile VolumeMount current;
    private volatile boolean stopping;

    /**
     * @param hosts the demo's hosts; one holding the big file is closed without a leave (and
     *     removed from the list, with its DHash), to show the file read from the others
     * @param work a directory for the sample tree, removed by the caller
     */
    DemoMount(List<ChordHost> hosts, List<DHash> dhash, Path work, PrintWriter out) {
        this.hosts = hosts;
        this.dhash = dhash;
        this.work = work;
        this.out = out;
    }

    /**
     * Runs the mount part at {@code mnt}. Returns false if something read back wrong; throws
     * MountException if no mount can be made here.
     *
     * @param stay wait for the user to unmount (Ctrl-C) before returning
     */
    boolean run(Path mnt, boolean stay) throws IOException, VolumeException, MountException, InterruptedException {
        Path tree = Files.createDirectories(work.resolve("sample"));
        byte[] big = sampleTree(tree);
        SigningKey key = SigningKey.generate(new SecureRandom());
        Publisher publisher = new Publisher(Blocks.of(dhash.get(0)), SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT,
                FastCdc.defaults(), new Publisher.Listener() { });
        Publication first = publisher.publish(tree, key, LABEL, Publisher.Options.defaults().withMessage("first"));
        Id volume = first.volume();
        out.printf("%npublished %s as volume %s version 1 (%d files); mounting it at %s%n", tree, volume,
                first.files(), mnt);
        DHash reader = dhash.get(dhash.size() - 1);
        Volumes volumes = new Volumes(Blocks.of(reader), SeenVersions.inMemory(), Clock.systemUTC(), TIMEOUT, 64L << 20);
        boolean ok = true;
        try (VolumeMount mount = VolumeMount.start(mnt, volumes, () -> Map.of(ALIAS, volume),
                new VolumeMount.Settings(Optional.empty(), REFRESH, TIMEOUT))) {
            current = mount;
            if (stopping) {
                mount.close();
            }
            Path demo = mnt.resolve(ALIAS);
            show("ls", "-l", mnt.toString());
            show("ls", "-l", demo + "/");
            show("cat", demo.resolve("README.md").toString());
            show(demo.resolve("bin/hello.sh").toString());
            show("getfattr", "--absolute-names", "-d", demo.resolve("data/big.bin").toString());
            ok &= killAHolderAndReadAgain(demo.resolve("data/big.bin"), big);
            Files.writeString(tree.resolve("README.md"), "Version 2 of the sample volume: edited while mounted.\n");
            Publication second = publisher.publish(tree, key, LABEL, Publisher.Options.defaults().withMessage("edit"));
            out.printf("%nREADME.md edited and published as version %d (sent %d blocks: the edit, and copies for the"
                    + " hosts that took over from the one killed); the mount looks for a new version every %d s:%n",
                    second.version(), second.blocksSent(), REFRESH.toSeconds());
            ok &= awaitVersion(mnt.resolve(volume.toHex()), 2);
            show("readlink", mnt.resolve(volume.toHex()).toString());
            show("cat", demo.resolve("README.md").toString());
            show("cat", mnt.resolve(volume.toHex() + "@1").resolve("README.md").toString());
            if (stay && !stopping) {
                out.printf("%nmounted at %s. In another terminal, try:%n  ls -l %s/%n  getfattr -d %s/data/big.bin%n"
                        + "  cat %s@1/README.md%nCtrl-C here unmounts, stops the ring and removes everything.%n",
                        mnt, demo, demo, mnt.resolve(volume.toHex()));
                out.flush();
                while (!mount.awaitUnmounted(Duration.ofHours(1))) {
                    // Until Ctrl-C or SIGTERM, on which OrderlyStop calls stop(), which unmounts.
                }
            }
        }
        current = null;
        out.printf("unmounted %s%n", mnt);
        return ok;
    }

    /**
     * Ends the wait for Ctrl-C (or skips it, if the mount is not up yet) by unmounting; the demo
     * then goes on to leave the ring and clean up. Called from a signal's shutdown hook.
     */
    void stop() {
        stopping = true;
        VolumeMount m = current;
        if (m != null) {
            m.close();
        }
    }

    /** Closes, without a leave, a host holding the big file's first chunk, then reads the file again. */
    private boolean killAHolderAndReadAgain(Path file, byte[] want) throws IOException, InterruptedException {
        String holders = run("getfattr", "--absolute-names", "--only-values", "-n", "user.cfs.replicas",
                file.toString()).trim();
        out.printf("%nthe first chunk of data/big.bin is on %s%n", holders.isEmpty() ? "(getfattr missing)" : holders);
        // Not the first host (the publisher's) nor the last (the mount's way into the ring).
        int victim = -1;
        for (int i = 1; i < hosts.size() - 1 && victim < 0; i++) {
            if (holders.contains(hosts.get(i).endpoint().toString())) {
                victim = i;
            }
        }
        if (victim < 0) {
            out.println("none of those hosts can be killed here (they are the publisher's and the mount's own)");
        } else {
            ChordHost host = hosts.remove(victim);
            dhash.remove(victim).close();
            host.close();
            out.printf("killed the host at %s (closed without leaving the ring); reading the file again:%n",
                    host.endpoint());
        }
        String sum = run("sha256sum", file.toString()).split(" ")[0];
        String expected = sha256(want);
        out.printf("$ sha256sum %s%n%s  %s%n%s%n", file, sum, file,
                sum.equals(expected) ? "identical to the file published" : "DIFFERENT from the file published");
        return sum.equals(expected);
    }

    private boolean awaitVersion(Path link, long version) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + REFRESH.multipliedBy(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readSymbolicLink(link).toString().endsWith("@" + version)) {
                return true;
            }
            Thread.sleep(100);
        }
        out.printf("version %d did not show within %d s%n", version, REFRESH.multipliedBy(10).toSeconds());
        return false;
    }

    /** Prints a command as a person would type it, then what it printed. */
    private void show(String... command) throws IOException, InterruptedException {
        out.printf("%n$ %s%n", String.join(" ", command));
        out.print(run(command));
        out.flush();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return command[0] + " is not installed here\n";
        }
        p.getOutputStream().close();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return output + command[0] + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s\n";
        }
        return output;
    }

    /** A README, a script, a guide, a symlink and a 16 MiB file; returns the big file's bytes. */
    private static byte[] sampleTree(Path tree) throws IOException {
        Files.writeString(tree.resolve("README.md"), "Version 1 of the sample volume, published by cfs demo.\n");
        Files.createDirectories(tree.resolve("bin"));
        Path script = tree.resolve("bin/hello.sh");
        Files.writeString(script, "#!/bin/sh\necho \"hello from a script run straight from the cfs mount\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tree.resolve("docs"));
        Files.writeString(tree.resolve("docs/guide.txt"), "ls, cat, cp: every byte read through cfs is verified.\n");
        Files.createSymbolicLink(tree.resolve("guide"), Path.of("docs/guide.txt"));
        Files.createDirectories(tree.resolve("data"));
        byte[] big = new byte[BIG_BYTES];
        new SplittableRandom(9).nextBytes(big);
        Files.write(tree.resolve("data/big.bin"), big);
        return big;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The mount point to use: the one given, else a new directory under {@code work}. */
    static Path mountPoint(Path given, Path work) throws IOException {
        return given != null ? given.toAbsolutePath() : Files.createDirectories(work.resolve("mnt"));
    }
}
