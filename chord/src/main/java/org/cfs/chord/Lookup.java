package org.cfs.chord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.GetNeighbours;
import org.cfs.chord.wire.ChordMessages.Neighbours;
import org.cfs.chord.wire.ChordMessages.StepReply;

/**
 * One iterative lookup, driven by the asking side. It keeps the candidates it has heard of ordered
 * by closeness to the key, asks the closest one not yet asked, and on a timeout drops that node
 * and goes on with the next best. When a node answers that the key lies before its successor, the
 * lookup confirms the owner by asking it for its neighbours (which also yields the replica set),
 * falling back along the answerer's successor list while owners prove dead.
 *
 * <p>After failures the live node closest before the key may still point at dead nodes, so nobody
 * answers "done". The lookup therefore remembers the live answerer closest to the key and its
 * successor list; once every candidate between that node and the key has proved dead, the owner
 * is the first live node of that list past the key.
 *
 * <p>An answer whose successor list reaches past the key names the owner just as a "done" answer
 * does, and the lookup goes to confirm it at once rather than on to the key's predecessor: those
 * last hops add nothing the list did not already say. The owner's predecessor check in confirm
 * catches a node that joined in between and is not in the list yet.
 *
 * <p>With secure routing on, every answer's successor list must pass the {@link IdDensity} test
 * against this node's own: an answer that fails is not used and its sender becomes a suspect. An
 * owner whose own successor list fails is answered by combining that list with the one that named
 * the owner. {@link SecureLookup} tests the final answer and retries over other routes.
 */
final class Lookup {
    /**
     * How often, at least, the owner's predecessor may redirect the lookup towards the key: to a
     * node that joined in between, or one the answer skipped. The bound is a successor list's
     * length when that is longer ({@link #maxRedirects}).
     */
    private static final int MIN_REDIRECTS = 4;
    /**
     * Tries at the owner before passing it over. Declaring a live owner dead returns a wrong owner,
     * unlike a dead routing step, which only costs a detour; one lost reply should not do that.
     */
    private static final int OWNER_ATTEMPTS = 2;
    /**
     * Tries at a client's seed while it is the only node the lookup knows. Its first request also
     * sets up the connection, which on a loaded machine can outlast one request timeout; passing
     * over the only seed would fail the lookup outright.
     */
    private static final int SEED_ATTEMPTS = 2;

    /** What the asking side contributes when it is itself a ring member. */
    interface Origin {
        /** This node's own answer to a step for the key, or null for a client with no tables. */
        StepReply localStep(Id key);

        /** This node, or null for a client. */
        NodeRef self();

        /** This node's neighbours, for when it turns out to own the key. */
        Neighbours localNeighbours();

        /** A peer did not answer: drop it from local tables. */
        void peerDied(NodeRef node);
    }

    private final Id key;
    private final Rpc rpc;
    private final ChordConfig config;
    private final Origin origin;
    private final long startNanos;
    private final TreeSet<NodeRef> candidates;
    private final Set<Id> asked = new HashSet<>();
    private final Set<Id> dead = new HashSet<>();
    private final CompletableFuture<LookupResult> result = new CompletableFuture<>();
    private Scheduler.Timer watchdog;
    private int hops;
    private int timeouts;
    private int redirects;
    private boolean disputed;
    private int seedAttempts = 1;
    private final List<NodeRef> path = new ArrayList<>();
    private NodeRef best;
    private List<NodeRef> bestSuccessors = List.of();
    private boolean bestExhausted;
    /** Why the last node that did not answer failed: the lookup's reason when nobody answered. */
    private Throwable lastFailure;

