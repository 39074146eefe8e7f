package org.cfs.chord.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.epoll.Epoll;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.RemoteException;
import org.cfs.chord.TransportException;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.FindStep;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.ChordMessages.StepReply;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyTransportTest {
    static final Duration LONG = Duration.ofSeconds(30);
    static final Endpoint ANY_PORT = new Endpoint("127.0.0.1", 0);

    private final ExecutorService replyThread = Executors.newSingleThreadExecutor();
    private final StubHandler handler = new StubHandler(replyThread);
    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
        replyThread.shutdownNow();
    }

    private NettyTransport server() {
        return track(NettyTransport.bind(ANY_PORT, MessageRegistry.chord(), handler,
                NettyTransport.Options.defaults()));
    }

    private NettyTransport client() {
        return track(NettyTransport.client(MessageRegistry.chord(), NettyTransport.Options.defaults()));
    }

    private NettyTransport track(NettyTransport transport) {
        transports.add(transport);
        return transport;
    }

    @Test
    void requestAndReplyOverLoopback() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();
        assertEquals("127.0.0.1", server.local().host());
        assertTrue(server.local().port() > 0, "bound port " + server.local().port());
        assertEquals(new Endpoint("0.0.0.0", 0), client.local());

        Message reply = client.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS);
        assertEquals(new Ack(), reply);
        assertEquals(List.of("127.0.0.1"), handler.senders);
        awaitNoOutstandingRequests(client);
    }

    @Test
    void aRefusalWithAReadPauseLeavesThatConnectionUnreadAndServesOthers() throws Exception {
        NettyTransport server = server();
        NettyTransport flooder = client();
        NettyTransport other = client();
        handler.slowDownPause = Duration.ofHours(1);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> flooder.request(server.local(), new Ping(StubHandler.SLOW_DOWN), LONG).get(5, TimeUnit.SECONDS));
        assertEquals(RemoteException.INTERNAL, TransportException.unwrap(refused.getCause()).remote().code());
        CompletableFuture<Message> unread = flooder.request(server.local(), new Ping(0), LONG);
        assertEquals(new Ack(), other.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
        assertThrows(TimeoutException.class, () -> unread.get(1, TimeUnit.SECONDS),
                "a request sent after the refusal waits in the flooder's socket");
        assertEquals(2, handler.senders.size(), "the refused request and the other client's: " + handler.senders);
    }

    @Test
    void aPausedConnectionIsReadAgainAfterThePause() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();
        handler.slowDownPause = Duration.ofMillis(200);
        assertThrows(ExecutionException.class,
                () -> client.request(server.local(), new Ping(StubHandler.SLOW_DOWN), LONG).get(5, TimeUnit.SECONDS));
        assertEquals(new Ack(), client.request(server.local(), new Ping(0), LONG).get(10, TimeUnit.SECONDS));
    }

    @Test
    void listeningTransportsAlsoSendRequests() throws Exception {
        NettyTransport a = server();
        NettyTransport b = server();
        assertEquals(new Ack(), a.request(b.local(), new Ping(1), LONG).get(5, TimeUnit.SECONDS));
        assertEquals(new Ack(), b.request(a.local(), new Ping(1), LONG).get(5, TimeUnit.SECONDS));
    }

    @Test
    void concurrentRequestsShareOneConnectionAndGetTheirOwnReplies() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();
        int perThread = 500;
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<List<Boolean>>> batches = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * perThread;
                batches.add(CompletableFuture.supplyAsync(() -> {
                    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
                    for (int i = base; i < base + perThread; i++) {
                        FindStep step = new FindStep(i % 16, Id.hash("k" + i), i);
                        checks.add(client.request(server.local(), step, LONG)
                                .thenApply(reply -> reply.equals(StubHandler.answerTo(step))));
                    }
                    return checks.stream().map(CompletableFuture::join).toList();
                }, senders));
            }
            for (CompletableFuture<List<Boolean>> batch : batches) {
                assertEquals(List.of(true), batch.get(20, TimeUnit.SECONDS).stream().distinct().toList());
            }
        } finally {
            senders.shutdownNow();
        }
        assertEquals(1, client.outboundConnections());
        assertEquals(1, server.inboundConnections());
        assertEquals(4 * perThread, handler.senders.size());
        awaitNoOutstandingRequests(client);
    }

    @Test
    void requestTimesOutWhenTheHandlerNeverAnswers() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();
        // A request with the long timeout beside it: timeouts are per request, so it must outlive the short one.
        CompletableFuture<Message> patient = client.request(server.local(), new Ping(StubHandler.HANG), LONG);
        TransportException e = failure(client.request(server.local(), new Ping(StubHandler.HANG),
                Duration.ofMillis(200)));
        assertEquals(Reason.TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
        assertTrue(handler.received.tryAcquire(2, 5, TimeUnit.SECONDS), "the requests did not reach the handler");
        assertFalse(patient.isDone(), () -> "the request with the 30 s timeout ended too: " + patient);
        patient.cancel(false);
        awaitNoOutstandingRequests(client);
        assertEquals(new Ack(), client.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
    }

    @Test
    void outstandingRequestsFailAtOnceWhenThePeerCloses() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();
        List<CompletableFuture<Message>> hanging = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            hanging.add(client.request(server.local(), new Ping(StubHandler.HANG), LONG));
        }
        assertTrue(handler.received.tryAcquire(3, 5, TimeUnit.SECONDS), "requests did not arrive");
        server.close();
        // CLOSED, not TIMEOUT: they failed because the peer went, well before their 30 s timeout.
        for (CompletableFuture<Message> request : hanging) {
            assertEquals(Reason.CLOSED, failure(request).reason());
        }
        awaitNoOutstandingRequests(client);
    }

    @Test
    void peerThatComesBackOnTheSamePortIsReachedAgain() throws Exception {
        NettyTransport first = server();
        NettyTransport client = client();
        Endpoint address = first.local();
        client.request(address, new Ping(0), LONG).get(5, TimeUnit.SECONDS);
        first.close();
        awaitTrue(() -> client.outboundConnections() == 0, () -> "the dead connection was never dropped");
        track(NettyTransport.bind(address, MessageRegistry.chord(), handler, NettyTransport.Options.defaults()));
        assertEquals(new Ack(), client.request(address, new Ping(0), LONG).get(5, TimeUnit.SECONDS));
    }

    @Test
    void closedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        NettyTransport client = client();
        TransportException e = failure(client.request(new Endpoint("127.0.0.1", port), new Ping(0), LONG));
        assertEquals(Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(0, client.outboundConnections());
    }

    @Test
    void handlerFailuresBecomeErrorReplies() throws Exception {
        NettyTransport server = server();
        NettyTransport client = client();

        TransportException remote = failure(client.request(server.local(), new Ping(StubHandler.REMOTE_ERROR), LONG));
        assertEquals(Reason.REMOTE, remote.reason());
        assertEquals(RemoteException.NO_SUCH_VNODE, remote.remote().code());
        assertEquals("no vnode 101", remote.remote().getMessage());

        TransportException thrown = failure(client.request(server.local(), new Ping(StubHandler.THROW), LONG));
        assertEquals(RemoteException.INTERNAL, thrown.remote().code());
        assertEquals("handler bug on purpose", thrown.remote().getMessage());

        TransportException unencodable = failure(client.request(server.local(),
                new Ping(StubHandler.UNREGISTERED_REPLY), LONG));
        assertEquals(RemoteException.INTERNAL, unencodable.remote().code());
        assertTrue(unencodable.remote().getMessage().contains("is not registered"), unencodable.getMessage());

        TransportException unsupported = failure(client.request(server.local(), new StepReply(true, List.of(),
                List.of(), false), LONG));
        assertEquals(RemoteException.UNSUPPORTED, unsupported.remote().code());
        // Error replies are ordinary traffic: the connection stays up.
        assertEquals(1, client.outboundConnections());
        assertEquals(new Ack(), client.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
    }

    @Test
    void unencodableRequestsAreRefusedAtOnce() throws Exception {
        NettyTransport client = client();
        Endpoint nowhere = new Endpoint("127.0.0.1", 9);
        assertThrows(IllegalArgumentException.class, () -> client.request(nowhere, new Message() { }, LONG));
        assertThrows(IllegalArgumentException.class, () -> client.request(nowhere, new Ping(70000), LONG));
        assertThrows(IllegalArgumentException.class, () -> client.request(nowhere, new Ping(0), Duration.ZERO));
        awaitNoOutstandingRequests(client);
    }

    @Test
    void closeIsIdempotentFailsLaterRequestsAndLeavesNoThreads() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        NettyTransport server = server();
        NettyTransport client = client();
        client.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS);
        String serverThread = "cfs-netty-" + server.local().port() + "-1";
        assertTrue(liveThreadNames().contains(serverThread), "no thread " + serverThread + " in " + liveThreadNames());
        assertTrue(liveThreadNames().contains("cfs-netty-client-1"), "threads: " + liveThreadNames());

        CompletableFuture<Message> hanging = client.request(server.local(), new Ping(StubHandler.HANG), LONG);
        assertTrue(handler.received.tryAcquire(2, 5, TimeUnit.SECONDS));
        client.close();
        client.close();
        server.close();
        server.close();
        assertEquals(Reason.CLOSED, failure(hanging).reason());
        assertEquals(Reason.CLOSED, failure(client.request(server.local(), new Ping(0), LONG)).reason());

        awaitTrue(() -> liveThreadNames().stream().noneMatch(name -> name.startsWith("cfs-netty-")),
                () -> "threads left: " + liveThreadNames());
        // Netty runs some close notifications on its shared globalEventExecutor thread, which ends
        // itself after a second of quiet: wait for threads to end rather than judge one instant.
        Supplier<Set<Thread>> leftovers = () -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
        awaitTrue(() -> leftovers.get().isEmpty(), () -> "non-daemon threads left behind: " + leftovers.get());
    }

    @Test
    void bindingATakenPortFailsCleanly() {
        NettyTransport server = server();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> NettyTransport.bind(server.local(),
                MessageRegistry.chord(), handler, NettyTransport.Options.defaults().withUseEpoll(false)));
        assertTrue(e.getMessage().startsWith("cannot listen on " + server.local()), e.getMessage());
    }

    @Test
    void nioWorksWhereverEpollDoesNot() throws Exception {
        NettyTransport.Options nio = NettyTransport.Options.defaults().withUseEpoll(false).withIoThreads(2);
        NettyTransport server = track(NettyTransport.bind(ANY_PORT, MessageRegistry.chord(), handler, nio));
        NettyTransport client = track(NettyTransport.client(MessageRegistry.chord(), nio));
        assertSame(IoBackend.NIO, server.backend());
        assertEquals(new Ack(), client.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
        assertSame(Epoll.isAvailable() ? IoBackend.EPOLL : IoBackend.NIO, server().backend());
    }

    @Test
    void optionsRefuseNonsense() {
        NettyTransport.Options defaults = NettyTransport.Options.defaults();
        assertEquals(4 * 1024 * 1024 + 1024, defaults.maxFrameLength());
        assertEquals(1, defaults.ioThreads());
        assertEquals(16, defaults.maxVnodes());
        assertMessage("maxFrameLength 100", () -> defaults.withMaxFrameLength(100));
        assertMessage("connectTimeout PT0S", () -> defaults.withConnectTimeout(Duration.ZERO));
        assertMessage("ioThreads 0", () -> defaults.withIoThreads(0));
        assertMessage("maxVnodes 0", () -> defaults.withMaxVnodes(0));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    /** The TransportException a request fails with, waiting at most 5 s. */
    static TransportException failure(CompletableFuture<Message> request) throws Exception {
        try {
            Message reply = request.get(5, TimeUnit.SECONDS);
            return fail("expected a failure, got " + reply);
        } catch (ExecutionException e) {
            TransportException te = TransportException.unwrap(e);
            assertNotNull(te, "failed with " + e.getCause());
            assertInstanceOf(TransportException.class, e.getCause());
            return te;
        }
    }

    /** Bookkeeping is dropped just after a request's future completes, so this may lag a moment. */
    static void awaitNoOutstandingRequests(NettyTransport transport) throws InterruptedException {
        awaitTrue(() -> transport.outstandingRequests() == 0,
                () -> transport.outstandingRequests() + " requests left");
    }

    static void awaitTrue(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            Thread.sleep(10);
        }
    }

    private static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
