package org.cfs.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT and SIGTERM into the same orderly end as a normal one, for commands that run until
 * stopped (a mount, the demo). The JVM handles those signals by running its shutdown hooks and
 * exiting with 128 + the signal's number, and the command's own clean-up, waiting in its main
 * thread, would never run. This hook runs {@code stop} (which makes the main thread's wait end),
 * waits for the command to say it has finished, and exits with the status it gave.
 */
final class OrderlyStop implements AutoCloseable {
    /** How long the hook waits for the command's own clean-up before exiting anyway. */
    private static final long FINISH_SECONDS = 60;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile int status;

    private OrderlyStop(Runnable stop) {
        hook = new Thread(() -> {
            try {
                stop.run();
                finished.await(FINISH_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(status);
            }
        }, "cfs-orderly-stop");
    }

    /** Installs the hook; close it when the command ends by itself. */
    static OrderlyStop install(Runnable stop) {
        OrderlyStop s = new OrderlyStop(stop);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** The command has cleaned up and would exit with {@code exitStatus}: a waiting hook may exit now. */
    void finished(int exitStatus) {
        status = exitStatus;
        finished.countDown();
    }

    /** Removes the hook when the command ends by itself; during a shutdown the hook stays and exits. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // A signal started the shutdown: the hook is running and exits once finished() is called.
        }
    }
}
