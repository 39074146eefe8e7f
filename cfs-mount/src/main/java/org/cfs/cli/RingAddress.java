package org.cfs.cli;

import java.time.Duration;
import org.cfs.chord.Endpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where a command reaches the ring, and how long it waits: the options every client command shares. */
final class RingAddress {
    @Option(names = "--via", paramLabel = "HOST:PORT",
            description = "Any node of the ring (default: the one saved with 'cfs config set via').")
    Endpoint via;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /**
     * Takes the saved via when --via is not given; refuses a port of 0 and a timeout under a
     * second, naming the option.
     */
    void validate(CommandSpec spec) {
        if (via == null) {
            via = ConfigDir.of(spec).via().orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "no ring address: give --via HOST:PORT or set one with 'cfs config set via HOST:PORT'"));
        }
        if (via.port() == 0) {
            throw new ParameterException(spec.commandLine(), "--via " + via + " needs the node's real port, not 0");
        }
        if (timeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout " + timeoutSeconds + " must be at least 1");
        }
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }
}
