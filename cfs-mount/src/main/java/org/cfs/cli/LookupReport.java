package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.io.PrintWriter;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.DHash;

/**
 * The answer to one lookup, as lines for people and as one line of JSON: the owner, the replica
 * set (the first {@code replicas} distinct hosts from the owner on, as DHash places a block's
 * copies) and, apart, the owner's successor list, in which one host's vnodes appear once each:
 * {"key":..,"hashedFrom":..,"via":..,"owner":{..},"replicas":[..],"successors":[..],"hops":..,
 * "timeouts":..,"elapsedMs":..}.
 */
@JsonPropertyOrder({"key", "hashedFrom", "via", "owner", "replicas", "successors", "hops", "timeouts", "elapsedMs"})
record LookupReport(@JsonUnwrapped LookupKey key, Endpoint via, @JsonIgnore LookupResult result,
                    @JsonIgnore int replicas) implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        out.println("key         " + key.describe());
        out.println("owner       " + node(result.owner()));
        List<NodeRef> hosts = replicaHosts();
        list(out, "replicas", hosts);
        if (hosts.size() < replicas) {
            out.printf("%-11s only %d distinct %s known of the %d wanted%n", "", hosts.size(),
                    hosts.size() == 1 ? "host" : "hosts", replicas);
        }
        list(out, "successors", successors());
        out.println("hops        " + result.hops());
        out.println("timeouts    " + result.timeouts());
        out.printf("time        %.1f ms (via %s)%n", millis(), via);
    }

    private static void list(PrintWriter out, String label, List<NodeRef> nodes) {
        if (nodes.isEmpty()) {
            out.printf("%-11s none%n", label);
        }
        for (int i = 0; i < nodes.size(); i++) {
            out.printf("%-11s %2d. %s%n", i == 0 ? label : "", i + 1, node(nodes.get(i)));
        }
    }

    @JsonProperty
    NodeRef owner() {
        return result.owner();
    }

    @JsonProperty("replicas")
    List<NodeRef> replicaHosts() {
        return DHash.replicaHosts(result.replicaSet(), replicas);
    }

    /** The owner's successor list: its replica set as the lookup returned it, less the owner. */
    @JsonProperty
    List<NodeRef> successors() {
        List<NodeRef> set = result.replicaSet();
        return set.isEmpty() ? set : set.subList(1, set.size());
    }

    @JsonProperty
    int hops() {
        return result.hops();
    }

    @JsonProperty
    int timeouts() {
        return result.timeouts();
    }

    /** To the microsecond. */
    @JsonProperty
    double elapsedMs() {
        return Math.round(millis() * 1000) / 1000.0;
    }

    static String node(NodeRef n) {
        return n.id().toHex() + "  " + n.endpoint() + "#" + n.vnode();
    }

    private double millis() {
        return result.elapsed().toNanos() / 1e6;
    }
}
