package org.cfs.chord;

/**
 * A host's network address as it names itself: the {@code host:port} string that node ids are
 * computed from. Hosts are kept as given (an IP literal or a name); they are never resolved here.
 */
public record Endpoint(String host, int port) {
    /** Longest host string accepted from the wire or the command line. */
    public static final int MAX_HOST_LENGTH = 255;

    public Endpoint {
        if (host == null || host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("host must be 1.." + MAX_HOST_LENGTH
                    + " characters, got " + (host == null ? "null" : host.length()));
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /** Parses {@code host:port}; IPv6 literals go in brackets, as in {@code [::1]:7000}. */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port in '" + text + "' is not a number");
        }
        return new Endpoint(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
