package org.cfs.cli;

import java.time.Duration;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.DHashConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options every {@code cfs block} command shares: where the ring is and how long to wait. */
final class BlockOptions {
    @Option(names = "--via", required = true, paramLabel = "HOST:PORT", description = "Any node of the ring.")
    Endpoint via;

    @Option(names = "--replicas", paramLabel = "K", defaultValue = "3",
            description = "The ring's replica count, as its nodes were started with (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Checks the values and returns the client's DHash settings. */
    DHashConfig validate(CommandSpec spec) {
        if (via.port() == 0) {
            throw new ParameterException(spec.commandLine(), "--via " + via + " needs the node's real port, not 0");
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout " + timeoutSeconds + " must be at least 1");
        }
        try {
            return DHashConfig.defaults().withReplicas(replicas);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + ": " + e.getMessage());
        }
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** A block key as given on the command line: exactly 40 hex digits. */
    static Id parseKey(CommandSpec spec, String text) {
        if (!Id.isHex(text)) {
            throw new ParameterException(spec.commandLine(), "'" + text + "' is not a block key:"
                    + " give the 40 hex digits that 'cfs block put' printed");
        }
        return Id.fromHex(text);
    }
}