    private final boolean stopAtHolder;
    /**
     * The asker's own density: its successor list's, or for a client the list of its seed, which
     * it trusts; null with secure routing off, or until a client's seed answered.
     */
    private IdDensity own;
    /** The density answers are tested against: the host's {@link DensityReference} around {@link #own}. */
    private IdDensity reference;
    /** Answerers whose answers failed the density test. */
    private final Set<Id> suspects = new HashSet<>();
    /** Their answers, used only when no trusted way on is left: an honest node may fail the test by chance. */
    private final List<NodeRef> deferredFrom = new ArrayList<>();
    private final List<StepReply> deferred = new ArrayList<>();
    /** The node whose "done" answer named the owner this lookup returned. */
    private NodeRef namedOwner;

    private Lookup(Id key, Rpc rpc, ChordConfig config, Origin origin, boolean stopAtHolder, Set<Id> avoid,
                   IdDensity own) {
        this.stopAtHolder = stopAtHolder;
        this.own = own;
        this.reference = rpc.density().reference(own);
        this.asked.addAll(avoid);
        this.key = key;
        this.rpc = rpc;
        this.config = config;
        this.origin = origin;
        this.startNanos = rpc.scheduler().nanoTime();
        Comparator<NodeRef> closestFirst = Comparator.comparing(NodeRef::id, Id.nearestBefore(key));
        this.candidates = new TreeSet<>(closestFirst);
        rpc.metrics().started();
    }

    /** Starts a lookup on the scheduler's thread from a ring member's own tables. */
    static CompletableFuture<LookupResult> fromNode(Id key, Rpc rpc, ChordConfig config, Origin origin,
                                                    boolean stopAtHolder) {
        if (config.secureRouting()) {
            return SecureLookup.fromNode(key, rpc, config, origin, stopAtHolder);
        }
        Lookup lookup = new Lookup(key, rpc, config, origin, stopAtHolder, Set.of(), null);
        lookup.launch(lookup::startLocal);
        return lookup.result;
    }

    /** Starts a lookup from outside the ring, through {@code seeds}. */
    static CompletableFuture<LookupResult> fromSeeds(Id key, Rpc rpc, ChordConfig config, List<NodeRef> seeds,
                                                     Origin origin) {
        if (config.secureRouting()) {
            return SecureLookup.fromSeeds(key, rpc, config, seeds, origin);
        }
        return attempt(key, rpc, config, seeds, origin, Set.of(), null).result;
    }

    /** One secure lookup from this node's tables: {@code own} is its successor list's density, or null. */
    static Lookup attemptLocal(Id key, Rpc rpc, ChordConfig config, Origin origin, boolean stopAtHolder,
                               IdDensity own) {
        Lookup lookup = new Lookup(key, rpc, config, origin, stopAtHolder, Set.of(), own);
        lookup.launch(lookup::startLocal);
        return lookup;
    }

    /**
     * One lookup through {@code seeds}, never asking a node of {@code avoid}; with {@code own}
     * null and secure routing on, the first answer (the seed's, which the asker trusts) sets it.
     */
    static Lookup attempt(Id key, Rpc rpc, ChordConfig config, List<NodeRef> seeds, Origin origin, Set<Id> avoid,
                          IdDensity own) {
        Lookup lookup = new Lookup(key, rpc, config, origin, false, avoid, own);
        lookup.launch(() -> {
            lookup.armWatchdog();
            lookup.candidates.addAll(seeds);
            lookup.next();
        });
        return lookup;
    }

    CompletableFuture<LookupResult> result() {
        return result;
    }

    /** The density this lookup tested answers against at its end; null if it had none. */
    IdDensity reference() {
        return reference;
    }

    /** The asker's own density this lookup started from, or a client's seed's; null if it had none. */
    IdDensity own() {
        return own;
    }

    /** Nodes whose answers failed the test, and the node that named the owner: where a retry should not go. */
    Set<Id> distrusted() {
        Set<Id> out = new HashSet<>(suspects);
        if (namedOwner != null && (origin == null || !namedOwner.equals(origin.self()))) {
            out.add(namedOwner.id());
        }
        return out;
    }

