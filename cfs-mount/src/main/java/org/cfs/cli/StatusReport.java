package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.DHashMessages.NodeStatus;
import org.cfs.dhash.DHashMessages.VnodeStatus;

/**
 * One node's status as lines for people and as one line of JSON: {"node", "software",
 * "uptimeSeconds", "blocks", "bytes", "capacity", "cachedBytes", "maintenanceRounds",
 * "sinceMaintenanceSeconds", "lastMaintenanceSeconds" (both null before the first round),
 * "vnodes":[{"self", "predecessor", "successors", "fingers"}, ..]}, nodes as {"id","host","port","vnode"}.
 */
@JsonPropertyOrder({"node", "software", "uptimeSeconds", "blocks", "bytes", "capacity", "cachedBytes",
        "maintenanceRounds", "sinceMaintenanceSeconds", "lastMaintenanceSeconds", "vnodes"})
record StatusReport(Endpoint node, @JsonIgnore NodeStatus status) implements CommandReport {
    /** Successors shown per vnode in the table; --json has them all. */
    private static final int SHOWN_SUCCESSORS = 3;

    @Override
    public void print(PrintWriter out) {
        out.printf("node %s: %s, up %s%n", node, status.software(), span(status.uptime()));
        String share = status.capacity() == 0 ? ""
                : String.format(Locale.ROOT, " (%.1f%%)", 100.0 * status.bytes() / status.capacity());
        out.printf("  %-12s %s, %s of %s%s%n", "store", NodeStorage.blocks(status.blocks()),
                ByteSize.of(status.bytes()), ByteSize.of(status.capacity()), share);
        out.printf("  %-12s %s%n", "path cache", ByteSize.of(status.cachedBytes()));
        out.printf("  %-12s %s%n", "maintenance", status.sinceMaintenance() == null
                ? "no round finished yet"
                : status.maintenanceRounds() + (status.maintenanceRounds() == 1 ? " round" : " rounds")
                        + ", the last ended " + span(status.sinceMaintenance()) + " ago and took "
                        + span(status.lastMaintenance()));
        out.printf("  %-5s  %-40s  %-24s  %-8s  %-7s  %s%n", "vnode", "id", "predecessor", "fingers", "succ",
                "first successors");
        for (VnodeStatus v : status.vnodes()) {
            out.printf("  %-5d  %s  %-24s  %-8d  %-7d  %s%n", v.self().vnode(), v.self().id().toHex(),
                    v.predecessor() == null ? "(none)" : address(v.predecessor()), v.fingers().size(),
                    v.successors().size(), v.successors().stream().limit(SHOWN_SUCCESSORS)
                            .map(StatusReport::address).collect(Collectors.joining(" ")));
        }
    }

    private static String address(NodeRef n) {
        return n.endpoint() + "#" + n.vnode();
    }

    /** "850 ms", "12.5 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
    static String span(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        if (s < 86_400) {
            return s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
    }

    @JsonProperty
    String software() {
        return status.software();
    }

    @JsonProperty
    double uptimeSeconds() {
        return seconds(status.uptime());
    }

    @JsonProperty
    long blocks() {
        return status.blocks();
    }

    @JsonProperty
    long bytes() {
        return status.bytes();
    }

    @JsonProperty
    long capacity() {
        return status.capacity();
    }

    @JsonProperty
    long cachedBytes() {
        return status.cachedBytes();
    }

    @JsonProperty
    long maintenanceRounds() {
        return status.maintenanceRounds();
    }

    @JsonProperty
    Double sinceMaintenanceSeconds() {
        return status.sinceMaintenance() == null ? null : seconds(status.sinceMaintenance());
    }

    @JsonProperty
    Double lastMaintenanceSeconds() {
        return status.lastMaintenance() == null ? null : seconds(status.lastMaintenance());
    }

    @JsonProperty
    List<VnodeStatus> vnodes() {
        return status.vnodes();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
