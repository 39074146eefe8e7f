package org.cfs.gateway;

import java.util.Optional;

/**
 * One byte range of a file of known size, from a {@code Range} header (RFC 9110, 14.1.2):
 * {@code bytes=FIRST-LAST}, {@code bytes=FIRST-} or {@code bytes=-SUFFIX}. Several ranges, other
 * units and malformed values are ignored (the whole file is sent), as the RFC allows; a range that
 * starts past the end is unsatisfiable (416).
 */
record ByteRange(long first, long length) {
    /** What a Range header asks of a file of {@code size} bytes. */
    sealed interface Asked permits Whole, Part, Unsatisfiable {
    }

    /** No usable range: the whole file. */
    record Whole() implements Asked {
    }

    /** One satisfiable range. */
    record Part(ByteRange range) implements Asked {
    }

    /** A range that selects nothing of this file. */
    record Unsatisfiable() implements Asked {
    }

    static Asked parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return new Whole();
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        Optional<Long> first = number(spec.substring(0, dash).trim());
        Optional<Long> last = number(spec.substring(dash + 1).trim());
        boolean firstGiven = dash > 0;
        boolean lastGiven = dash < spec.length() - 1;
        if ((firstGiven && first.isEmpty()) || (lastGiven && last.isEmpty()) || (!firstGiven && !lastGiven)) {
            return new Whole();
        }
        if (!firstGiven) {
            long suffix = last.get();
            if (suffix == 0 || size == 0) {
                return new Unsatisfiable();
            }
            long n = Math.min(suffix, size);
            return new Part(new ByteRange(size - n, n));
        }
        long from = first.get();
        if (lastGiven && last.get() < from) {
            return new Whole();
        }
        if (from >= size) {
            return new Unsatisfiable();
        }
        long to = lastGiven ? Math.min(last.get(), size - 1) : size - 1;
        return new Part(new ByteRange(from, to - from + 1));
    }

    /** A non-negative decimal of at most 18 digits (so it fits a long), or empty. */
    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(s));
    }

    /** The Content-Range value for this range of a file of {@code size} bytes. */
    String contentRange(long size) {
        return "bytes " + first + "-" + (first + length - 1) + "/" + size;
    }
}
