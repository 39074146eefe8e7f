package org.cfs.chord;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finger i of a vnode at id n is the first node that succeeds n + 2^i, or with proximity
 * neighbour selection one of the first few in [n + 2^i, n + 2^(i+1)) ({@link ProximityFingers}).
 * Entries may be null (unknown or dropped as dead); correctness never depends on them, only
 * lookup speed.
 */
final class FingerTable {
    private static final Id[] POWERS = new Id[Id.BITS];

    static {
        for (int i = 0; i < Id.BITS; i++) {
            POWERS[i] = Id.powerOfTwo(i);
        }
    }

    private final Id self;
    private final NodeRef[] fingers = new NodeRef[Id.BITS];

    FingerTable(Id self) {
        this.self = self;
    }

    Id start(int i) {
        return self.plus(POWERS[i]);
    }

    /**
     * Sets finger {@code i} to {@code node}, and every following finger whose start also falls in
     * (self, node]; returns the index of the first finger not covered (Id.BITS if none).
     */
    int fill(int i, NodeRef node) {
        fingers[i] = node;
        int j = i + 1;
        while (j < Id.BITS && start(j).inHalfOpen(self, node.id())) {
            fingers[j] = node;
            j++;
        }
        return j;
    }

    void remove(NodeRef node) {
        for (int i = 0; i < fingers.length; i++) {
            if (node.equals(fingers[i])) {
                fingers[i] = null;
            }
        }
    }

    /**
     * Hands {@code out} the fingers strictly between self and {@code key}, from the last finger
     * down, a run of equal fingers once; a node may still come twice if other fingers lie between
     * its entries.
     */
    void precedingInto(Id key, Consumer<NodeRef> out) {
        NodeRef last = null;
        for (int i = Id.BITS - 1; i >= 0; i--) {
            NodeRef f = fingers[i];
            if (f != null && !f.equals(last) && f.id().inOpen(self, key)) {
                out.accept(f);
            }
            if (f != null) {
                last = f;
            }
        }
    }

    List<NodeRef> distinct() {
        List<NodeRef> out = new ArrayList<>();
        for (NodeRef f : fingers) {
            if (f != null && !out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }
}
