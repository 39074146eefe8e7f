package org.cfs.chord;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes, as configurations hold it and people read and type it. Units are binary
 * whichever way they are spelt: K, KB and KiB all mean 1024, as for memory and disks in the tools
 * this system sits beside ({@code -Xmx}, {@code du -h}).
 *
 * @param bytes the amount, never negative
 */
public record ByteSize(long bytes) {
    /** Binary unit names by power of 1024; 1024^6 is the last that fits below 2^63. */
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final String LETTERS = "KMGTPE";
    private static final Pattern SYNTAX = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(?:([KMGTPE])(?:I?B)?|B)?");
    private static final String ACCEPTED = "give a number of bytes, optionally with a unit K, M, G, T, P or E"
            + " (powers of 1024; KiB and KB mean the same), e.g. 1048576, 512MiB or 1.5G";

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a byte size is not negative, got " + bytes + " bytes");
        }
    }

    public static ByteSize of(long bytes) {
        return new ByteSize(bytes);
    }

    public static ByteSize ofKiB(long kib) {
        return scaled(kib, 1);
    }

    public static ByteSize ofMiB(long mib) {
        return scaled(mib, 2);
    }

    public static ByteSize ofGiB(long gib) {
        return scaled(gib, 3);
    }

    /**
     * The size {@code text} names: digits with an optional fraction and unit, in any case, with
     * spaces around or between ("10G", "512MiB", "1048576", "1.5 gb"). A fraction of a byte is
     * dropped, so "1.1K" is 1126 bytes.
     *
     * @throws IllegalArgumentException quoting {@code text} and saying what is accepted
     */
    public static ByteSize parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = SYNTAX.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a byte size: " + ACCEPTED);
        }
        int power = m.group(2) == null ? 0 : LETTERS.indexOf(m.group(2)) + 1;
        BigDecimal number = new BigDecimal(m.group(1));
        if (power == 0 && number.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is a fraction of a byte: give a whole number of"
                    + " bytes, or a unit such as K or M with the fraction");
        }
        BigDecimal bytes = number.multiply(BigDecimal.valueOf(1L << (10 * power))).setScale(0, RoundingMode.DOWN);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large: a byte size is at most "
                    + Long.MAX_VALUE + " bytes (just under 8 EiB)");
        }
        return new ByteSize(bytes.longValueExact());
    }

    /**
     * The size in the largest binary unit it holds at least one of: exact when it is a whole number
     * of that unit ("512 MiB", "900 B"), else to one decimal ("1.2 GiB"). Exact forms parse back to
     * the same size.
     */
    @Override
    public String toString() {
        int power = 0;
        while (power + 1 < UNITS.length && bytes >= 1L << (10 * (power + 1))) {
            power++;
        }
        long unit = 1L << (10 * power);
        if (bytes % unit == 0) {
            return bytes / unit + " " + UNITS[power];
        }
        double value = (double) bytes / unit;
        // 1023.96 MiB would print as "1024.0 MiB"; a person expects "1.0 GiB".
        if (value >= 1023.95 && power + 1 < UNITS.length) {
            value /= 1024;
            power++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[power]);
    }

    private static ByteSize scaled(long amount, int power) {
        if (amount < 0 || amount > Long.MAX_VALUE >> (10 * power)) {
            throw new IllegalArgumentException(amount + " " + UNITS[power] + " is outside 0.."
                    + (Long.MAX_VALUE >> (10 * power)) + " " + UNITS[power]);
        }
        return new ByteSize(amount << (10 * power));
    }
}
