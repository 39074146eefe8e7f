package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void suffixesArePowersOf1024InAnyCase() {
        assertEquals(1048576, ByteSize.parse("1048576"));
        assertEquals(1536, ByteSize.parse("1536B"));
        assertEquals(4096, ByteSize.parse("4k"));
        assertEquals(512L << 20, ByteSize.parse("512M"));
        assertEquals(512L << 20, ByteSize.parse("512MiB"));
        assertEquals(10L << 30, ByteSize.parse("10G"));
        assertEquals(10L << 30, ByteSize.parse("10gb"));
        assertEquals(2L << 40, ByteSize.parse(" 2 T "));
    }

    @Test
    void anythingElseIsRefusedSayingWhatIsAccepted() {
        for (String bad : new String[] {"", "G", "10X", "-1", "1.5G", "10GG", "ten"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(bad), bad);
            assertTrue(e.getMessage().contains("K, M, G or T"), e.getMessage());
        }
    }

    @Test
    void sizesBeyondALongAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("9999999T"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999999999999"));
    }

    @Test
    void formatUsesTheLargestUnitAndIsExactWhenItCanBe() {
        assertEquals("900 B", ByteSize.format(900));
        assertEquals("1K", ByteSize.format(1024));
        assertEquals("1.5M", ByteSize.format(3L << 19));
        assertEquals("10G", ByteSize.format(10L << 30));
        assertEquals("1T", ByteSize.format(1L << 40));
        assertEquals(10L << 30, ByteSize.parse(ByteSize.format(10L << 30)));
    }
}
