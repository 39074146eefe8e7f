package org.cfs.cli;

import java.time.Duration;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.DHashConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of the commands that work with replica sets ({@code cfs block} and {@code cfs lookup}):
 * where the ring is, how long to wait, and how many replicas the ring keeps.
 */
final class BlockOptions {
    @Mixin
    RingAddress ring;

    @Option(names = "--replicas", paramLabel = "K", defaultValue = "3",
            description = "The ring's replica count, as its nodes were started with (default: ${DEFAULT-VALUE}).")
    int replicas;

    /** Checks the values and returns the client's DHash settings. */
    DHashConfig validate(CommandSpec spec) {
        ring.validate(spec);
        try {
            return DHashConfig.defaults().withReplicas(replicas);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + ": " + e.getMessage());
        }
    }

    Endpoint via() {
        return ring.via;
    }

    Duration timeout() {
        return ring.timeout();
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
