package org.cfs.dhash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
    @Test
    void holdsNoMoreBytesThanItsBound() {
        BlockCache cache = new BlockCache(10_000);
        for (int i = 0; i < 200; i++) {
            cache.put(Id.hash("b" + i), new byte[700 + i]);
            assertTrue(cache.bytes() <= 10_000, "after " + (i + 1) + " puts: " + cache.bytes());
        }
        int held = 0;
        for (int i = 0; i < 200; i++) {
            if (cache.get(Id.hash("b" + i)) != null) {
                held++;
            }
        }
        assertTrue(held > 0 && held <= 14, "held " + held);
        assertEquals(200, cache.hits() + cache.misses());
    }

    @Test
    void aBlockLargerThanTheBoundIsNotKept() {
        BlockCache cache = new BlockCache(1000);
        cache.put(Id.hash("big"), new byte[1001]);
        assertEquals(0, cache.bytes());
        assertNull(cache.get(Id.hash("big")));
    }

    @Test
    void countsHitsAndMisses() {
        BlockCache cache = new BlockCache(1 << 20);
        byte[] block = {1, 2, 3};
        cache.put(Id.hash("a"), block);
        assertArrayEquals(block, cache.get(Id.hash("a")));
        assertArrayEquals(block, cache.get(Id.hash("a")));
        assertNull(cache.get(Id.hash("b")));
        assertEquals(2, cache.hits());
        assertEquals(1, cache.misses());
        assertEquals(3, cache.bytes());

        cache.invalidate(Id.hash("a"));
        assertNull(cache.get(Id.hash("a")));
        assertEquals(0, cache.bytes());
        assertEquals(2, cache.misses());
    }

    @Test
    void needsAPositiveBound() {
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(0));
    }
}
