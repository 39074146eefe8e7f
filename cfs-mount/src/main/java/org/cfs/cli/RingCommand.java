package org.cfs.cli;

import java.util.concurrent.Callable;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Mixin
    private RingAddress ring;

    @Option(names = "--json", description = "Print one line of JSON instead of the table.")
    private boolean json;

    @Override
    public Integer call() {
        ring.validate(spec);
        RingWalk walk;
        try (RemoteRing remote = new RemoteRing(ChordConfig.defaults())) {
            walk = remote.walk(ring.via, ring.timeout());
        }
        new RingReport(ring.via, walk).emit(spec, json);
        if (!walk.closed()) {
            throw new CommandFailedException("the walk via " + ring.via + " did not close the ring: " + walk.problem());
        }
        return 0;
    }
}
