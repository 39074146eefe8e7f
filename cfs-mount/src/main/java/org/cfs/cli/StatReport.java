package org.cfs.cli;

import java.io.PrintWriter;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.BlockStat;

/** Who stores and who caches one block, as a table for people and as one line of JSON. */
record StatReport(BlockStat stat, int replicas, Endpoint via) implements CommandReport {

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

    /**
     * {"key":..,"via":..,"replicas":..,"storedReplicas":..,"nodes":[{"id","host","port","vnode",
     * "replica","stored","cached","error"},..]}
     */
    @Override
    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject()
                .name("key").value(stat.key().toHex())
                .name("via").value(via.toString())
                .name("replicas").value(replicas)
                .name("storedReplicas").value(stat.storedReplicas())
                .name("nodes").beginArray();
        for (BlockStat.Holder h : stat.nodes()) {
            NodeRef n = h.node();
            json.beginObject()
                    .name("id").value(n.id().toHex())
                    .name("host").value(n.endpoint().host())
                    .name("port").value(n.endpoint().port())
                    .name("vnode").value(n.vnode())
                    .name("replica").value(h.replica())
                    .name("stored").value(h.stored())
                    .name("cached").value(h.cached())
                    .name("error").value(h.error())
                    .endObject();
        }
        return json.endArray().endObject().toString();
    }
}
