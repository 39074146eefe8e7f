package org.cfs.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.DHashConfig;
import org.cfs.fs.DiskBlockCache;
import org.cfs.fs.Volumes;
import org.cfs.metrics.MetricsServer;
import org.cfs.mount.MountException;
import org.cfs.mount.VolumeMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Mounts volumes read-only at a directory. In the background by default: a second process serves
 * the mount, logging to a file under the state directory, and this one returns once the mount is
 * usable or with the reason it is not.
 */
@Command(name = "mount",
        mixinStandardHelpOptions = true,
        description = {"Mounts volumes read-only at MNT through FUSE: MNT/<volume-id>/... for any volume (not listed),"
                + " MNT/<alias> for each alias, MNT/<volume-id>@N/... for version N; with --volume, that volume's"
                + " tree at MNT itself.",
                "Returns once the mount is usable; the mount runs on in the background until 'cfs unmount MNT'."})
final class MountCommand implements Callable<Integer> {
    /** Waits for a background mount to say it is ready, beyond the mount's own init wait. */
    private static final Duration START_SLACK = Duration.ofSeconds(30);

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MNT", description = "An existing empty directory.")
    private Path mountPoint;

    @Option(names = "--via", paramLabel = "HOST:PORT",
            description = "Any node of the ring (default: the one saved with 'cfs config set via').")
    private Endpoint via;

    @Option(names = "--volume", paramLabel = "VOL", description = "Mount only this volume (id or alias), at MNT itself.")
    private String volume;

