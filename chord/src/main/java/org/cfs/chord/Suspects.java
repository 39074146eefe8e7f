package org.cfs.chord;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes a host knows lied lately, shared by all of its lookups: the layer above tells it of nodes
 * that served data failing verification ({@link ChordNode#distrust}), which is proof, not
 * suspicion. A lookup takes such a node's step answers last, only if no other answer leads on, as
 * it does an answer that fails the density test. Answers that merely failed the density test are
 * not remembered here: one honest list in about 40 fails it, and remembering those made lookups
 * among misrouting nodes worse (`./lab attack --behaviour misroute`: gets read at F = 0.25 fell
 * from 99.85% to 99.69%, messages per lookup rose from 8.0 to 10.4), since deferring honest
 * answers lets colluders' answers that pass go first. An entry lasts {@link #MEMORY}; at most
 * {@link #MAX} entries: past that, new ones are not remembered until old ones expire.
 */
final class Suspects {
    static final Duration MEMORY = Duration.ofMinutes(10);
    static final int MAX = 4096;

    private final Scheduler scheduler;
    private final Map<Id, Long> until = new ConcurrentHashMap<>();

    Suspects(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void mark(Id node) {
        long now = scheduler.nanoTime();
        if (until.size() >= MAX) {
            until.values().removeIf(t -> t - now <= 0);
            if (until.size() >= MAX) {
                return;
            }
        }
        until.put(node, now + MEMORY.toNanos());
    }

    boolean contains(Id node) {
        Long t = until.get(node);
        if (t == null) {
            return false;
        }
        if (t - scheduler.nanoTime() <= 0) {
            until.remove(node, t);
            return false;
        }
        return true;
    }
}
