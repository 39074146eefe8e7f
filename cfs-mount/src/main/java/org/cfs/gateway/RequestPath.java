package org.cfs.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request's path as the bytes of its names: percent-escapes are decoded to bytes (so a name
 * that is not UTF-8 travels unchanged), empty names and "." are dropped. A ".." name (however
 * escaped), a NUL, a slash inside a name or a broken escape makes the path invalid.
 */
record RequestPath(List<byte[]> names, boolean trailingSlash) {
    /** Longest path accepted, in bytes, escapes included; Netty's codec caps the request line too. */
    static final int MAX_LENGTH = 4096;

    /** Why a path cannot be served; the message is the 400 body. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    RequestPath {
        names = List.copyOf(names);
    }

    /** Parses the path part of a request URI (the query is dropped). */
    static RequestPath parse(String uri) throws Invalid {
        int q = uri.indexOf('?');
        String raw = q < 0 ? uri : uri.substring(0, q);
        int hash = raw.indexOf('#');
        if (hash >= 0) {
            raw = raw.substring(0, hash);
        }
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new Invalid("the path must start with /");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new Invalid("the path is longer than " + MAX_LENGTH + " bytes");
        }
        List<byte[]> names = new ArrayList<>();
        for (String part : raw.split("/", -1)) {
            byte[] name = decode(part);
            if (name.length == 0 || Arrays.equals(name, new byte[] {'.'})) {
                continue;
            }
            if (Arrays.equals(name, new byte[] {'.', '.'})) {
                throw new Invalid("'..' in a path is not allowed");
            }
            for (byte b : name) {
                if (b == 0) {
                    throw new Invalid("NUL in a path is not allowed");
                }
                if (b == '/') {
                    throw new Invalid("an escaped '/' inside a name is not allowed");
                }
            }
            names.add(name);
        }
        return new RequestPath(names, raw.endsWith("/"));
    }

    /** Percent-decodes one name to its bytes: each decoded char of ISO-8859-1 is one byte. */
    private static byte[] decode(String part) throws Invalid {
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) > 0x7f) {
                throw new Invalid("the path has a character that is not escaped");
            }
        }
        try {
            // '+' is a space only in queries; in a path it is itself.
            return QueryStringDecoder.decodeComponent(part.replace("+", "%2B"), StandardCharsets.ISO_8859_1)
                    .getBytes(StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            throw new Invalid("a broken %-escape in the path");
        }
    }

    /** The names from index {@code from} on. */
    List<byte[]> from(int from) {
        return names.subList(Math.min(from, names.size()), names.size());
    }

    /** Percent-encodes a name for a URL path: unreserved characters and '@' stay, every other byte is escaped. */
    static String encode(byte[] name) {
        StringBuilder out = new StringBuilder(name.length + 8);
        for (byte b : name) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** "/" and the encoded names joined by "/". */
    static String encode(List<byte[]> names) {
        StringBuilder out = new StringBuilder();
        for (byte[] n : names) {
            out.append('/').append(encode(n));
        }
        return out.length() == 0 ? "/" : out.toString();
    }
}
