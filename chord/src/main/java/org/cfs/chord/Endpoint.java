package org.cfs.chord;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A host's network address as it names itself. Hosts are kept as given (an IP literal or a name)
 * and never resolved here; a ring member's host is an IP literal, whose canonical text
 * ({@link #canonicalIp}) its node ids are computed from, so the port plays no part in them.
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

    /**
     * The host as an IP literal in one canonical text form (IPv4 dotted decimal, IPv6 as Java
     * prints it), so that every spelling of one address yields the same node ids; null when the
     * host is not an IP literal (a name, which would have to be resolved to be trusted).
     */
    public String canonicalIp() {
        if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