    @Option(names = "--foreground", description = "Stay attached: serve the mount from this process until unmounted"
            + " or interrupted.")
    private boolean foreground;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "1G",
            description = "Disk for verified blocks, kept between mounts in the cache directory (default ${DEFAULT-VALUE}).")
    private ByteSize cacheSize;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How often a volume's newest version is looked up (default ${DEFAULT-VALUE}).")
    private Duration refresh;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Longest any file operation waits for the ring (default ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (FUSE operations, caches, lookups,"
                    + " the JVM) while mounted.")
    private Endpoint metricsAddress;

    @Option(names = "--ready-file", hidden = true, description = "Where a background mount reports it is ready.")
    private Path readyFile;

    @Override
    public Integer call() throws Exception {
        ConfigDir config = VolumeCommands.config(spec);
        Endpoint ring = via != null ? via : config.via().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "no ring address: give --via HOST:PORT or set one with 'cfs config set via HOST:PORT'"));
        Optional<Id> only = Optional.ofNullable(volume).map(config::resolveVolume);
        Path mnt = mountPoint.toAbsolutePath().normalize();
        if (!foreground) {
            return background(mnt, ring);
        }
        Path cacheDir = VolumeCommands.cacheDir(spec);
        DiskBlockCache disk;
        try {
            disk = DiskBlockCache.open(cacheDir, cacheSize.bytes());
        } catch (IOException e) {
            report("failed " + e.getMessage());
            throw new CommandFailedException(e.getMessage(), e);
        }
        PrometheusMeterRegistry registry = metricsAddress == null ? null : MetricsServer.processRegistry();
        MetricsServer metrics;
        try {
            metrics = registry == null ? null : Metrics.serve(metricsAddress, registry);
        } catch (CommandFailedException e) {
            report("failed " + e.getMessage());
            throw e;
        }
        OrderlyStop stop = null;
        ThreadPoolExecutor cacheWrites = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(VolumeMount.CACHE_WRITE_QUEUE), r -> new Thread(r, "cfs-cache-write"),
                new ThreadPoolExecutor.DiscardPolicy());
        try (RemoteVolumes remote = new RemoteVolumes(ring, DHashConfig.defaults(), timeout,
                VolumeCommands.stateDir(spec), registry)) {
            checkRing(remote, ring, only);
            Volumes volumes = remote.volumes(VolumeMount.MEMORY_CACHE_BYTES, disk, cacheWrites);
            VolumeMount mount;
            try {
                VolumeMount.Settings settings = new VolumeMount.Settings(only, refresh, timeout);
                if (registry == null) {
                    mount = VolumeMount.start(mnt, volumes, config::aliases, settings);
                } else {
                    volumes.bindTo(registry);
                    disk.bindTo(registry);
                    Metrics.bindTransport(registry, remote.transport());
                    mount = VolumeMount.start(mnt, volumes, config::aliases, settings, registry);
                }
            } catch (MountException e) {
                report("failed " + e.getMessage());
                throw new CommandFailedException(e.getMessage(), e);
            }
            // SIGINT, SIGTERM: unmount, and let this thread end the command as an unmount would.
            stop = OrderlyStop.install(mount::close);
            try (mount) {
                report("ready");
                spec.commandLine().getOut().printf("mounted %s at %s, caching blocks in %s (cfs unmount %s to stop)%n",
                        only.map(Id::toHex).orElse("volumes"), mnt, cacheDir, mnt);
                if (metrics != null) {
                    spec.commandLine().getOut().printf("serving metrics at http://%s:%d%s%n", metricsAddress.host(),
                            metrics.address().getPort(), MetricsServer.PATH);
                }
                spec.commandLine().getOut().flush();
                while (!mount.awaitUnmounted(Duration.ofHours(1))) {
                    // Serve until unmounted: by cfs unmount, umount, or a signal (OrderlyStop unmounts).
                }
            }
            spec.commandLine().getOut().println("unmounted " + mnt);
            spec.commandLine().getOut().flush();
        } finally {
            Metrics.close(metrics);
            cacheWrites.shutdown();
            cacheWrites.awaitTermination(10, TimeUnit.SECONDS);
            if (stop != null) {
                stop.finished(0);
                stop.close();
            }
        }
        return 0;
    }

    /**
     * Fails now, with the reason, if the ring cannot be asked: better than a mount whose every
     * access fails. With --volume, that volume must be found too.
     */
    private void checkRing(RemoteVolumes remote, Endpoint ring, Optional<Id> only) throws IOException {
        try {
            if (only.isPresent()) {
                remote.volumes(VolumeMount.MEMORY_CACHE_BYTES).head(only.get());
            } else {
                Await.result(remote.dhash().stat(Id.hash("cfs mount: is the ring there?")), timeout,
                        "asking the ring via " + ring);
            }
        } catch (CommandFailedException | org.cfs.fs.VolumeException e) {
            report("failed " + e.getMessage());
            throw new CommandFailedException(e.getMessage(), e);
        }
    }

    /** Tells the process that started this one how the mount went. */
    private void report(String outcome) throws IOException {
        if (readyFile != null) {
            Path temp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(temp, outcome, StandardCharsets.UTF_8);
            Files.move(temp, readyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Starts this command again with --foreground in a process of its own and waits for its word. */
    private int background(Path mnt, Endpoint ring) throws IOException, InterruptedException {
        Path state = VolumeCommands.stateDir(spec);
        Files.createDirectories(state);
        String name = mnt.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        Path log = state.resolve("mount" + name + ".log");
        Path ready = state.resolve("mount" + name + ".ready");
        Files.deleteIfExists(ready);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid"); // out of this terminal's session, so closing it does not unmount
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-opens=java.base/sun.nio.fs=ALL-UNNAMED");
        // Names pass through FUSE as Strings in the default charset: ISO-8859-1 maps every byte to
        // itself, so names in any encoding (or none) come through unchanged (see MountTree.NAMES).
        command.add("-Dfile.encoding=ISO-8859-1");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        Path configDir = ((Main) spec.root().userObject()).configDir();
        if (configDir != null) {
            command.addAll(List.of("--config", configDir.toAbsolutePath().toString()));
        }
        command.addAll(List.of("mount", mnt.toString(), "--foreground", "--via", ring.toString(),
                "--cache-size", cacheSize.toString(), "--refresh", refresh.toSeconds() + "s",
                "--timeout", timeout.toSeconds() + "s", "--ready-file", ready.toString()));
        if (volume != null) {
            command.addAll(List.of("--volume", volume));
        }
        if (metricsAddress != null) {
            command.addAll(List.of("--metrics", metricsAddress.toString()));
        }
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + timeout.plus(START_SLACK).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(ready)) {
                String outcome = Files.readString(ready, StandardCharsets.UTF_8);
                Files.deleteIfExists(ready);
                if (outcome.equals("ready")) {
                    spec.commandLine().getOut().printf("mounted at %s (process %d, log %s; cfs unmount %s to stop)%n",
                            mnt, child.pid(), log, mnt);
                    return 0;
                }
                throw new CommandFailedException(outcome.substring("failed ".length()));
            }
            if (!child.isAlive()) {
                throw new CommandFailedException("the mount process ended with status " + child.exitValue()
                        + " before the mount was ready; its log: " + log);
            }
            Thread.sleep(50);
        }
        child.destroyForcibly();
        throw new CommandFailedException("the mount was not ready within " + timeout.plus(START_SLACK).toSeconds()
                + " s; its log: " + log);
    }
}
