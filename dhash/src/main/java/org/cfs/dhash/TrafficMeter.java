package org.cfs.dhash;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageRegistry;

/**
 * A view of a transport that counts the bytes its requests and their replies take on the wire,
 * frames included, by encoding them as the Netty transport would. Maintenance sends through one,
 * so the cost of a round can be measured on any transport, the simulator's included.
 */
final class TrafficMeter implements Transport {
    private final Transport transport;
    private final FrameCodec codec;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    TrafficMeter(Transport transport, MessageRegistry registry) {
        this.transport = transport;
        this.codec = new FrameCodec(registry);
    }

    @Override
    public Endpoint local() {
        return transport.local();
    }

    @Override
    public CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
        sent.addAndGet(codec.encode(new Frame.Request(0, request)).length);
        return transport.request(to, request, timeout).whenComplete((reply, error) -> {
            if (reply != null) {
                received.addAndGet(codec.encode(new Frame.Response(0, reply)).length);
            }
        });
    }

    /** Bytes of requests sent and replies received so far. */
    long bytes() {
        return sent.get() + received.get();
    }

    long sent() {
        return sent.get();
    }

    long received() {
        return received.get();
    }

    /** The meter does not own the transport it watches. */
    @Override
    public void close() {
    }
}
