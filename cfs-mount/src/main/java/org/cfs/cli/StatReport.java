package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.PrintWriter;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.dhash.BlockStat;

/**
 * Who stores and who caches one block, as a table for people and as one line of JSON:
 * {"key":..,"via":..,"replicas":..,"storedReplicas":..,"nodes":[{"id","host","port","vnode",
 * "replica","stored","cached","error"},..]}.
 */
@JsonPropertyOrder({"key", "via", "replicas", "storedReplicas", "nodes"})
record StatReport(@JsonIgnore BlockStat stat, int replicas, Endpoint via) implements CommandReport {

    String headline() {
        long cachedElsewhere = stat.nodes().stream().filter(h -> !h.replica() && h.cached()).count();
        return "block " + stat.key().toHex() + ": stored on " + stat.storedReplicas() + " of " + replicas
                + " replica hosts" + (cachedElsewhere == 0 ? ""
                : ", cached on " + cachedElsewhere + " other node" + (cachedElsewhere == 1 ? "" : "s"));
    }

    /** The headline, then one line per node asked: the replica set in ring order, then the lookup path. */
    @Override
    public void print(PrintWriter out) {
        out.println(headline());
        int position = 0;
        for (BlockStat.Holder h : stat.nodes()) {
            String role = h.replica() ? String.format("replica %2d.", ++position) : "path       ";
            out.printf("  %s %-60s  %s%n", role, LookupReport.node(h.node()), state(h));
        }
    }

    private static String state(BlockStat.Holder h) {
        if (h.error() != null) {
            return "no answer: " + h.error();
        }
        if (h.stored()) {
            return h.cached() ? "stored, cached" : "stored";
        }
        return h.cached() ? "cached" : h.replica() ? "MISSING" : "-";
    }

    @JsonProperty
    Id key() {
        return stat.key();
    }

    @JsonProperty
    long storedReplicas() {
        return stat.storedReplicas();
    }

    /** Each as its node's fields then "replica", "stored", "cached" and "error". */
    @JsonProperty
    List<BlockStat.Holder> nodes() {
        return stat.nodes();
    }
}
