package org.cfs.cluster.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.BlockLoad;
import org.cfs.cluster.RingOracle;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHash;
import org.cfs.dhash.PutResult;

/**
 * What the lab's {@code netns-bench} measures and the namespace tests check, on a running
 * {@link NetnsCluster}: put and get latency, reads after half the processes are killed, and a
 * partition into halves and its healing. Each step is bounded in count and time; results are
 * plain records, which the lab prints and the tests assert on.
 */
public final class NetnsScenarios {
    /** Bound on one put or get. */
    public static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);
    /** Pause between a failed read and its retry. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);
    /** Blocks read at once after a failure or during a cut, each by a thread retrying it. */
    private static final int READERS = 8;
    /** Bound on {@link #settle}: a few maintenance rounds. */
    public static final Duration SETTLE_BOUND = Duration.ofSeconds(60);
    /** Pause between two censuses of where the blocks are. */
    private static final Duration SETTLE_POLL = Duration.ofSeconds(1);
    /** Blocks a census asks every host about at once. */
    private static final int CENSUS_KEYS = 128;
    /** Unread blocks named with why, at most. */
    private static final int MAX_REASONS = 5;

    private final NetnsCluster cluster;
    private final SplittableRandom random;
    /** Every block stored so far, with the hosts (by index) that acknowledged it. */
    private final Map<Id, Set<Integer>> holders = new LinkedHashMap<>();
    private final Map<Endpoint, Integer> indexOf = new HashMap<>();

    public NetnsScenarios(NetnsCluster cluster, long seed) {
        this.cluster = cluster;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < cluster.size(); i++) {
            indexOf.put(cluster.endpoint(i), i);
        }
    }

    /** Latencies in microseconds, to three significant digits. */
    public static Histogram latencies() {
        return new Histogram(3);
    }

    /** The blocks stored so far and the hosts that acknowledged each. */
    public Map<Id, Set<Integer>> holders() {
        return holders;
    }

    /** Put and get latency, one operation at a time, each through a random host of {@code live}. */
    public record Latency(Histogram puts, Histogram gets, int failures) {
    }

    /** Puts {@code count} blocks of {@code size} bytes one at a time, then gets each back. */
    public Latency putsAndGets(List<Integer> live, int count, int size) throws InterruptedException {
        List<Id> stored = new ArrayList<>();
        Latency puts = puts(live, count, size, stored);
        Histogram gets = latencies();
        int failures = puts.failures();
        for (Id key : stored) {
            long t0 = System.nanoTime();
            try {
                cluster.client(pick(live)).get(key).get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                gets.recordValue((System.nanoTime() - t0) / 1000);
            } catch (Exception e) {
                failures++;
            }
        }
        return new Latency(puts.puts(), gets, failures);
    }

    /** Puts {@code count} blocks of {@code size} bytes one at a time, adding the keys stored to {@code stored}. */
    public Latency puts(List<Integer> live, int count, int size, List<Id> stored) throws InterruptedException {
        Histogram puts = latencies();
        int failures = 0;
        for (int i = 0; i < count; i++) {
            ContentBlock block = BlockLoad.block(size, random);
            long t0 = System.nanoTime();
            try {
                PutResult r = cluster.client(pick(live)).put(block)
                        .get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                puts.recordValue((System.nanoTime() - t0) / 1000);
                remember(r);
                stored.add(block.key());
            } catch (Exception e) {
                failures++;
            }
        }
        return new Latency(puts, latencies(), failures);
    }

    private void remember(PutResult r) {
        Set<Integer> at = holders.computeIfAbsent(r.key(), k -> new TreeSet<>());
        for (NodeRef n : r.holders()) {
            Integer i = indexOf.get(n.endpoint());
            if (i != null) {
                at.add(i);
            }
        }
    }

    /**
     * Reads after a failure: of the blocks with a live holder, how many were read within the
     * window, and how long each took from the first try to the read that succeeded.
     */
    public record Reads(int expected, int read, int lost, Histogram micros, List<Id> unread, List<String> why) {
    }

    /**
     * Kills the processes of {@code victims} by pid, then reads every stored block through random
     * survivors, {@link #READERS} at a time, each retried until read or {@code window} after the
     * kill has passed: blocks none of whose holders survive are counted as lost and not read.
     */
    public Reads killAndRead(List<Integer> victims, Duration window) throws InterruptedException {
        for (int v : victims) {
            cluster.kill(v);
        }
        long deadline = System.nanoTime() + window.toNanos();
        List<Integer> live = IntStream.range(0, cluster.size()).filter(i -> !victims.contains(i)).boxed().toList();
        return readAll(live, deadline, false);
    }

    /**
     * Reads every stored block with a holder in {@code live} through hosts of {@code live}, until
     * {@code deadline}; when {@code sided}, the reader reaches no other host (see
     * {@link NetnsCluster#client(int, java.util.Collection)}).
     */
    public Reads readAll(List<Integer> live, long deadline, boolean sided) throws InterruptedException {
        Histogram micros = latencies();
        List<Id> unread = new ArrayList<>();
        List<String> why = new ArrayList<>();
        List<Map.Entry<Id, Set<Integer>>> expected = new ArrayList<>();
        int lost = 0;
        for (Map.Entry<Id, Set<Integer>> e : holders.entrySet()) {
            if (e.getValue().stream().noneMatch(live::contains)) {
                lost++;
            } else {
                expected.add(e);
            }
        }
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Map.Entry<Id, Set<Integer>> e : expected) {
                SplittableRandom own = random.split();
                results.add(readers.submit(() -> {
                    long t0 = System.nanoTime();
                    String error = readUntil(e.getKey(), live, deadline, sided, own);
                    if (error == null) {
                        synchronized (micros) {
                            micros.recordValue((System.nanoTime() - t0) / 1000);
                        }
                    }
                    return error;
                }));
            }
            for (int i = 0; i < expected.size(); i++) {
                String error = outcome(results.get(i), deadline);
                if (error != null) {
                    Map.Entry<Id, Set<Integer>> e = expected.get(i);
                    unread.add(e.getKey());
                    if (why.size() < MAX_REASONS) {
                        why.add(e.getKey().shortHex() + " (held by " + e.getValue() + "): " + error);
                    }
                }
            }
        } finally {
            readers.shutdownNow();
        }
        return new Reads(expected.size(), expected.size() - unread.size(), lost, micros, unread, why);
    }

    /** A reader's result: null if it read its block; it ends by {@code deadline} and one operation's bound. */
    private static String outcome(Future<String> result, long deadline) throws InterruptedException {
        long bound = Math.max(0, deadline - System.nanoTime()) + OPERATION_TIMEOUT.toNanos();
        try {
            return result.get(bound, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            return "reader failed: " + e.getCause();
        } catch (TimeoutException e) {
            return "reader still busy " + TimeUnit.NANOSECONDS.toSeconds(bound) + " s on";
        }
    }

    /** Null once {@code key} is read, or why the last try failed when {@code deadline} passes first. */
    private String readUntil(Id key, List<Integer> live, long deadline, boolean sided, SplittableRandom own)
            throws InterruptedException {
        String error = "no time left to try";
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            long left = Math.min(OPERATION_TIMEOUT.toNanos(), deadline - System.nanoTime());
            int via = live.get(own.nextInt(live.size()));
            try {
                DHash client = sided ? cluster.client(via, live) : cluster.client(via);
                client.get(key).get(Math.max(1, left), TimeUnit.NANOSECONDS);
                return null;
            } catch (ExecutionException e) {
                error = "via " + via + ": " + e.getCause();
            } catch (TimeoutException e) {
                error = "via " + via + ": no answer in " + TimeUnit.NANOSECONDS.toMillis(left) + " ms";
            }
            if (attempt > 0) {
                Thread.sleep(RETRY_PAUSE.toMillis());
            }
        }
        return error;
    }

    /**
     * Where the stored blocks are: {@code settled} is how long until every block was stored on
     * exactly its k replica hosts of the whole ring, or null if not within the bound, with
     * {@code misplaced} blocks and an example left.
     */
    public record Placement(Duration settled, int misplaced, String example) {
    }

    /**
     * Asks every host which blocks it stores until each block is stored on exactly its k replica
     * hosts of the whole ring (the oracle's), at most {@code bound}; from then on those hosts are
     * its holders. Before a cut this makes what a side holds what its hosts store, not what
     * acknowledged the puts: a put that reached other hosts while the ring settled is moved by
     * maintenance, not lost.
     */
    public Placement settle(Duration bound) throws InterruptedException {
        List<NodeRef> members = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            for (int v = 0; v < cluster.settings().vnodes(); v++) {
                members.add(NodeRef.of(cluster.endpoint(i), v));
            }
        }
        RingOracle oracle = new RingOracle(members, 1);
        Map<Id, Set<Integer>> replicaHosts = new LinkedHashMap<>();
        for (Id key : holders.keySet()) {
            Set<Integer> at = new TreeSet<>();
            oracle.replicaHosts(key, cluster.settings().replicas()).forEach(n -> at.add(indexOf.get(n.endpoint())));
            replicaHosts.put(key, at);
        }
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        while (true) {
            Map<Id, Set<Integer>> stored = census();
            int misplaced = 0;
            String example = null;
            for (Map.Entry<Id, Set<Integer>> e : replicaHosts.entrySet()) {
                Set<Integer> at = stored.get(e.getKey());
                if (!at.equals(e.getValue())) {
                    misplaced++;
                    example = example != null ? example
                            : e.getKey().shortHex() + " stored on " + at + ", its replica hosts " + e.getValue();
                }
            }
            if (misplaced == 0) {
                holders.putAll(stored);
                return new Placement(Duration.ofNanos(System.nanoTime() - t0), 0, null);
            }
            if (System.nanoTime() >= deadline) {
                return new Placement(null, misplaced, example);
            }
            Thread.sleep(SETTLE_POLL.toMillis());
        }
    }

    /**
     * For each block stored so far, the hosts that say they store it; a host that does not answer
     * does not. Blocks are asked about {@link #CENSUS_KEYS} at a time, well inside what a node
     * queues from one source before it refuses.
     */
    private Map<Id, Set<Integer>> census() throws InterruptedException {
        List<Id> keys = new ArrayList<>(holders.keySet());
        Map<Id, Set<Integer>> out = new LinkedHashMap<>();
        for (int from = 0; from < keys.size(); from += CENSUS_KEYS) {
            List<Id> some = keys.subList(from, Math.min(keys.size(), from + CENSUS_KEYS));
            List<List<CompletableFuture<Boolean>>> asked = new ArrayList<>();
            for (Id key : some) {
                List<CompletableFuture<Boolean>> answers = new ArrayList<>();
                for (int i = 0; i < cluster.size(); i++) {
                    answers.add(cluster.stores(i, key));
                }
                asked.add(answers);
            }
            for (int k = 0; k < some.size(); k++) {
                Set<Integer> at = new TreeSet<>();
                for (int i = 0; i < cluster.size(); i++) {
                    try {
                        if (asked.get(k).get(i).get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                            at.add(i);
                        }
                    } catch (ExecutionException | TimeoutException silent) {
                        // Counted as not storing it: the next census asks again.
                    }
                }
                out.put(some.get(k), at);
            }
        }
        return out;
    }

    /**
     * A partition and its healing: each side's reads of what it holds during the cut (after its
     * ring had settled, {@code settleA} and {@code settleB} after the cut, or not), and how long
     * after the heal the hosts were one ring again ({@code healed} null if not within the bound).
     */
    public record Partition(NetnsCluster.RingState sideA, Duration settleA, Reads readsA,
                            NetnsCluster.RingState sideB, Duration settleB, Reads readsB,
                            NetnsCluster.RingState after, Duration healed) {
    }

    /**
     * Cuts the hosts of {@code sideA} off from the rest for {@code cut}: waits for each side to
     * settle into a ring of its own and reads every block that side holds through it, then waits
     * out the cut, heals it, and polls at most {@code healBound} for one ring of all.
     */
    public Partition partition(List<Integer> sideA, Duration cut, Duration healBound) throws Exception {
        List<Integer> all = IntStream.range(0, cluster.size()).boxed().toList();
        List<Integer> sideB = all.stream().filter(i -> !sideA.contains(i)).toList();
        long t0 = System.nanoTime();
        long end = t0 + cut.toNanos();
        cluster.network().cut(sideA);
        boolean cutNow = true;
        try {
            Duration left = Duration.ofNanos(Math.max(1, end - System.nanoTime()));
            NetnsCluster.RingState a = cluster.awaitRing(sideA, left);
            Duration settleA = a.whole() ? Duration.ofNanos(System.nanoTime() - t0) : null;
            NetnsCluster.RingState b = cluster.awaitRing(sideB, Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            Duration settleB = b.whole() ? Duration.ofNanos(System.nanoTime() - t0) : null;
            // Each side gets half the time left for its reads.
            Reads readsA = readAll(sideA, System.nanoTime() + (end - System.nanoTime()) / 2, true);
            Reads readsB = readAll(sideB, end, true);
            long wait = end - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            cluster.network().heal(sideA);
            cutNow = false;
            long healedAt = System.nanoTime();
            NetnsCluster.RingState after = cluster.awaitRing(all, healBound);
            Duration healed = after.whole() ? Duration.ofNanos(System.nanoTime() - healedAt) : null;
            return new Partition(a, settleA, readsA, b, settleB, readsB, after, healed);
        } finally {
            if (cutNow) {
                cluster.network().heal(sideA);
            }
        }
    }

    /** {@code count} distinct hosts of the cluster chosen at random. */
    public List<Integer> randomHosts(int count) {
        List<Integer> all = new ArrayList<>(IntStream.range(0, cluster.size()).boxed().toList());
        for (int i = all.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return List.copyOf(all.subList(0, count));
    }

    private int pick(List<Integer> live) {
        return live.get(random.nextInt(live.size()));
    }
}
