package org.cfs.cli;

import java.util.concurrent.Callable;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.LookupResult;
import org.cfs.dhash.DHashConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Finds the owner and replica set of a key with an iterative lookup from outside the ring. */
@Command(name = "lookup",
        mixinStandardHelpOptions = true,
        description = "Finds the node that owns KEY with an iterative lookup starting at the given node;"
                + " prints its replica set (the K distinct hosts that would hold KEY's block), the owner's"
                + " successor list, and the hops, timeouts and time taken.")
final class LookupCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY",
            description = "40 hex digits naming an id, or any other text, which is hashed"
                    + " (first 20 bytes of its SHA-256) to give the id.")
    private String keyText;

    @Mixin
    private BlockOptions options;

    @Option(names = "--json", description = "Print one line of JSON instead of text.")
    private boolean json;

    @Override
    public Integer call() {
        DHashConfig config = options.validate(spec);
        LookupKey key;
        try {
            key = LookupKey.parse(keyText);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        LookupResult result;
        try (RemoteRing remote = new RemoteRing(ChordConfig.defaults())) {
            result = remote.lookup(key, options.via(), options.timeout());
        }
        new LookupReport(key, options.via(), result, config.replicas()).emit(spec, json);
        return 0;
    }
}
