package org.cfs.cluster.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Transport;
import org.cfs.chord.TransportException;
import org.cfs.chord.wire.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DelayedTransportTest {
    private record Ping(int n) implements Message {
    }

    private static final String A = "10.77.9.1";
    private static final String B = "10.77.9.2";
    private static final Endpoint B_AT = new Endpoint(B, 7000);

    /** Answers every request at once with the request itself, noting when the first arrived. */
    private static final class Echo implements Transport {
        final AtomicLong arrived = new AtomicLong();
        int requests;
        boolean closed;

        @Override
        public Endpoint local() {
            return new Endpoint(A, 7000);
        }

        @Override
        public synchronized CompletableFuture<Message> request(Endpoint to, Message request, Duration timeout) {
            requests++;
            arrived.compareAndSet(0, System.nanoTime());
            return CompletableFuture.completedFuture(request);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static LinkDelays links(double loss) {
        return new LinkDelays(List.of(A, B), 1, Duration.ofMillis(40), Duration.ofMillis(40), Duration.ZERO, loss);
    }

    @Test
    void aRequestWaitsItsLinkEachWayAndGetsItsReply() throws Exception {
        Echo inner = new Echo();
        try (DelayedTransport t = new DelayedTransport(inner, A, links(0), 1)) {
            long t0 = System.nanoTime();
            Message reply = t.request(B_AT, new Ping(1), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            long total = System.nanoTime() - t0;
            assertEquals(new Ping(1), reply);
            assertTrue(inner.arrived.get() - t0 >= Duration.ofMillis(40).toNanos(), "held one way before sending");
            assertTrue(total >= Duration.ofMillis(80).toNanos(), "and one way back: " + total / 1e6 + " ms");
        }
        assertTrue(inner.closed, "closing closes the transport inside");
    }

    @Test
    void lostMessagesTimeOut() throws Exception {
        Echo inner = new Echo();
        try (DelayedTransport t = new DelayedTransport(inner, A, new LinkDelays(List.of(A, B), 1, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, 0.999), 1)) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> t.request(B_AT, new Ping(2), Duration.ofMillis(200)).get(10, TimeUnit.SECONDS));
            assertSame(TransportException.Reason.TIMEOUT, TransportException.unwrap(e).reason());
        }
    }

    @Test
    void closingFailsWhatIsInFlight() throws Exception {
        Echo inner = new Echo();
        DelayedTransport t = new DelayedTransport(inner, A, new LinkDelays(List.of(A, B), 1, Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ZERO, 0), 1);
        CompletableFuture<Message> held = t.request(B_AT, new Ping(3), Duration.ofSeconds(20));
        t.close();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> held.get(10, TimeUnit.SECONDS));
        assertSame(TransportException.Reason.CLOSED, TransportException.unwrap(e).reason());
        assertEquals(0, inner.requests, "nothing was sent");
        ExecutionException after = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> t.request(B_AT, new Ping(4), Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS));
        assertSame(TransportException.Reason.CLOSED, TransportException.unwrap(after).reason());
    }
}
