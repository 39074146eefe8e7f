package org.cfs.cluster.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cfs.cluster.NodeProcesses;

/**
 * CPU time taken over a span by the processes of {@code lab flood-real} (the measured node, the
 * other nodes, the flooder, this lab process as the reader) and by the whole machine, in cores:
 * CPU seconds per second of the span. The machine's figure is Linux's /proc/stat (busy = all but
 * idle and iowait); NaN where that cannot be read.
 */
final class CpuUse {
    /** CPU in cores over a span. */
    record Cores(double target, double otherNodes, double flooder, double reader, double machine) {
    }

    /** Cumulative CPU nanoseconds at one moment, and the machine's busy and total jiffies. */
    record Snapshot(long wallNanos, long target, long otherNodes, long flooder, long reader, long machineBusy,
                    long machineTotal) {
    }

    private final NodeProcesses ring;
    private final Process flooder;

    /** Watches {@code ring}'s nodes (the first is the target) and {@code flooder}, which may be null. */
    CpuUse(NodeProcesses ring, Process flooder) {
        this.ring = ring;
        this.flooder = flooder;
    }

    Snapshot snapshot() {
        long others = 0;
        for (int i = 1; i < ring.size(); i++) {
            others += cpuNanos(ring.process(i).toHandle());
        }
        long[] machine = machineJiffies();
        return new Snapshot(System.nanoTime(), cpuNanos(ring.process(0).toHandle()), others,
                flooder == null ? 0 : cpuNanos(flooder.toHandle()), cpuNanos(ProcessHandle.current()),
                machine[0], machine[1]);
    }

    Cores since(Snapshot before) {
        Snapshot now = snapshot();
        double wall = now.wallNanos() - before.wallNanos();
        double cores = Runtime.getRuntime().availableProcessors();
        long total = now.machineTotal() - before.machineTotal();
        return new Cores((now.target() - before.target()) / wall, (now.otherNodes() - before.otherNodes()) / wall,
                (now.flooder() - before.flooder()) / wall, (now.reader() - before.reader()) / wall,
                total > 0 ? cores * (now.machineBusy() - before.machineBusy()) / total : Double.NaN);
    }

    private static long cpuNanos(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** {busy, total} jiffies of all CPUs since boot, or {0, 0} where /proc/stat cannot be read. */
    private static long[] machineJiffies() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            if (!f[0].equals("cpu") || f.length < 6) {
                return new long[] {0, 0};
            }
            long total = 0;
            // user nice system idle iowait irq softirq steal; guest time is already in user and nice
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** The one-minute load average, or NaN where it cannot be read. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
