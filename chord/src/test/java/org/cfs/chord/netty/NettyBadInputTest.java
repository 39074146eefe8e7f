package org.cfs.chord.netty;

import static org.cfs.chord.netty.NettyTransportTest.ANY_PORT;
import static org.cfs.chord.netty.NettyTransportTest.LONG;
import static org.cfs.chord.netty.NettyTransportTest.awaitTrue;
import static org.cfs.chord.netty.NettyTransportTest.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.chord.TransportException.Reason;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.ChordMessages.Notify;
import org.cfs.chord.wire.ChordMessages.Ping;
import org.cfs.chord.wire.Frame;
import org.cfs.chord.wire.FrameCodec;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peers sending bad bytes: each must lose its own connection, with one WARN line naming it and the
 * reason, while the listener and every other connection carry on.
 */
class NettyBadInputTest {
    private static final FrameCodec CODEC = new FrameCodec(MessageRegistry.chord());

    private final ExecutorService replyThread = Executors.newSingleThreadExecutor();
    private NettyTransport server;
    private NettyTransport goodClient;

    @BeforeEach
    void start() throws Exception {
        server = NettyTransport.bind(ANY_PORT, MessageRegistry.chord(), new StubHandler(replyThread),
                NettyTransport.Options.defaults());
        goodClient = NettyTransport.client(MessageRegistry.chord(), NettyTransport.Options.defaults());
        assertEquals(new Ack(), goodClient.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
    }

    @AfterEach
    void stop() {
        goodClient.close();
        server.close();
        replyThread.shutdownNow();
    }

    @Test
    void randomGarbage() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x7f; // a length over the limit: the first thing the server checks
        assertRejected(garbage, "exceeds the 4195328-byte limit");
    }

    @Test
    void garbageThatStartsWithAPlausibleLength() throws Exception {
        byte[] garbage = new byte[64];
        new Random(8).nextBytes(garbage);
        ByteBuffer.wrap(garbage).putInt(60);
        assertRejected(garbage, "frame");
    }

    @Test
    void oversizedLengthIsRefusedBeforeTheBodyArrives() throws Exception {
        assertRejected(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                "frame of 2147483647 bytes exceeds the 4195328-byte limit");
    }

    @Test
    void nodeWhoseIdDoesNotMatchItsAddress() throws Exception {
        Endpoint claimed = new Endpoint("127.0.0.1", 4000);
        NodeRef forged = new NodeRef(Id.hash("a spot I chose"), claimed, 0);
        byte[] frame = CODEC.encode(new Frame.Request(1, new Notify(0, forged)));
        assertRejected(frame, "Notify.candidate: node 127.0.0.1:4000#0 claims id " + forged.id().toHex());
    }

    @Test
    void unknownMessageType() throws Exception {
        byte[] frame = CODEC.encode(new Frame.Request(1, new Ping(0)));
        frame[7] = 99;
        assertRejected(frame, "unknown message type 99");
    }

    @Test
    void replyFrameSentToTheListener() throws Exception {
        assertRejected(CODEC.encode(new Frame.Response(1, new Ack())), "RESPONSE frame on an inbound connection");
    }

    @Test
    void connectionClosedInsideAFrame() throws Exception {
        byte[] frame = CODEC.encode(new Frame.Request(1, new Ping(0)));
        assertRejected(Arrays.copyOf(frame, 10), "connection closed inside a frame, 10 bytes into it");
    }

