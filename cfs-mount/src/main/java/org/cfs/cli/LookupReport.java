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

/**
 * The answer to one lookup, as lines for people and as one line of JSON:
 * {"key":..,"hashedFrom":..,"via":..,"owner":{..},"replicas":[..],"hops":..,"timeouts":..,"elapsedMs":..}.
 */
@JsonPropertyOrder({"key", "hashedFrom", "via", "owner", "replicas", "hops", "timeouts", "elapsedMs"})
record LookupReport(@JsonUnwrapped LookupKey key, Endpoint via, @JsonIgnore LookupResult result)
        implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        out.println("key       " + key.describe());
        out.println("owner     " + node(result.owner()));
        List<NodeRef> replicas = result.replicaSet();
        for (int i = 0; i < replicas.size(); i++) {
            out.printf("%-9s %2d. %s%n", i == 0 ? "replicas" : "", i + 1, node(replicas.get(i)));
        }
        out.println("hops      " + result.hops());
        out.println("timeouts  " + result.timeouts());
        out.printf("time      %.1f ms (via %s)%n", millis(), via);
    }

    @JsonProperty
    NodeRef owner() {
        return result.owner();
    }

    @JsonProperty
    List<NodeRef> replicas() {
        return result.replicaSet();
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