    /**
     * True if the owner's predecessor still lay between the key and the owner when redirects ran
     * out: the answer skipped live nodes, and {@link SecureLookup} treats it as suspect.
     */
    boolean disputed() {
        return disputed;
    }

    /** Nodes found dead on the way. */
    Set<Id> dead() {
        return dead;
    }

    private void launch(Runnable start) {
        try {
            rpc.scheduler().execute(start);
        } catch (RejectedExecutionException e) {
            rpc.metrics().failed();
            result.completeExceptionally(new LookupException("lookup of " + key + " refused: the host is closed", 0, 0));
        }
    }

    private void startLocal() {
        armWatchdog();
        answered(origin.self(), origin.localStep(key));
    }

    private void armWatchdog() {
        watchdog = rpc.scheduler().schedule(config.lookupDeadline(), () -> fail(
                "lookup of " + key + " exceeded its " + config.lookupDeadline().toMillis() + " ms deadline"));
    }

    private void next() {
        if (result.isDone()) {
            return;
        }
        NodeRef c = candidates.pollFirst();
        while (c != null && (asked.contains(c.id()) || dead.contains(c.id()) || !closerThanBest(c))) {
            c = candidates.pollFirst();
        }
        if (c == null) {
            pastDeadPredecessors();
            return;
        }
        NodeRef asking = c;
        asked.add(asking.id());
        rpc.call(asking, new FindStep(asking.vnode(), key, config.lookupCandidates()), StepReply.class)
                .whenComplete((step, error) -> {
                    if (result.isDone()) {
                        return;
                    }
                    if (error != null) {
                        if (best == null && candidates.isEmpty() && seedAttempts < SEED_ATTEMPTS && timedOut(error)) {
                            seedAttempts++;
                            timeouts++;
                            asked.remove(asking.id());
                            candidates.add(asking);
                        } else {
                            noAnswer(asking, error);
                        }
                        next();
                        return;
                    }
                    hops++;
                    path.add(asking);
                    if (stopAtHolder && step.holds()) {
                        finish();
                        rpc.metrics().succeeded(hops, elapsed());
                        result.complete(new LookupResult(key, null, List.of(), hops, timeouts, elapsed(), path, asking));
                        return;
                    }
                    answered(asking, step);
                });
    }

    private void answered(NodeRef answerer, StepReply step) {
        if (config.secureRouting() && (rpc.suspects().contains(answerer.id()) || !trusted(answerer, step))) {
            suspects.add(answerer.id());
            deferredFrom.add(answerer);
            deferred.add(step);
            next();
            return;
        }
        use(answerer, step);
    }

    private void use(NodeRef answerer, StepReply step) {
        if (step.done()) {
            namedOwner = answerer;
            confirm(answerer, step.successors(), 0, 1);
            return;
        }
        if (best == null || answerer.id().inOpen(best.id(), key)) {
            best = answerer;
            bestSuccessors = step.successors();
            bestExhausted = false;
        }
        considerCloser(answerer, step.closer());
        considerCloser(answerer, step.successors());
        int owner = ownerIndex(key, answerer.id(), step.successors());
        if (owner >= 0) {
            // If every owner it names proves dead, confirm goes on with the candidates just added.
            namedOwner = answerer;
            List<NodeRef> succs = step.successors();
            confirm(answerer, succs.subList(owner, succs.size()), 0, 1);
            return;
        }
        next();
    }

    /**
     * Where in {@code successors} (those of the node at {@code from}, in ring order) the owner of
     * {@code key} is, or -1 if the list ends before the key. With proximity routing lookups and
     * routed messages go there at once rather than on to the key's predecessor: the last hops,
     * which proximity cannot shorten, are skipped.
     */
    static int ownerIndex(Id key, Id from, List<NodeRef> successors) {
        Id at = from;
        for (int i = 0; i < successors.size(); i++) {
            Id next = successors.get(i).id();
            if (key.inHalfOpen(at, next)) {
                return i;
            }
            at = next;
        }
        return -1;
    }

