package org.cfs.chord.netty;

import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How connections and their failures are named in logs. */
final class Peers {
    private Peers() {
    }

    /** "host:port" of the channel's remote end, e.g. "127.0.0.1:40312". */
    static String describe(Channel channel) {
        SocketAddress address = channel.remoteAddress();
        if (address instanceof InetSocketAddress inet) {
            return (inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString())
                    + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The remote IP address as text, which request handlers receive as the sender. */
    static String host(Channel channel) {
        SocketAddress address = channel.remoteAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    /** Socket errors are routine between peers (resets, refusals); anything else is a bug. */
    static boolean isRoutine(Throwable cause) {
        return cause instanceof IOException;
    }
}
