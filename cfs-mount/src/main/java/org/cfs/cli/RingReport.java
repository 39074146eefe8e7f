package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.PrintWriter;
import java.util.List;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;

/**
 * A walk of the ring's successor pointers, as a table for people and as one line of JSON:
 * {"via":..,"closed":..,"count":..,"hosts":..,"problem":..,"nodes":[{"id","host","port","vnode"},..]}.
 */
@JsonPropertyOrder({"via", "closed", "count", "hosts", "problem", "nodes"})
record RingReport(Endpoint via, @JsonIgnore RingWalk walk) implements CommandReport {

    String headline() {
        List<NodeRef> nodes = walk.nodes();
        String count = nodes.size() + (nodes.size() == 1 ? " vnode" : " vnodes");
        if (walk.closed()) {
            return "ring via " + via + ": " + count + " on " + hostCount() + " hosts, closed";
        }
        // Why it did not close is the command's error line; saying it here too would print it twice.
        return "ring via " + via + ": NOT closed after " + count;
    }

    /**
     * The headline, then one line per vnode in ring order: position, id, address#vnode, and the
     * share of the id space it owns (from its predecessor's id to its own), once the ring closed.
     */
    @Override
    public void print(PrintWriter out) {
        out.println(headline());
        List<NodeRef> nodes = walk.nodes();
        if (nodes.isEmpty()) {
            return;
        }
        out.printf("  %4s  %-40s  %-24s  %s%n", "#", "id", "node", walk.closed() ? "share" : "");
        for (int i = 0; i < nodes.size(); i++) {
            NodeRef n = nodes.get(i);
            String share = walk.closed() ? String.format("%5.2f%%", 100 * share(nodes, i)) : "";
            out.printf("  %4d  %s  %-24s  %s%n", i + 1, n.id().toHex(), n.endpoint() + "#" + n.vnode(), share);
        }
    }

    @JsonProperty
    boolean closed() {
        return walk.closed();
    }

    @JsonProperty
    int count() {
        return walk.nodes().size();
    }

    /** Why the walk did not close; absent when it did. */
    @JsonProperty
    @JsonInclude(JsonInclude.Include.NON_NULL)
    String problem() {
        return walk.closed() ? null : walk.problem();
    }

    @JsonProperty
    List<NodeRef> nodes() {
        return walk.nodes();
    }

    @JsonProperty("hosts")
    long hostCount() {
        return walk.nodes().stream().map(NodeRef::endpoint).distinct().count();
    }

    /** Fraction of the ring from node i's predecessor (exclusive) to node i (inclusive). */
    private static double share(List<NodeRef> ring, int i) {
        if (ring.size() == 1) {
            return 1.0;
        }
        NodeRef pred = ring.get((i - 1 + ring.size()) % ring.size());
        return ring.get(i).id().minus(pred.id()).fraction();
    }
}
