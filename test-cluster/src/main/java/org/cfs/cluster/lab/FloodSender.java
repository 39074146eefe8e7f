package org.cfs.cluster.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.cluster.BlockWire;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flooding host of {@code lab flood-real}, run as a process of its own: stores new blocks
 * straight at one node, open loop at a fixed rate whatever the node answers, from its own
 * loopback address, until a line "stop" or the end of its standard input (or --max-seconds). It
 * prints "flooding" when it starts and ends with one JSON object: what it sent, what was stored,
 * what was refused and why.
 */
@Command(name = "flood-sender", hidden = true, mixinStandardHelpOptions = true,
        description = "The flooder process of flood-real: stores blocks at one node at a fixed rate until"
                + " 'stop' on stdin.")
final class FloodSender implements Callable<Integer> {
    /** Longest a store may go unanswered; one still outstanding after it counts as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Longest it waits for the answers still outstanding once told to stop. */
    private static final Duration DRAIN = REQUEST_TIMEOUT.plusSeconds(5);
    /** How often the sending loop wakes to send what has come due. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @Option(names = "--node", required = true, paramLabel = "HOST:PORT", description = "The node to flood.")
    String node;

    @Option(names = "--from", required = true, paramLabel = "HOST", description = "Loopback address to send from.")
    String from;

    @Option(names = "--rate", defaultValue = "10000", description = "Stores a second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "1024", description = "Block size in bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--bad-keys", description = "Send every block under a key it does not hash to, so the node"
            + " refuses it after decoding, before any disk write.")
    boolean badKeys;

    @Option(names = "--max-in-flight", defaultValue = "100000", description = "Most stores outstanding; one"
            + " due while this many are counts as not sent (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--max-seconds", defaultValue = "600", description = "Stops by itself after this long"
            + " (default ${DEFAULT-VALUE}).")
    int maxSeconds;

    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong refusedBusy = new AtomicLong();
    private final AtomicLong refusedOther = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || size < 1 || maxInFlight < 1 || maxSeconds < 1) {
            throw new IllegalArgumentException("--rate, --size, --max-in-flight and --max-seconds must each be at"
                    + " least 1");
        }
        Endpoint target = Endpoint.parse(node);
        AtomicBoolean stop = new AtomicBoolean();
        Thread listener = new Thread(() -> awaitStop(stop), "flood-stop");
        listener.setDaemon(true);
        listener.start();
        long sent = 0;
        long notSent = 0;
        double seconds;
        try (BlockWire wire = new BlockWire(from, REQUEST_TIMEOUT)) {
            SplittableRandom random = new SplittableRandom(17);
            System.out.println("flooding");
            System.out.flush();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(maxSeconds);
            long now = start;
            while (!stop.get() && now < end) {
                long due = (long) ((now - start) / 1e9 * rate);
                while (sent + notSent < due) {
                    if (inFlight.get() >= maxInFlight) {
                        notSent++;
                    } else {
                        send(wire, target, random);
                        sent++;
                    }
                }
                TimeUnit.NANOSECONDS.sleep(TICK_NANOS);
                now = System.nanoTime();
            }
            seconds = (System.nanoTime() - start) / 1e9;
            long drainEnd = System.nanoTime() + DRAIN.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < drainEnd) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        long answered = stored.get() + refusedBusy.get() + refusedOther.get() + failed.get();
        new Report("flood-sender").put("seconds", seconds).put("sent", sent).put("not_sent", notSent)
                .put("stored", stored.get()).put("refused_busy", refusedBusy.get())
                .put("refused_other", refusedOther.get()).put("failed", failed.get() + (sent - answered))
                .print(System.out, true);
        return 0;
    }

    private void send(BlockWire wire, Endpoint target, SplittableRandom random) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        ContentBlock block = new ContentBlock(data);
        Id key = badKeys ? Id.hash(block.key().toBytes()) : block.key();
        inFlight.incrementAndGet();
        wire.store(target, key, block.encode()).whenComplete((ok, e) -> {
            inFlight.decrementAndGet();
            if (e == null) {
                stored.incrementAndGet();
                return;
            }
            DHashException.Kind kind = BlockWire.refusal(e);
            (kind == null ? failed : kind == DHashException.Kind.UNAVAILABLE ? refusedBusy : refusedOther)
                    .incrementAndGet();
        });
    }

    /** Sets {@code stop} on a line "stop" or the end of standard input. */
    private static void awaitStop(AtomicBoolean stop) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line = in.readLine();
            while (line != null && !line.strip().equals("stop")) {
                line = in.readLine();
            }
        } catch (IOException e) {
            System.err.println("flood-sender: standard input failed (" + e.getMessage() + "); stopping");
        } finally {
            stop.set(true);
        }
    }
}
