package org.cfs.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.ChordClient;
import org.cfs.chord.ChordClient.RingWalk;
import org.cfs.chord.ChordHost;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.DHash;
import org.cfs.dhash.DHashMessages.NodeStatus;
import org.cfs.gateway.Gateway;

/**
 * A node's status page on its {@code --http} address: {@code /} is a page that draws the ring and
 * refreshes itself from {@code /api/status}, this node's own view ({@code cfs status --json}'s
 * fields and the keys its last maintenance round found under k copies) with the ring as a successor walk from this node found it (walked at most every
 * {@link #WALK_EVERY}) and the last problems this page met (walks that did not close, a view that
 * could not be read).
 */
final class NodeDashboard implements Gateway.Pages {
    static final Duration WALK_EVERY = Duration.ofSeconds(2);
    static final Duration WAIT = Duration.ofSeconds(5);
    /** Most vnodes a walk visits: the page draws every one. */
    static final int MAX_WALK = 1 << 16;
    static final int KEPT_ERRORS = 20;

    private final ChordHost host;
    private final DHash dhash;
    private final ChordClient walker;
    private final byte[] page;
    private final Deque<ObjectNode> errors = new ArrayDeque<>();
    private RingWalk walk;
    private long walkedAtNanos;

    NodeDashboard(ChordHost host, DHash dhash) {
        this.host = host;
        this.dhash = dhash;
        this.walker = new ChordClient(host.transport(), host.scheduler(), host.config());
        try (InputStream in = NodeDashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the jar");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<Gateway.Page> page(String path) {
        return switch (path) {
            case "/", "/index.html" -> Optional.of(new Gateway.Page("text/html; charset=utf-8", page));
            case "/api/status" -> Optional.of(new Gateway.Page("application/json",
                    status().getBytes(StandardCharsets.UTF_8)));
            default -> Optional.empty();
        };
    }

    /** This node's view, the ring walk and the recent problems, as one JSON object. */
    synchronized String status() {
        ObjectNode out;
        try {
            NodeStatus view = CompletableFuture.supplyAsync(dhash::status, host.scheduler())
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            out = Json.tree(new StatusReport(host.endpoint(), view));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            problem("this node's own view could not be read: " + e);
            out = Json.tree(new Object());
            out.put("node", host.endpoint().toString());
            out.putArray("vnodes");
        }
        long underK = dhash.replicasUnderK();
        if (underK < 0) {
            out.putNull("replicasUnderK");
        } else {
            out.put("replicasUnderK", underK);
        }
        RingWalk ring = walk();
        ObjectNode r = out.putObject("ring");
        r.put("closed", ring.closed());
        r.put("problem", ring.problem());
        r.set("nodes", Json.tree(new Nodes(ring.nodes())).get("nodes"));
        out.putArray("errors").addAll(new ArrayList<>(errors));
        return out.toString();
    }

    /** The vnodes as JSON needs them. */
    private record Nodes(List<NodeRef> nodes) {
    }

    private RingWalk walk() {
        long now = System.nanoTime();
        if (walk != null && now - walkedAtNanos < WALK_EVERY.toNanos()) {
            return walk;
        }
        RingWalk w;
        try {
            w = walker.walk(host.endpoint(), MAX_WALK).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            w = new RingWalk(List.of(), false, "the walk did not finish within " + WAIT.toSeconds() + " s: " + e);
        }
        if (!w.closed() && (walk == null || walk.closed() || !w.problem().equals(walk.problem()))) {
            problem("ring walk: " + w.problem());
        }
        walk = w;
        walkedAtNanos = now;
        return w;
    }

    private void problem(String message) {
        ObjectNode e = Json.tree(new Object());
        e.put("time", Instant.now().toString());
        e.put("message", message);
        errors.addFirst(e);
        while (errors.size() > KEPT_ERRORS) {
            errors.removeLast();
        }
    }
}
