package org.cfs.cli;

import java.util.concurrent.Callable;
import org.cfs.chord.Transport;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashMessages;
import org.cfs.dhash.DHashMessages.NodeStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Asks one node for its own view of itself (one GetStatus) and prints it. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Shows one node's view of itself: its address, software version and uptime, its store (blocks,"
                + " bytes, capacity) and path cache, its last maintenance round, and each vnode's id,"
                + " predecessor, successor list and fingers.",
            "Exits 1 if the node does not answer within --timeout."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private RingAddress ring;

    @Option(names = "--json", description = "Print one line of JSON instead of the table.")
    private boolean json;

    @Override
    public Integer call() {
        ring.validate(spec);
        NodeStatus status;
        try (Transport transport = NettyTransport.client(DHashMessages.registry(), NettyTransport.Options.defaults())) {
            status = Await.result(DHash.status(transport, ring.via, ring.timeout()), ring.timeout(),
                    "asking " + ring.via + " for its status");
        }
        new StatusReport(ring.via, status).emit(spec, json);
        return 0;
    }
}
