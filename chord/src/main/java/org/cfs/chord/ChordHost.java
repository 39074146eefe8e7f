package org.cfs.chord;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.cfs.chord.wire.ChordMessages.VnodeRequest;
import org.cfs.chord.wire.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host of the ring: a transport endpoint running one or more vnodes, which share its
 * transport and its scheduler thread. Requests for chord are dispatched to the vnode they name;
 * any other message goes to the service handler a layer above installs (DHash).
 *
 * <p>Life cycle: NEW, then {@link #start} (STARTING until every vnode has joined, then RUNNING),
 * then {@link #leave} or {@link #close} (CLOSING, CLOSED). {@code close()} is idempotent and
 * leaves no thread or socket behind.
 */
public final class ChordHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChordHost.class);
    private static final AtomicInteger HOSTS = new AtomicInteger();

    /** Where a host is in its life. */
    public enum State { NEW, STARTING, RUNNING, CLOSING, CLOSED }

    private final ChordConfig config;
    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final RandomGenerator random;
    private final Transport transport;
    private final List<Vnode> vnodes;
    private final List<ChordNode> nodes;
    private final MeterRegistry meterRegistry;
    private final RoundTrips roundTrips = new RoundTrips();
    private volatile Transport.RequestHandler serviceHandler;
    private volatile Predicate<Id> keyHolder = key -> false;
    private volatile State state = State.NEW;

    private ChordHost(Builder b) {
        this.config = b.config;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? SystemScheduler.create("chord-host-" + HOSTS.incrementAndGet()) : b.scheduler;
        this.random = b.random != null ? b.random : new SplittableRandom();
        this.transport = b.transportFactory.apply(this::handle);
        this.meterRegistry = b.meterRegistry;
        Rpc rpc = new Rpc(transport, scheduler, config.requestTimeout(), ChordMetrics.of(meterRegistry),
                roundTrips);
        Endpoint local = transport.local();
        List<Vnode> list = new ArrayList<>(b.vnodes);
        for (int v = 0; v < b.vnodes; v++) {
            list.add(new Vnode(NodeRef.of(local, v), this, rpc));
        }
        this.vnodes = List.copyOf(list);
        this.nodes = vnodes.stream().map(Vnode::api).toList();
        Gauge.builder("cfs.ring.vnodes.estimate", this, ChordHost::estimatedRingSize)
                .description("Vnodes in the ring, estimated from the spacing of this host's successor lists")
                .register(meterRegistry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every vnode: a new ring when {@code join} is null, otherwise joins the ring through the
     * host at {@code join}. Completes when every vnode has found its successor.
     */
    public CompletableFuture<Void> start(Endpoint join) {
        if (state != State.NEW) {
            throw new IllegalStateException("host " + endpoint() + " is " + state + ", not NEW");
        }
        state = State.STARTING;
        LOG.debug("host {} starting {} vnodes with {}", endpoint(), vnodes.size(), config);
        CompletableFuture<Void> started;
        if (join == null) {
            CompletableFuture<Void> first = CompletableFuture.runAsync(vnodes.get(0)::create, scheduler);
            NodeRef bootstrap = vnodes.get(0).self();
            started = first.thenCompose(ignored -> joinAll(vnodes.subList(1, vnodes.size()), bootstrap));
        } else {
            started = joinAll(vnodes, NodeRef.of(join, 0));
        }
        return started.whenComplete((ok, error) -> {
            if (error == null && state == State.STARTING) {
                state = State.RUNNING;
            }
        });
    }

    private static CompletableFuture<Void> joinAll(List<Vnode> joining, NodeRef bootstrap) {
        return CompletableFuture.allOf(joining.stream().map(v -> v.join(bootstrap)).toArray(CompletableFuture[]::new));
    }

    /** Leaves gracefully (every vnode tells its neighbours), then closes. */
    public CompletableFuture<Void> leave() {
        if (state == State.CLOSED || state == State.CLOSING) {
            return CompletableFuture.completedFuture(null);
        }
        state = State.CLOSING;
        // This may run on the scheduler's own thread; SystemScheduler.close() does not wait for itself.
        return CompletableFuture.allOf(vnodes.stream().map(Vnode::leave).toArray(CompletableFuture[]::new))
                .whenComplete((ok, error) -> close());
    }

    /** Stops at once without telling anyone, then releases the transport and threads. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        vnodes.forEach(Vnode::stop);
        transport.close();
        if (ownsScheduler && scheduler instanceof SystemScheduler s) {
            s.close();
        }
    }

    /**
     * Installs the application's answer to "does this host hold that key?", asked on every lookup
     * step a vnode here answers; lookups that want to may stop at a node that says yes. It runs on
     * the scheduler thread and must be quick (DHash: a look into its in-memory path cache).
     */
    public void setKeyHolder(Predicate<Id> holder) {
        this.keyHolder = holder == null ? key -> false : holder;
    }

    boolean holds(Id key) {
        return keyHolder.test(key);
    }

    /** Installs the handler for non-chord requests (the layer above). */
    public void setServiceHandler(Transport.RequestHandler handler) {
        this.serviceHandler = handler;
    }

    public List<ChordNode> vnodes() {
        return nodes;
    }

    public Endpoint endpoint() {
        return transport.local();
    }

    public State state() {
        return state;
    }

    public ChordConfig config() {
        return config;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Transport transport() {
        return transport;
    }

    /** The round trips this host measured to its peers; the layers above record theirs into it too. */
    public RoundTrips roundTrips() {
        return roundTrips;
    }

    /** Where this host's lookups are counted and timed; the layers above may record into it too. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * The ring's vnode count as this host sees it: a successor list that comes back round to its
     * vnode holds the whole ring; otherwise r successors spanning a fraction f of the id space
     * suggest r / f vnodes. Averaged over the host's vnodes; NaN before any has a successor.
     */
    public double estimatedRingSize() {
        double sum = 0;
        int counted = 0;
        for (ChordNode v : nodes) {
            List<NodeRef> successors = v.successors();
            if (successors.isEmpty()) {
                continue;
            }
            counted++;
            if (successors.size() < config.successors()) {
                sum += successors.size() + (successors.contains(v.self()) ? 0 : 1);
                continue;
            }
            double span = successors.get(successors.size() - 1).id().minus(v.self().id()).fraction();
            sum += span > 0 ? successors.size() / span : successors.size() + 1;
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    RandomGenerator random() {
        return random;
    }

    private CompletableFuture<? extends Message> handle(String fromHost, Message request) {
        if (request instanceof VnodeRequest vr) {
            int target = vr.target();
            if (target < 0 || target >= vnodes.size()) {
                return CompletableFuture.failedFuture(new RemoteException(RemoteException.NO_SUCH_VNODE,
                        "host " + endpoint() + " has no vnode " + target + " (it runs " + vnodes.size() + ")"));
            }
            Vnode v = vnodes.get(target);
            try {
                return CompletableFuture.supplyAsync(() -> v.handle(vr), scheduler);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(new RemoteException(RemoteException.NOT_READY,
                        "host " + endpoint() + " is closing"));
            }
        }
        Transport.RequestHandler service = serviceHandler;
        if (service == null) {
            return CompletableFuture.failedFuture(new RemoteException(RemoteException.UNSUPPORTED,
                    "host " + endpoint() + " does not serve " + request.getClass().getSimpleName()));
        }
        return service.handle(fromHost, request);
    }

    /** Settings for a host; the transport factory receives the host's request handler. */
    public static final class Builder {
        private ChordConfig config = ChordConfig.defaults();
        private int vnodes = 1;
        private Scheduler scheduler;
        private RandomGenerator random;
        private Function<Transport.RequestHandler, Transport> transportFactory;
        private MeterRegistry meterRegistry = ChordMetrics.DISCARDING;

        private Builder() {
        }

        public Builder config(ChordConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder vnodes(int count) {
            this.vnodes = count;
            return this;
        }

        /** The host's event loop; by default a new {@link SystemScheduler} the host closes. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Randomness for timer jitter; seed it for repeatable simulations. */
        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        /** Where lookups record ({@code cfs.lookup*}); by default a registry that keeps nothing. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        public Builder transport(Function<Transport.RequestHandler, Transport> factory) {
            this.transportFactory = factory;
            return this;
        }

        public ChordHost build() {
            if (vnodes < 1 || vnodes > config.maxVnodes()) {
                throw new IllegalArgumentException(
                        "vnodes is " + vnodes + ", must be in 1.." + config.maxVnodes());
            }
            Objects.requireNonNull(transportFactory, "a transport factory is required");
            return new ChordHost(this);
        }
    }
}
