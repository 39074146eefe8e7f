package org.cfs.cluster.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.ChordHost;
import org.cfs.chord.Id;
import org.cfs.chord.LookupResult;
import org.cfs.chord.NodeRef;
import org.cfs.cluster.RingOracle;
import org.junit.jupiter.api.Test;

/** Malicious nodes on the simulator: the attacks work on plain lookups, and secure routing resists them. */
class AdversaryTest {
    private static final int NODES = 200;
    private static final int LOOKUPS = 1_000;

    @Test
    void liarsClaimingEveryKeyMisleadPlainLookups() {
        double right = correctFraction(false, Adversary.Behaviour.LIE_OWNER, 0.25);
        assertTrue(right < 0.8, "plain lookups were right " + right + " of the time despite the liars");
    }

    @Test
    void secureRoutingFindsTheTrueOwnerDespiteLiars() {
        double right = correctFraction(true, Adversary.Behaviour.LIE_OWNER, 0.25);
        assertTrue(right >= 0.995, "secure lookups were right only " + right + " of the time");
    }

    @Test
    void secureRoutingFindsTheTrueOwnerDespiteMisrouting() {
        double secure = correctFraction(true, Adversary.Behaviour.MISROUTE, 0.25);
        assertTrue(secure >= 0.995, "secure lookups were right only " + secure + " of the time");
    }

    @Test
    void plainLookupsWalkBackFromAMisroutedOwnerToTheTrueOne() {
        // A misrouter ends the lookup at a colluder past the key; that colluder's predecessor, and
        // the predecessors before it, lead the lookup back to the key (a successor list's worth
        // of steps; with four at most, fewer than 95% of these lookups were right).
        double plain = correctFraction(false, Adversary.Behaviour.MISROUTE, 0.25);
        assertTrue(plain >= 0.99, "plain lookups were right only " + plain + " of the time despite misrouting");
    }

    @Test
    void restoredHostsAnswerHonestlyAgain() {
        SimRing ring = stableRing(false);
        Adversary adversary = Adversary.corrupt(ring, 0.25, Adversary.Behaviour.LIE_OWNER, new SplittableRandom(3));
        assertEquals(NODES / 4, adversary.size());
        adversary.restore();
        assertEquals(1.0, honestLookups(ring, adversary));
    }

    @Test
    void behavioursParseFromTheirCommandLineNames() {
        assertEquals(Adversary.Behaviour.LIE_OWNER, Adversary.Behaviour.parse("lie-owner"));
        assertEquals("withhold", Adversary.Behaviour.WITHHOLD.label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Adversary.Behaviour.parse("lie"));
        assertTrue(e.getMessage().contains("'lie'"), e.getMessage());
    }

    private static double correctFraction(boolean secure, Adversary.Behaviour behaviour, double fraction) {
        SimRing ring = stableRing(secure);
        Adversary adversary = Adversary.corrupt(ring, fraction, behaviour, new SplittableRandom(3));
        return honestLookups(ring, adversary);
    }

    private static SimRing stableRing(boolean secure) {
        SimRing ring = new SimRing(11, SimRing.simConfig(16).withSecureRouting(secure));
        ring.growInWaves(NODES, NODES / 16, Duration.ofSeconds(5));
        assertTrue(ring.stabilize(Duration.ofMinutes(10), Duration.ofSeconds(1)).isPresent(),
                () -> "ring did not converge: " + ring.mismatches());
        ring.advance(Duration.ofSeconds(60));
        return ring;
    }

    /** The fraction of lookups from honest nodes that return the true owner and its true successor. */
    private static double honestLookups(SimRing ring, Adversary adversary) {
        RingOracle oracle = ring.oracle();
        List<ChordHost> honest = ring.hosts().stream().filter(h -> !adversary.isMalicious(h.endpoint())).toList();
        SplittableRandom random = new SplittableRandom(5);
        List<Id> keys = new ArrayList<>();
        List<CompletableFuture<LookupResult>> found = new ArrayList<>();
        for (int i = 0; i < LOOKUPS; i++) {
            byte[] k = new byte[Id.BYTES];
            random.nextBytes(k);
            keys.add(Id.fromBytes(k, 0));
            found.add(honest.get(random.nextInt(honest.size())).vnodes().get(0).lookup(keys.get(i)));
        }
        ring.awaitDone(CompletableFuture.allOf(found.stream().map(f -> f.handle((r, e) -> null))
                .toArray(CompletableFuture[]::new)), Duration.ofMinutes(30));
        int right = 0;
        for (int i = 0; i < LOOKUPS; i++) {
            if (found.get(i).isCompletedExceptionally()) {
                continue;
            }
            LookupResult r = found.get(i).join();
            NodeRef owner = oracle.owner(keys.get(i));
            List<NodeRef> set = r.replicaSet();
            if (owner.equals(r.owner()) && set.size() > 1 && set.get(1).equals(oracle.successor(owner))) {
                right++;
            }
        }
        return (double) right / LOOKUPS;
    }
}
