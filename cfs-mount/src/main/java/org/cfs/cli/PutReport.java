package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.io.PrintWriter;
import java.util.List;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.PutResult;

/**
 * Where one put landed, as lines for people (the key alone on the first) and as one line of JSON:
 * {"key":..,"holders":[{"id","host","port","vnode"},..],"wanted":..,"complete":..,"bytes":..,"via":..}.
 */
record PutReport(@JsonUnwrapped PutResult result, long bytes, Endpoint via) implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        out.println(result.key().toHex());
        List<NodeRef> holders = result.holders();
        out.printf("stored %d bytes on %d of %d replica hosts:%n", bytes, holders.size(), result.wanted());
        for (int i = 0; i < holders.size(); i++) {
            out.printf("  %2d. %s%n", i + 1, LookupReport.node(holders.get(i)));
        }
    }
}
