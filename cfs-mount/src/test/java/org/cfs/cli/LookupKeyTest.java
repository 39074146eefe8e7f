package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;

class LookupKeyTest {
    private static final String HEX = "00112233445566778899aabbccddeeff01234567";

    @Test
    void fortyHexDigitsAreTheIdItself() {
        LookupKey key = LookupKey.parse(HEX);
        assertEquals(Id.fromHex(HEX), key.id());
        assertNull(key.hashedFrom());
    }

    @Test
    void upperCaseHexIsAnIdToo() {
        assertEquals(Id.fromHex(HEX), LookupKey.parse(HEX.toUpperCase()).id());
    }

    @Test
    void otherTextIsHashed() {
        LookupKey key = LookupKey.parse("hello.txt");
        assertEquals(Id.hash("hello.txt"), key.id());
        assertEquals("hello.txt", key.hashedFrom());
    }

    @Test
    void almostHexIsHashed() {
        String shortHex = HEX.substring(1);
        assertEquals(Id.hash(shortHex), LookupKey.parse(shortHex).id());
        String notHex = "g" + HEX.substring(1);
        assertEquals(Id.hash(notHex), LookupKey.parse(notHex).id());
    }

    @Test
    void emptyKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LookupKey.parse(""));
    }

    @Test
    void describeShowsWhatWasHashed() {
        assertEquals(Id.hash("a").toHex() + "  (hash of \"a\")", LookupKey.parse("a").describe());
        assertEquals(HEX, LookupKey.parse(HEX).describe());
    }
}
