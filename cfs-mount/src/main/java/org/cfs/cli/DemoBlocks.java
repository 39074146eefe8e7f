package org.cfs.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.PutResult;

/** The block part of {@code cfs demo}: small blocks stored through one host and read through another. */
final class DemoBlocks {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);

    private DemoBlocks() {
    }

    /**
     * Puts {@code count} text blocks, each through host i and read back through host i+1; returns
     * how many came back different.
     */
    static int run(List<ChordHost> hosts, List<DHash> dhash, int count, int replicas, PrintWriter out) {
        if (count == 0) {
            return 0;
        }
        awaitReplicaSets(hosts, replicas);
        out.printf("%n%d blocks, each stored through one host on %d replica hosts and read back through another:%n",
                count, replicas);
        int wrong = 0;
        for (int i = 0; i < count; i++) {
            byte[] text = ("block " + (i + 1) + " of the cfs demo\n").getBytes(StandardCharsets.UTF_8);
            int from = i % hosts.size();
            int to = (i + 1) % hosts.size();
            PutResult put = Await.result(dhash.get(from).put(new ContentBlock(text)), TIMEOUT,
                    "put of block " + (i + 1) + " via " + hosts.get(from).endpoint());
            Block read = Await.result(dhash.get(to).get(put.key()), TIMEOUT,
                    "get of block " + put.key() + " via " + hosts.get(to).endpoint());
            boolean ok = read instanceof ContentBlock c && Arrays.equals(c.data(), text);
            wrong += ok ? 0 : 1;
            String holders = put.holders().stream().map(n -> String.valueOf(n.endpoint().port()))
                    .collect(Collectors.joining(","));
            out.printf("  key %s  %d bytes  put via %s -> on ports %s (%d of %d)  read via %s  %s%n",
                    put.key().shortHex(), text.length, hosts.get(from).endpoint(), holders, put.holders().size(),
                    put.wanted(), hosts.get(to).endpoint(), ok ? "ok" : "WRONG");
        }
        out.println(wrong == 0 ? "every block read back verified and equal" : wrong + " blocks read back different");
        return wrong;
    }

    /**
     * A closed ring is not yet a ring of full successor lists: waits (bounded) until every vnode's
     * successors reach {@code replicas} hosts, so that puts land on all of them.
     */
    private static void awaitReplicaSets(List<ChordHost> hosts, int replicas) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !replicaSetsFull(hosts, replicas)) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailedException("interrupted while waiting for the successor lists", e);
            }
        }
    }

    private static boolean replicaSetsFull(List<ChordHost> hosts, int replicas) {
        for (ChordHost host : hosts) {
            for (ChordNode v : host.vnodes()) {
                Set<Endpoint> reached = new HashSet<>();
                reached.add(v.self().endpoint());
                v.successors().forEach(n -> reached.add(n.endpoint()));
                if (reached.size() < replicas) {
                    return false;
                }
            }
        }
        return true;
    }
}
