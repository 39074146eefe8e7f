package org.cfs.cluster.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The one-way delay of every link between the hosts of a test cluster, from a seed: each pair of
 * hosts gets a base delay drawn uniformly from [min, max], the same in both directions and on every
 * run with the same seed and hosts; each message adds a jitter drawn uniformly from [-jitter,
 * +jitter] (never below zero) and is lost with probability {@code loss}. Hosts are named by IP
 * address; a message to or from an address outside the model (a tool such as {@code cfs status})
 * has no delay and is never lost.
 *
 * <p>It travels to node processes as one argument, {@link #spec()}:
 * {@code seed=S;min-ms=A;max-ms=B;jitter-ms=J;loss=P;hosts=IP,IP,...}.
 */
public final class LinkDelays {
    private final long seed;
    private final Duration min;
    private final Duration max;
    private final Duration jitter;
    private final double loss;
    private final List<String> hosts;
    private final Map<String, Integer> index = new HashMap<>();
    /** Base delays in nanoseconds, [i][j] for hosts i and j. */
    private final long[][] base;

    public LinkDelays(List<String> hosts, long seed, Duration min, Duration max, Duration jitter, double loss) {
        Objects.requireNonNull(hosts, "hosts");
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("delays " + min.toMillis() + ".." + max.toMillis()
                    + " ms: need 0 <= min <= max");
        }
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter " + jitter.toMillis() + " ms is negative");
        }
        if (!(loss >= 0 && loss < 1)) {
            throw new IllegalArgumentException("loss " + loss + " is outside [0, 1)");
        }
        this.seed = seed;
        this.min = min;
        this.max = max;
        this.jitter = jitter;
        this.loss = loss;
        this.hosts = List.copyOf(hosts);
        for (int i = 0; i < this.hosts.size(); i++) {
            if (index.put(this.hosts.get(i), i) != null) {
                throw new IllegalArgumentException("host " + this.hosts.get(i) + " is listed twice");
            }
        }
        int n = this.hosts.size();
        this.base = new long[n][n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                long d = random.nextLong(min.toNanos(), max.toNanos() + 1);
                base[i][j] = d;
                base[j][i] = d;
            }
        }
    }

    /** The hosts, in the order their links were drawn. */
    public List<String> hosts() {
        return hosts;
    }

    public double loss() {
        return loss;
    }

    /** The base one-way delay between {@code from} and {@code to}; zero for one host or one outside the model. */
    public Duration base(String from, String to) {
        Integer i = index.get(from);
        Integer j = index.get(to);
        return i == null || j == null ? Duration.ZERO : Duration.ofNanos(base[i][j]);
    }

    /** A message's one-way delay from {@code from} to {@code to} in nanoseconds: the base plus jitter. */
    public long sampleNanos(String from, String to, RandomGenerator random) {
        Integer i = index.get(from);
        Integer j = index.get(to);
        if (i == null || j == null || i.equals(j)) {
            return 0;
        }
        long spread = jitter.toNanos();
        long noise = spread == 0 ? 0 : random.nextLong(-spread, spread + 1);
        return Math.max(0, base[i][j] + noise);
    }

    /** Whether a message between {@code from} and {@code to} is lost. */
    public boolean lost(String from, String to, RandomGenerator random) {
        return loss > 0 && index.containsKey(from) && index.containsKey(to) && random.nextDouble() < loss;
    }

    /** The model as one argument, which {@link #parse} reads back. */
    public String spec() {
        return "seed=" + seed + ";min-ms=" + min.toMillis() + ";max-ms=" + max.toMillis()
                + ";jitter-ms=" + jitter.toMillis() + ";loss=" + loss + ";hosts=" + String.join(",", hosts);
    }

    /** Reads {@link #spec()}'s form; every key is required once, and a bad one is named. */
    public static LinkDelays parse(String spec) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : spec.split(";", -1)) {
            int eq = part.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("link model '" + spec + "': '" + part + "' is not KEY=VALUE");
            }
            if (fields.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("link model '" + spec + "': " + part.substring(0, eq) + " is given twice");
            }
        }
        List<String> keys = List.of("seed", "min-ms", "max-ms", "jitter-ms", "loss", "hosts");
        if (!fields.keySet().equals(new java.util.HashSet<>(keys))) {
            throw new IllegalArgumentException("link model '" + spec + "' has keys " + fields.keySet()
                    + "; it needs exactly " + keys);
        }
        try {
            List<String> hosts = new ArrayList<>();
            for (String h : fields.get("hosts").split(",", -1)) {
                if (h.isBlank()) {
                    throw new IllegalArgumentException("an empty host");
                }
                hosts.add(h);
            }
            return new LinkDelays(hosts, Long.parseLong(fields.get("seed")),
                    Duration.ofMillis(Long.parseLong(fields.get("min-ms"))),
                    Duration.ofMillis(Long.parseLong(fields.get("max-ms"))),
                    Duration.ofMillis(Long.parseLong(fields.get("jitter-ms"))),
                    Double.parseDouble(fields.get("loss")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("link model '" + spec + "': " + e.getMessage(), e);
        }
    }
}
