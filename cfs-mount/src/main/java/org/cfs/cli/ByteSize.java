package org.cfs.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Byte counts as people type them: a number, optionally with K, M, G or T for powers of 1024
 * ("10G", "512M", "512MiB", "1048576").
 */
final class ByteSize {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,19})\\s*(?:([KMGT])(?:I?B)?|B)?");
    private static final String UNITS = "KMGT";

    private ByteSize() {
    }

    /**
     * The number of bytes {@code text} names.
     *
     * @throws IllegalArgumentException saying what is accepted, if it is not a byte size or does not fit a long
     */
    static long parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a byte size: give a number of bytes,"
                    + " optionally with K, M, G or T (powers of 1024), e.g. 10G or 512M");
        }
        try {
            long n = Long.parseLong(m.group(1));
            int power = m.group(2) == null ? 0 : UNITS.indexOf(m.group(2)) + 1;
            return Math.multiplyExact(n, 1L << (10 * power));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is more bytes than fit in 63 bits");
        }
    }

    /** {@code bytes} with the largest unit it is at least one of: "10G", "1.5M", "900 B". */
    static String format(long bytes) {
        int power = 0;
        while (power < UNITS.length() && bytes >= 1L << (10 * (power + 1))) {
            power++;
        }
        if (power == 0) {
            return bytes + " B";
        }
        long unit = 1L << (10 * power);
        char letter = UNITS.charAt(power - 1);
        return bytes % unit == 0 ? bytes / unit + String.valueOf(letter)
                : String.format(Locale.ROOT, "%.1f%c", (double) bytes / unit, letter);
    }

    /** Reads options such as {@code --capacity 10G}; a bad value is a usage error. */
    static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
