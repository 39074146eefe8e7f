package org.cfs.cluster.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordHost;
import org.cfs.chord.ChordNode;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.RemoteException;
import org.cfs.chord.Transport;
import org.cfs.chord.sim.SimNetwork;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.Route;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.Message;
import org.cfs.dhash.DHashException;

/**
 * Malicious hosts in a simulated ring: a set of hosts that collude, each answering requests in
 * one bad way while keeping up ring maintenance, so that they stay in everybody's tables. The
 * behaviour sits around the host's request handler on the {@link SimNetwork}; {@link #restore}
 * makes the hosts honest again.
 *
 * <p>The adversary attacks lookups and reads, not ring maintenance: a host answers its own ring
 * neighbours (its predecessor and successors) honestly, as Castro et al. assume a secure
 * neighbour-set protocol; everybody else gets the lie.
 */
public final class Adversary {
    /**
     * Error code of a DHash "not found" refusal on the wire: DHash's error base (100) plus the
     * kind's code, as {@code DHashMessages} documents.
     */
    private static final int NOT_FOUND_CODE = 100 + DHashException.Kind.NOT_FOUND.code();

    /** The ways a malicious host misbehaves. */
    public enum Behaviour {
        /** Never answers a lookup step or a routed message. */
        DROP,
        /** Sends lookups on to the colluders nearest the key, and ends them at a colluding "owner". */
        MISROUTE,
        /** Claims itself and its colluders as the owner and replica set of every key. */
        LIE_OWNER,
        /** Says "not found" for every block it is asked for, though it stores them. */
        WITHHOLD;

        /** The behaviour of a command-line name such as {@code lie-owner}. */
        public static Behaviour parse(String name) {
            for (Behaviour b : values()) {
                if (b.label().equals(name.toLowerCase(Locale.ROOT))) {
                    return b;
                }
            }
            throw new IllegalArgumentException("behaviour '" + name + "' is not one of drop, misroute, lie-owner, withhold");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final SimNetwork network;
    private final Behaviour behaviour;
    private final int successors;
    private final TreeMap<Id, NodeRef> colluders = new TreeMap<>();
    private final Map<Endpoint, Transport.RequestHandler> honest = new HashMap<>();

    private Adversary(SimNetwork network, Behaviour behaviour, int successors) {
        this.network = network;
        this.behaviour = behaviour;
        this.successors = successors;
    }

    /**
     * Turns a random {@code fraction} of the ring's running hosts malicious in the given way;
     * exactly round(fraction x hosts) of them.
     */
    public static Adversary corrupt(SimRing ring, double fraction, Behaviour behaviour, SplittableRandom random) {
        if (fraction < 0 || fraction >= 1) {
            throw new IllegalArgumentException("malicious fraction " + fraction + " is outside [0, 1)");
        }
        List<ChordHost> hosts = new ArrayList<>(ring.hosts());
        int count = (int) Math.round(hosts.size() * fraction);
        Adversary adversary = new Adversary(ring.network(), behaviour, ring.successors());
        List<ChordHost> chosen = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chosen.add(hosts.remove(random.nextInt(hosts.size())));
        }
        for (ChordHost h : chosen) {
            h.vnodes().forEach(v -> adversary.colluders.put(v.self().id(), v.self()));
        }
        for (ChordHost h : chosen) {
            adversary.honest.put(h.endpoint(), ring.network().interpose(h.endpoint(), handler -> adversary.lying(h, handler)));
        }
        return adversary;
    }

    public Behaviour behaviour() {
        return behaviour;
    }

    /** How many vnodes collude. */
    public int size() {
        return colluders.size();
    }

    public boolean isMalicious(Endpoint host) {
        return honest.containsKey(host);
    }

    /** Makes every malicious host honest again. */
    public void restore() {
        honest.forEach((endpoint, handler) -> network.interpose(endpoint, lying -> handler));
        honest.clear();
    }

    private Transport.RequestHandler lying(ChordHost host, Transport.RequestHandler handler) {
        return (from, request) -> {
            ChordNode vnode = request instanceof FindStep s ? vnode(host, s.target())
                    : request instanceof GetNeighbours g ? vnode(host, g.target()) : null;
            switch (behaviour) {
                case DROP:
                    if (request instanceof FindStep || request instanceof Route) {
                        return new CompletableFuture<Message>();
                    }
                    break;
                case MISROUTE:
                    if (request instanceof FindStep s && vnode != null) {
                        return CompletableFuture.completedFuture(misroute(vnode.self(), s));
                    }
                    break;
                case LIE_OWNER:
                    if (request instanceof FindStep s && vnode != null) {
                        List<NodeRef> owners = new ArrayList<>();
                        owners.add(vnode.self());
                        owners.addAll(after(s.key(), successors - 1, vnode.self()));
                        return CompletableFuture.completedFuture(new StepReply(true, List.of(), owners, false));
                    }
                    if (request instanceof GetNeighbours && vnode != null && !isNeighbour(vnode, from)) {
                        return CompletableFuture.completedFuture(
                                new Neighbours(vnode.self(), null, after(vnode.self().id(), successors, vnode.self())));
                    }
                    break;
                case WITHHOLD:
                    // DHash's messages are private to it; the reads are known by their wire names.
                    String name = request.getClass().getSimpleName();
                    if (name.equals("FetchBlock") || name.equals("Probe")) {
                        return CompletableFuture.failedFuture(new RemoteException(NOT_FOUND_CODE,
                                "block not found on " + host.endpoint()));
                    }
                    break;
            }
            return handler.handle(from, request);
        };
    }

    /** Colluders strictly between the asked node and the key, nearest the key first; else "done" at colluders. */
    private StepReply misroute(NodeRef self, FindStep step) {
        List<NodeRef> closer = new ArrayList<>();
        var below = colluders.headMap(step.key(), false).descendingMap().values().iterator();
        var wrapped = colluders.descendingMap().values().iterator();
        for (int seen = 0; seen < colluders.size() && closer.size() < step.max(); seen++) {
            NodeRef n = below.hasNext() ? below.next() : wrapped.next();
            if (!n.id().inOpen(self.id(), step.key())) {
                break;
            }
            closer.add(n);
        }
        List<NodeRef> succs = after(self.id(), successors, self);
        if (closer.isEmpty()) {
            return new StepReply(true, List.of(), after(step.key(), successors, self), false);
        }
        return new StepReply(false, closer, succs, false);
    }

    /** Up to {@code n} colluders at or past {@code from} in ring order, never {@code self}. */
    private List<NodeRef> after(Id from, int n, NodeRef self) {
        List<NodeRef> out = new ArrayList<>(n);
        var tail = colluders.tailMap(from, true).values().iterator();
        var wrapped = colluders.values().iterator();
        for (int seen = 0; seen < colluders.size() && out.size() < n; seen++) {
            NodeRef c = tail.hasNext() ? tail.next() : wrapped.next();
            if (!c.equals(self)) {
                out.add(c);
            }
        }
        return out;
    }

    private static ChordNode vnode(ChordHost host, int index) {
        for (ChordNode v : host.vnodes()) {
            if (v.self().vnode() == index) {
                return v;
            }
        }
        return null;
    }

    private static boolean isNeighbour(ChordNode vnode, String fromHost) {
        if (vnode.predecessor().map(p -> p.endpoint().host().equals(fromHost)).orElse(false)) {
            return true;
        }
        return vnode.successors().stream().anyMatch(s -> s.endpoint().host().equals(fromHost));
    }
}
