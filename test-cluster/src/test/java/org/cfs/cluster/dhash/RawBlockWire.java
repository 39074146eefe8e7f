package org.cfs.cluster.dhash;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.TransportException;
import org.cfs.chord.netty.NettyTransport;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageCodec;
import org.cfs.chord.wire.MessageRegistry;
import org.cfs.dhash.DHashException;

/**
 * A peer that speaks DHash's store and fetch messages directly, as documented in
 * {@code DHashMessages} (types 64..66, errors as code 100 + kind), without DHash's client: it can
 * send what an honest client never would, such as bytes under a key they do not hash to.
 */
final class RawBlockWire implements AutoCloseable {
    /** DHash error replies carry this plus the kind's code. */
    private static final int DHASH_ERROR_BASE = 100;
    private static final int MAX_BLOCK_BYTES = 4 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record StoreBlock(Id key, byte[] block, boolean replica) implements Message {
    }

    record FetchBlock(Id key, boolean expiredToo) implements Message {
    }

    record Fetched(byte[] block, boolean fromCache) implements Message {
    }

    private final NettyTransport transport = NettyTransport.client(registry(), NettyTransport.Options.defaults());

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

    /** Sends {@code bytes} to {@code to} to be stored under {@code key}; the refusal's kind, or null if stored. */
    DHashException.Kind store(Endpoint to, Id key, byte[] bytes, boolean replica) throws Exception {
        return refusal(transport.request(to, new StoreBlock(key, bytes, replica), TIMEOUT));
    }

    /** The bytes {@code at} serves for {@code key}. */
    byte[] fetch(Endpoint at, Id key) throws Exception {
        Message reply = transport.request(at, new FetchBlock(key, false), TIMEOUT).get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        return ((Fetched) reply).block();
    }

    /** Asks {@code at} for {@code key}; the refusal's kind, or null if it served the block. */
    DHashException.Kind fetchRefusal(Endpoint at, Id key) throws Exception {
        return refusal(transport.request(at, new FetchBlock(key, false), TIMEOUT));
    }

    private static DHashException.Kind refusal(CompletableFuture<Message> reply) throws Exception {
        try {
            reply.get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            TransportException te = TransportException.unwrap(e.getCause());
            if (te == null || te.reason() != TransportException.Reason.REMOTE) {
                throw new AssertionError("expected a DHash error reply, got " + e.getCause(), e.getCause());
            }
            return DHashException.Kind.fromCode(te.remote().code() - DHASH_ERROR_BASE);
        } catch (TimeoutException e) {
            throw new AssertionError("no reply within " + TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
