package org.cfs.cli;

import java.io.PrintWriter;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;

/** The answer to one lookup, as lines for people and as one line of JSON. */
record LookupReport(LookupKey key, Endpoint via, LookupResult result) implements CommandReport {

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

    /** {"key":..,"hashedFrom":..,"via":..,"owner":{..},"replicas":[..],"hops":..,"timeouts":..,"elapsedMs":..} */
    @Override
    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject().name("key").value(key.id().toHex());
        if (key.hashedFrom() != null) {
            json.name("hashedFrom").value(key.hashedFrom());
        }
        json.name("via").value(via.toString()).name("owner");
        RingReport.writeNode(json, result.owner());
        json.name("replicas").beginArray();
        for (NodeRef n : result.replicaSet()) {
            RingReport.writeNode(json, n);
        }
        return json.endArray()
                .name("hops").value(result.hops())
                .name("timeouts").value(result.timeouts())
                .name("elapsedMs").value(Math.round(millis() * 1000) / 1000.0)
                .endObject().toString();
    }

    static String node(NodeRef n) {
        return n.id().toHex() + "  " + n.endpoint() + "#" + n.vnode();
    }

    private double millis() {
        return result.elapsed().toNanos() / 1e6;
    }
}
