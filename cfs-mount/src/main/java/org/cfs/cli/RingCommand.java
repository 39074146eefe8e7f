package org.cfs.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Walks the ring from one node and prints it; exits 1 when the walk does not close the ring. */
@Command(name = "ring",
        mixinStandardHelpOptions = true,
        description = {
            "Walks the successor pointers from vnode 0 of a node and prints every vnode in ring order"
                + " with the share of the id space it owns.",
            "Exits 1 if the walk does not come back round to where it started."})
final class RingCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--via", required = true, paramLabel = "HOST:PORT", description = "Any node of the ring.")
    private Endpoint via;

    @Option(names = "--json", description = "Print one line of JSON instead of the table.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() {
        if (via.port() == 0) {
            throw new ParameterException(spec.commandLine(), "--via " + via + " needs the node's real port, not 0");
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout " + timeoutSeconds + " must be at least 1");
        }
        RingWalk walk;
        try (RemoteRing ring = new RemoteRing(ChordConfig.defaults())) {
            walk = ring.walk(via, Duration.ofSeconds(timeoutSeconds));
        }
        RingReport report = new RingReport(via, walk);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson());
        } else {
            report.print(out);
        }
        out.flush();
        if (!walk.closed()) {
            throw new CommandFailedException("the walk via " + via + " did not close the ring: " + walk.problem());
        }
        return 0;
    }
}
