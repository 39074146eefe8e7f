package org.cfs.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Endpoint;
import org.cfs.chord.LookupResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Finds the owner and replica set of a key with an iterative lookup from outside the ring. */
@Command(name = "lookup",
        mixinStandardHelpOptions = true,
        description = "Finds the node that owns KEY, and its replica set, with an iterative lookup"
                + " starting at the given node; prints hops, timeouts and time taken.")
final class LookupCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY",
            description = "40 hex digits naming an id, or any other text, which is hashed"
                    + " (first 20 bytes of its SHA-256) to give the id.")
    private String keyText;

    @Option(names = "--via", required = true, paramLabel = "HOST:PORT", description = "Any node of the ring.")
    private Endpoint via;

    @Option(names = "--json", description = "Print one line of JSON instead of text.")
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
        LookupKey key;
        try {
            key = LookupKey.parse(keyText);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        LookupResult result;
        try (RemoteRing ring = new RemoteRing(ChordConfig.defaults())) {
            result = ring.lookup(key, via, Duration.ofSeconds(timeoutSeconds));
        }
        LookupReport report = new LookupReport(key, via, result);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson());
        } else {
            report.print(out);
        }
        out.flush();
        return 0;
    }
}
