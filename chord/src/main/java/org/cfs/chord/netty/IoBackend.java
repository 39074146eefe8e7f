package org.cfs.chord.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/** The socket implementation: Linux epoll where it loads, portable NIO otherwise. */
enum IoBackend {
    EPOLL {
        @Override
        EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
            return new EpollEventLoopGroup(threads, threadFactory);
        }

        @Override
        Class<? extends ServerChannel> serverChannelClass() {
            return EpollServerSocketChannel.class;
        }

        @Override
        Class<? extends Channel> channelClass() {
            return EpollSocketChannel.class;
        }
    },
    NIO {
        @Override
        EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
            return new NioEventLoopGroup(threads, threadFactory);
        }

        @Override
        Class<? extends ServerChannel> serverChannelClass() {
            return NioServerSocketChannel.class;
        }

        @Override
        Class<? extends Channel> channelClass() {
            return NioSocketChannel.class;
        }
    };

    abstract EventLoopGroup newGroup(int threads, ThreadFactory threadFactory);

    abstract Class<? extends ServerChannel> serverChannelClass();

    abstract Class<? extends Channel> channelClass();

    static IoBackend choose(boolean useEpoll) {
        if (!useEpoll) {
            return NIO;
        }
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("epoll was asked for but is unavailable here: "
                    + Epoll.unavailabilityCause());
        }
        return EPOLL;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
