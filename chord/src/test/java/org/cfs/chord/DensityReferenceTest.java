package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DensityReferenceTest {
    /** The id at {@code f} of the way round the ring, to 52 bits. */
    private static Id at(double f) {
        Id id = Id.ZERO;
        double rest = f;
        for (int bit = Id.BITS - 1; bit >= Id.BITS - 52 && rest > 0; bit--) {
            double part = Math.scalb(1.0, bit - Id.BITS);
            if (rest >= part) {
                id = id.plus(Id.powerOfTwo(bit));
                rest -= part;
            }
        }
        return id;
    }

    /** {@code n} nodes after {@code from}, gaps drawn from an exponential of mean {@code gap}. */
    private static List<NodeRef> list(double from, double gap, int n, SplittableRandom random) {
        List<NodeRef> out = new ArrayList<>();
        double x = from;
        for (int i = 0; i < n; i++) {
            x += -gap * Math.log(1 - random.nextDouble());
            out.add(new NodeRef(at(x % 1.0), new Endpoint("10.0.0." + i, 4000), 0));
        }
        return out;
    }

    /** What a lookup does with a list it admitted, when the list is long enough to be a sample. */
    private static void sample(DensityReference ref, Id from, List<NodeRef> list) {
        if (list.size() >= IdDensity.MIN_REFERENCE) {
            ref.sample(IdDensity.meanGap(from, list));
        }
    }

    @Test
    void aSampleSaysWhetherTheReferenceIsStillFilling() {
        DensityReference ref = new DensityReference();
        for (int i = 0; i < DensityReference.SAMPLES; i++) {
            assertTrue(ref.sample(0.001), "sample " + i + " of " + DensityReference.SAMPLES + " moves the median");
        }
        assertFalse(ref.sample(0.001), "a full reference takes a sample in place of its oldest");
    }

    @Test
    void withoutSamplesTheOwnListIsTheReferenceAndTooShortStaysUnknown() {
        DensityReference ref = new DensityReference();
        IdDensity own = new IdDensity(0.001);
        assertSame(own, ref.reference(own));
        assertNull(ref.reference(null));
    }

    @Test
    void manySamplesOutvoteAnOwnListThatIsSparseByChance() {
        SplittableRandom random = new SplittableRandom(2);
        DensityReference ref = new DensityReference();
        for (int i = 0; i < DensityReference.SAMPLES; i++) {
            sample(ref, at(i / 100.0), list(i / 100.0, 0.001, 16, random));
        }
        IdDensity sparseOwn = new IdDensity(0.0018);
        double reference = ref.reference(sparseOwn).meanGap();
        assertEquals(0.001, reference, 0.0001, "the ring's gap, not the own list's");
        List<NodeRef> denseRegion = list(0.9, 0.001, 16, random);
        assertTrue(ref.reference(sparseOwn).admits(at(0.9), denseRegion));
        assertFalse(new IdDensity(reference).admits(at(0.5), list(0.5, 0.004, 16, random)),
                "a list four times sparser, as colluders at F = 0.25 give, fails");
    }

    @Test
    void aMinorityOfSparseSamplesBarelyMovesTheMedian() {
        SplittableRandom random = new SplittableRandom(3);
        DensityReference ref = new DensityReference();
        for (int i = 0; i < DensityReference.SAMPLES; i++) {
            double gap = i % 4 == 0 ? 0.002 : 0.001;
            sample(ref, at(i / 100.0), list(i / 100.0, gap, 16, random));
        }
        double reference = ref.reference(new IdDensity(0.001)).meanGap();
        assertTrue(reference < 0.00115, "a quarter of the samples twice as sparse moved the median to " + reference);
    }

    @Test
    void onlyTheLastSamplesCount() {
        SplittableRandom random = new SplittableRandom(4);
        DensityReference ref = new DensityReference();
        for (int i = 0; i < DensityReference.SAMPLES; i++) {
            sample(ref, Id.ZERO, list(0, 0.01, 16, random));
        }
        for (int i = 0; i < DensityReference.SAMPLES; i++) {
            sample(ref, Id.ZERO, list(0, 0.001, 16, random));
        }
        assertEquals(0.001, ref.reference(new IdDensity(0.001)).meanGap(), 0.0002, "the ring grew tenfold");
    }
}
