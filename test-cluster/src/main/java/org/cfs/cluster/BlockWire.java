package org.cfs.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.TransportException;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageCodec;
import org.cfs.chord.wire.MessageRegistry;
import org.cfs.dhash.DHashException;

/**
 * A host outside the ring that sends DHash's store and fetch messages straight to one node, as
 * {@code DHashMessages} documents them (types 64..66, errors as code 100 + kind), from a loopback
 * address of its own, without DHash's client. No lookup: every request lands on the node named,
 * and it is charged to this host's queue there. It can send what an honest client never would,
 * such as bytes under a key they do not hash to: the flood benchmark and the refusal tests use it.
 */
public final class BlockWire implements AutoCloseable {
    /** DHash error replies carry this plus the kind's code. */
    private static final int DHASH_ERROR_BASE = 100;
    private static final int MAX_BLOCK_BYTES = 4 * 1024 * 1024;

    private record StoreBlock(Id key, byte[] block, boolean replica) implements Message {
    }

    private record FetchBlock(Id key, boolean expiredToo) implements Message {
    }

    private record Fetched(byte[] block, boolean fromCache) implements Message {
    }

    private final NettyTransport transport;
    private final Duration timeout;

    /** A host whose connections come from {@code localHost}; each request waits at most {@code timeout}. */
    public BlockWire(String localHost, Duration timeout) {
        this.transport = NettyTransport.client(registry(), NettyTransport.Options.defaults().withLocalHost(localHost));
        this.timeout = timeout;
    }

    private static MessageRegistry registry() {
        return MessageRegistry.chord().toBuilder().addAll(List.of(
                MessageCodec.of(64, StoreBlock.class,
                        (m, out) -> out.id(m.key()).bytes(m.block()).bool(m.replica()),
                        in -> new StoreBlock(in.id("key"), in.bytes("block", MAX_BLOCK_BYTES), in.bool("replica"))),
                MessageCodec.of(65, FetchBlock.class,
                        (m, out) -> out.id(m.key()).bool(m.expiredToo()),
                        in -> new FetchBlock(in.id("key"), in.bool("expiredToo"))),
                MessageCodec.of(66, Fetched.class,
                        (m, out) -> out.bytes(m.block()).bool(m.fromCache()),
                        in -> new Fetched(in.bytes("block", MAX_BLOCK_BYTES), in.bool("fromCache")))))
                .build();
    }

    /** Asks {@code to} to store {@code block} (an encoded block) under {@code key}, as a writer would. */
    public CompletableFuture<Message> store(Endpoint to, Id key, byte[] block) {
        return store(to, key, block, false);
    }

    /** As {@link #store(Endpoint, Id, byte[])}, or as a replica copying it when {@code replica}. */
    public CompletableFuture<Message> store(Endpoint to, Id key, byte[] block, boolean replica) {
        return request(to, new StoreBlock(key, block, replica));
    }

    /** The bytes {@code at} serves for {@code key}. */
    public CompletableFuture<byte[]> fetch(Endpoint at, Id key) {
        return request(at, new FetchBlock(key, false)).thenApply(reply -> {
            if (!(reply instanceof Fetched fetched)) {
                throw new IllegalStateException(at + " answered a fetch of " + key.shortHex() + " with "
                        + reply.getClass().getSimpleName());
            }
            return fetched.block();
        });
    }

    private CompletableFuture<Message> request(Endpoint to, Message message) {
        try {
            return transport.request(to, message, timeout);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The kind of a node's DHash refusal, or null if {@code error} is not one (a timeout, a lost connection). */
    public static DHashException.Kind refusal(Throwable error) {
        TransportException te = TransportException.unwrap(error);
        if (te == null || te.reason() != TransportException.Reason.REMOTE) {
            return null;
        }
        int code = te.remote().code() - DHASH_ERROR_BASE;
        for (DHashException.Kind kind : DHashException.Kind.values()) {
            if (kind.code() == code) {
                return kind;
            }
        }
        return null;
    }

    @Override
    public void close() {
        transport.close();
    }
}
