package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.cfs.chord.ByteSize;
import org.junit.jupiter.api.Test;

class StoreLimitsTest {
    @Test
    void limitsAreCheckedWithTheValueInTheMessage() {
        IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
                () -> new StoreLimits(ByteSize.of(0), 0.1));
        assertTrue(capacity.getMessage().contains("got 0 B"), capacity.getMessage());
        IllegalArgumentException share = assertThrows(IllegalArgumentException.class,
                () -> new StoreLimits(ByteSize.of(100), 1.5));
        assertTrue(share.getMessage().contains("1.5"), share.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StoreLimits(ByteSize.of(100), 0));
        assertThrows(IllegalArgumentException.class, () -> new StoreLimits(ByteSize.of(100), Double.NaN));
        IllegalArgumentException lease = assertThrows(IllegalArgumentException.class,
                () -> new StoreLimits(ByteSize.of(100), 0.5, Duration.ZERO));
        assertTrue(lease.getMessage().contains("lease") && lease.getMessage().contains("PT0S"), lease.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StoreLimits(ByteSize.of(100), 0.5, null));
    }

    @Test
    void defaultsAreTenGibibytesATenthPerSourceAndAThirtyDayLease() {
        assertEquals(new StoreLimits(ByteSize.ofGiB(10), 0.1, Duration.ofDays(30)), StoreLimits.defaults());
        assertEquals(Duration.ofDays(30), new StoreLimits(ByteSize.of(100), 0.5).lease());
        assertEquals(Duration.ofHours(1), StoreLimits.defaults().withLease(Duration.ofHours(1)).lease());
        assertEquals(ByteSize.ofGiB(1), StoreLimits.defaults().quota());
    }
}
