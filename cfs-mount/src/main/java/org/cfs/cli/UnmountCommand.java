package org.cfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cfs.mount.VolumeMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Unmounts a cfs mount; the process serving it then exits. */
@Command(name = "unmount",
        mixinStandardHelpOptions = true,
        description = "Unmounts the cfs mount at MNT; the process that served it exits 0.")
final class UnmountCommand implements Callable<Integer> {
    /** Polls of /proc/self/mountinfo, 50 ms apart, before giving up. */
    private static final int POLLS = 200;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MNT", description = "Where the volumes are mounted.")
    private Path mountPoint;

    @Override
    public Integer call() throws InterruptedException {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        if (!VolumeMount.isMounted(mnt)) {
            throw new CommandFailedException(mnt + " is not mounted");
        }
        VolumeMount.unmount(mnt);
        for (int i = 0; i < POLLS && VolumeMount.isMounted(mnt); i++) {
            Thread.sleep(50);
        }
        if (VolumeMount.isMounted(mnt)) {
            throw new CommandFailedException("could not unmount " + mnt + " (fusermount -u and umount both failed)");
        }
        spec.commandLine().getOut().println("unmounted " + mnt);
        return 0;
    }
}
