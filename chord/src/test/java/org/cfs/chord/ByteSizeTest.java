package org.cfs.chord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void unitsArePowersOf1024InAnySpellingAndCase() {
        assertEquals(1048576, ByteSize.parse("1048576").bytes());
        assertEquals(1536, ByteSize.parse("1536B").bytes());
        assertEquals(4096, ByteSize.parse("4k").bytes());
        assertEquals(512L << 20, ByteSize.parse("512M").bytes());
        assertEquals(512L << 20, ByteSize.parse("512MiB").bytes());
        assertEquals(512L << 20, ByteSize.parse("512 mb").bytes());
        assertEquals(10L << 30, ByteSize.parse("10G").bytes());
        assertEquals(2L << 40, ByteSize.parse(" 2 T ").bytes());
        assertEquals(3L << 50, ByteSize.parse("3PiB").bytes());
        assertEquals(7L << 60, ByteSize.parse("7E").bytes());
        assertEquals(0, ByteSize.parse("0").bytes());
    }

    @Test
    void fractionsNeedAUnitAndDropWhatIsBelowOneByte() {
        assertEquals(3L << 29, ByteSize.parse("1.5G").bytes());
        assertEquals(1126, ByteSize.parse("1.1K").bytes(), "1126.4 bytes, rounded down");
        assertEquals(1, ByteSize.parse("1.0").bytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1.5"));
        assertTrue(e.getMessage().startsWith("'1.5' is a fraction of a byte"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1.5B"));
    }

    @Test
    void anythingElseIsRefusedQuotingTheTextAndSayingWhatIsAccepted() {
        for (String bad : new String[] {"", " ", "G", "10X", "-1", "10GG", "ten", "1,5G", ".5G", "5.G", "10 iB",
                "0x10"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "' is not a byte size: "), e.getMessage());
            assertTrue(e.getMessage().contains("K, M, G, T, P or E"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> ByteSize.parse(null));
    }

    @Test
    void sizesBeyondALongAreRefused() {
        assertEquals(Long.MAX_VALUE, ByteSize.parse(Long.toString(Long.MAX_VALUE)).bytes());
        for (String big : new String[] {"9223372036854775808", "8E", "9999999T", "99999999999999999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(big), big);
            assertTrue(e.getMessage().startsWith("'" + big + "' is too large"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ByteSize.ofGiB(Long.MAX_VALUE >> 29));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.ofKiB(-1));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.of(-1));
        assertEquals(Long.MAX_VALUE >> 30 << 30, ByteSize.ofGiB(Long.MAX_VALUE >> 30).bytes());
    }

    @Test
    void factoriesScaleByPowersOf1024() {
        assertEquals(ByteSize.of(2048), ByteSize.ofKiB(2));
        assertEquals(ByteSize.of(64L << 20), ByteSize.ofMiB(64));
        assertEquals(ByteSize.of(10L << 30), ByteSize.ofGiB(10));
    }

    @Test
    void printsTheLargestUnitExactlyWhenItCanAndToOneDecimalOtherwise() {
        assertEquals("0 B", ByteSize.of(0).toString());
        assertEquals("900 B", ByteSize.of(900).toString());
        assertEquals("1023 B", ByteSize.of(1023).toString());
        assertEquals("1 KiB", ByteSize.of(1024).toString());
        assertEquals("1.5 MiB", ByteSize.of(3L << 19).toString());
        assertEquals("512 MiB", ByteSize.ofMiB(512).toString());
        assertEquals("1.2 GiB", ByteSize.of(1_300_000_000L).toString());
        assertEquals("10 GiB", ByteSize.ofGiB(10).toString());
        assertEquals("1 TiB", ByteSize.of(1L << 40).toString());
        assertEquals("1.0 GiB", ByteSize.of((1L << 30) - 1).toString(), "not 1024.0 MiB");
        assertEquals("8.0 EiB", ByteSize.of(Long.MAX_VALUE).toString());
    }

    @Test
    void whatItPrintsParsesBackToTheSameSizeWhenExactAndWithinATenthOfAUnitOtherwise() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            int power = random.nextInt(6);
            long exact = random.nextLong(1, 1024) << (10 * power);
            assertEquals(exact, ByteSize.parse(ByteSize.of(exact).toString()).bytes());
            // Below 4 EiB: just under 8 EiB prints as "8.0 EiB", which is past the largest size.
            long any = random.nextLong(Long.MAX_VALUE >> (1 + random.nextInt(62)));
            long back = ByteSize.parse(ByteSize.of(any).toString()).bytes();
            assertTrue(Math.abs(back - any) <= Math.max(1, any / 10), any + " printed as " + ByteSize.of(any));
        }
    }
}