    @Test
    void malformedReplyFailsTheRequestsOnThatConnectionOnly() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             LogCapture log = new LogCapture()) {
            Endpoint fakePeer = new Endpoint("127.0.0.1", fake.getLocalPort());
            CompletableFuture<Message> request = goodClient.request(fakePeer, new Ping(0), LONG);
            try (Socket peer = fake.accept()) {
                peer.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(peer.getInputStream());
                in.readFully(new byte[in.readInt()]);
                peer.getOutputStream().write(new byte[] {0, 0, 0, 5, 1, 1, 0, 1, 0});
                // MALFORMED, not TIMEOUT: the bad reply ended the request, long before its 30 s timeout.
                assertEquals(Reason.MALFORMED, failure(request).reason());
                assertClosedByPeer(peer.getInputStream());
            }
            awaitTrue(() -> !log.warnings().isEmpty(), () -> "nothing was logged");
            assertEquals(new Ack(), goodClient.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), "warnings: " + warnings);
            assertTrue(warnings.get(0).contains("closing outbound connection to 127.0.0.1:" + fake.getLocalPort()
                    + ": frame of 5 bytes is shorter than the 12-byte header"), warnings.get(0));
        }
    }

    @Test
    void aPeerCannotAnswerRequestsSentToAnother() throws Exception {
        CompletableFuture<Message> toServer = goodClient.request(server.local(), new Ping(StubHandler.HANG), LONG);
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Endpoint fakePeer = new Endpoint("127.0.0.1", fake.getLocalPort());
            CompletableFuture<Message> toFake = goodClient.request(fakePeer, new Ping(0), LONG);
            try (Socket peer = fake.accept()) {
                peer.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(peer.getInputStream());
                byte[] request = new byte[in.readInt()];
                in.readFully(request);
                long ownId = ByteBuffer.wrap(request, 4, 8).getLong();
                // Request ids are sequential: answer every id near our own, then our own last.
                for (long id = Math.max(1, ownId - 8); id <= ownId + 8; id++) {
                    if (id != ownId) {
                        peer.getOutputStream().write(CODEC.encode(new Frame.Response(id, new Ack())));
                    }
                }
                peer.getOutputStream().write(CODEC.encode(new Frame.Response(ownId, new Ack())));
                assertEquals(new Ack(), toFake.get(5, TimeUnit.SECONDS));
            }
        }
        assertFalse(toServer.isDone(), "a reply from the wrong peer completed " + toServer);
    }

    /**
     * Sends {@code bytes} from a raw socket and checks that the server closes that socket, logs one
     * WARN line with the socket's address and {@code reason}, and goes on serving the connection that
     * was already open and a new one.
     */
    private void assertRejected(byte[] bytes, String reason) throws Exception {
        try (LogCapture log = new LogCapture()) {
            int rawPort;
            try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.local().port())) {
                rawPort = raw.getLocalPort();
                raw.setSoTimeout(5000);
                OutputStream out = raw.getOutputStream();
                out.write(bytes);
                out.flush();
                raw.shutdownOutput();
                assertClosedByPeer(raw.getInputStream());
            }
            // A frame cut short is noticed as the connection closes, so the line may follow the close.
            awaitTrue(() -> !log.warnings().isEmpty(), () -> "nothing was logged");
            String warning = log.warnings().get(0);
            assertTrue(warning.contains("closing inbound connection from 127.0.0.1:" + rawPort + ": "), warning);
            assertTrue(warning.contains(reason), "expected '" + reason + "' in " + warning);

            assertEquals(new Ack(), goodClient.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
            assertEquals(1, goodClient.outboundConnections(), "the good client's connection was disturbed");
            awaitTrue(() -> server.inboundConnections() == 1, () -> "the bad connection is still open");
            try (NettyTransport another = NettyTransport.client(MessageRegistry.chord(),
                    NettyTransport.Options.defaults())) {
                assertEquals(new Ack(), another.request(server.local(), new Ping(0), LONG).get(5, TimeUnit.SECONDS));
            }
            assertEquals(1, log.warnings().size(), "warnings: " + log.warnings());
        }
    }

    /** Reads until the peer closes: end of stream or a reset, but never a byte of reply. */
    private static void assertClosedByPeer(InputStream in) throws IOException {
        try {
            assertEquals(-1, in.read(), "the peer answered instead of closing");
        } catch (SocketException reset) {
            assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
        }
    }
}