    /** The density test of secure routing; a client's first answer (from its seed) sets the reference. */
    private boolean trusted(NodeRef answerer, StepReply step) {
        if (origin != null && answerer.equals(origin.self())) {
            return true;
        }
        if (reference == null) {
            if (origin == null || origin.self() == null) {
                own = IdDensity.of(answerer.id(), step.successors());
                reference = rpc.density().reference(own);
            }
            return true;
        }
        List<NodeRef> list = step.successors();
        if (list.isEmpty()) {
            return true;
        }
        // One gap for both the test and the host's reference: this runs for every step answer.
        double gap = IdDensity.meanGap(answerer.id(), list);
        if (!reference.admitsGap(gap)) {
            return false;
        }
        if (list.size() >= IdDensity.MIN_REFERENCE && rpc.density().sample(gap)) {
            // A new host's reference is a handful of lists, at first only its seed's: each list
            // admitted on the way makes the rest of this lookup's tests sharper.
            reference = rpc.density().reference(own);
        }
        return true;
    }

    private boolean closerThanBest(NodeRef c) {
        return best == null || c.id().inOpen(best.id(), key);
    }

    /**
     * Every node known between the best answerer and the key is dead: the owner is the first live
     * successor of the best answerer at or past the key.
     */
    private void pastDeadPredecessors() {
        if ((best == null || bestExhausted) && !deferred.isEmpty()) {
            int last = deferred.size() - 1;
            NodeRef answerer = deferredFrom.remove(last);
            use(answerer, deferred.remove(last));
            return;
        }
        if (best == null || bestExhausted) {
            // With no answer at all the node asked first is the problem (a wrong address, a node
            // that is down), and its failure says which; after answers it is only the last casualty.
            fail("lookup of " + key + " ran out of live nodes to ask", hops == 0 ? lastFailure : null);
            return;
        }
        bestExhausted = true;
        List<NodeRef> beyond = new ArrayList<>(bestSuccessors.size());
        for (NodeRef s : bestSuccessors) {
            if (!s.id().inOpen(best.id(), key)) {
                beyond.add(s);
            }
        }
        confirm(best, beyond, 0, 1);
    }

    /** Keeps only nodes strictly between the answerer and the key: anything else is no progress. */
    private void considerCloser(NodeRef answerer, List<NodeRef> nodes) {
        for (NodeRef n : nodes) {
            if (n.id().inOpen(answerer.id(), key) && !asked.contains(n.id()) && !dead.contains(n.id())) {
                candidates.add(n);
            }
        }
    }

    /** {@code answerer} says the key lies before its successors {@code owners}: find the first live one. */
    private void confirm(NodeRef answerer, List<NodeRef> owners, int index, int attempt) {
        if (result.isDone()) {
            return;
        }
        int i = index;
        while (i < owners.size() && dead.contains(owners.get(i).id())) {
            i++;
        }
        if (i == owners.size()) {
            next();
            return;
        }
        NodeRef owner = owners.get(i);
        NodeRef self = origin == null ? null : origin.self();
        if (owner.equals(self)) {
            // We may know better than the answerer: a node that just joined before us notifies us
            // first and its predecessor, the answerer, only at its next stabilize.
            Neighbours own = origin.localNeighbours();
            if (!redirected(answerer, owners, i, owner, own.predecessor())) {
                succeed(owner, own.successors());
            }
            return;
        }
        int at = i;
        int nextIndex = i + 1;
        rpc.call(owner, new GetNeighbours(owner.vnode()), Neighbours.class).whenComplete((nb, error) -> {
            if (result.isDone()) {
                return;
            }
            if (error != null) {
                TransportException te = TransportException.unwrap(error);
                if (attempt < OWNER_ATTEMPTS && te != null && te.reason() == TransportException.Reason.TIMEOUT) {
                    timeouts++;
                    confirm(answerer, owners, at, attempt + 1);
                    return;
                }
                noAnswer(owner, error);
                confirm(answerer, owners, nextIndex, 1);
                return;
            }
            hops++;
            if (redirected(answerer, owners, at, owner, nb.predecessor())) {
                return;
            }
            if (reference != null && !reference.admits(owner.id(), nb.successors())) {
                // The owner's own list is suspect: what named it is another witness of the replicas.
                List<NodeRef> own = new ArrayList<>(nb.successors().size() + 1);
                own.add(owner);
                own.addAll(nb.successors());
                List<NodeRef> both = IdDensity.combine(key, List.of(own, owners.subList(at, owners.size())), dead,
                        config.successors() + 1);
                succeed(both.get(0), both.subList(1, both.size()));
                return;
            }
            succeed(owner, nb.successors());
        });
    }

    /**
     * If {@code p}, the predecessor of {@code owner}, lies between the answerer and the owner and
     * owns the key, a node joined there that the answerer has not heard of yet, or the answer
     * skipped it: confirms it instead, falling back to the owners from {@code at}, and returns
     * true. Past {@link #maxRedirects} such nodes the owner is kept but the answer is
     * {@link #disputed}.
     */
    private boolean redirected(NodeRef answerer, List<NodeRef> owners, int at, NodeRef owner, NodeRef p) {
        if (p == null || answerer == null || dead.contains(p.id())
                || !p.id().inOpen(answerer.id(), owner.id()) || !key.inHalfOpen(answerer.id(), p.id())) {
            return false;
        }
        if (redirects >= maxRedirects()) {
            // More nodes lie between the key and the owner than joins explain: the answer that
            // named it skipped them, or lost replies made them look dead.
            disputed = true;
            return false;
        }
        redirects++;
        List<NodeRef> redirected = new ArrayList<>(owners.size() + 1);
        redirected.add(p);
        redirected.addAll(owners.subList(at, owners.size()));
        confirm(answerer, redirected, 0, 1);
        return true;
    }

    /**
     * Each redirect goes to a node strictly between the key and the owner before it, so a liar
     * cannot make the walk longer than the nodes there; an answer as dense as an honest one skips
     * at most about a successor list's worth of them.
     */
    private int maxRedirects() {
        return Math.max(MIN_REDIRECTS, config.successors());
    }

    private static boolean timedOut(Throwable error) {
        TransportException te = TransportException.unwrap(error);
        return te != null && te.reason() == TransportException.Reason.TIMEOUT;
    }

    private void noAnswer(NodeRef node, Throwable error) {
        TransportException te = TransportException.unwrap(error);
        if (te != null && te.reason() == TransportException.Reason.TIMEOUT) {
            timeouts++;
        }
        dead.add(node.id());
        lastFailure = error;
        if (origin != null) {
            origin.peerDied(node);
        }
    }

    private void succeed(NodeRef owner, List<NodeRef> ownerSuccessors) {
        List<NodeRef> replicas = new ArrayList<>(ownerSuccessors.size() + 1);
        replicas.add(owner);
        for (NodeRef s : ownerSuccessors) {
            if (!s.equals(owner)) {
                replicas.add(s);
            }
        }
        finish();
        Duration elapsed = elapsed();
        rpc.metrics().succeeded(hops, elapsed);
        result.complete(new LookupResult(key, owner, replicas, hops, timeouts, elapsed, path, null));
    }

    private void fail(String why) {
        fail(why, null);
    }

    private void fail(String why, Throwable cause) {
        if (result.isDone()) {
            return;
        }
        finish();
        rpc.metrics().failed();
        result.completeExceptionally(new LookupException(why, hops, timeouts, cause));
    }

    private void finish() {
        if (watchdog != null) {
            watchdog.cancel();
        }
    }

    private Duration elapsed() {
        return Duration.ofNanos(rpc.scheduler().nanoTime() - startNanos);
    }
}
