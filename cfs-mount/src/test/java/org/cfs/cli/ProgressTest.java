package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private List<String> lines() {
        return printed().lines().toList();
    }

    @Test
    void plainOutputIsStepsAsTheyComeAndAStatusLineOnlyOncePerInterval() {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        Progress progress = new PlainProgress("publish", 3, 3L << 20, out, now::get, Duration.ofSeconds(5));
        progress.addFiles(1);
        progress.addBytes(1L << 20);
        progress.step("skipped photos/raw.cr2: unreadable");
        now.addAndGet(5 * SECOND);
        progress.addBytes(1L << 20);
        now.addAndGet(4 * SECOND);
        progress.addFiles(1);
        progress.addBytes(512L << 10);
        now.addAndGet(1 * SECOND);
        progress.addFiles(1);
        progress.addBytes(512L << 10);
        progress.close();
        progress.close();
        assertEquals(List.of(
                "skipped photos/raw.cr2: unreadable",
                "publish: 1/3 files, 2 MiB of 3 MiB, 409.6 KiB/s",
                "publish: 3/3 files, 2.5 MiB of 3 MiB, 256 KiB/s",
                "publish: 3/3 files, 3 MiB of 3 MiB, 307.2 KiB/s in 10.0 s"), lines());
        assertFalse(printed().contains("\r"), "plain output never redraws");
    }

    @Test
    void unknownTotalsAreLeftOutAndNothingIsPrintedAfterClose() {
        AtomicLong now = new AtomicLong();
        Progress progress = new PlainProgress("get", Progress.UNKNOWN, Progress.UNKNOWN, out, now::get,
                Duration.ofSeconds(5));
        progress.addFiles(2);
        progress.addBytes(900);
        progress.close();
        now.addAndGet(60 * SECOND);
        progress.addBytes(1);
        assertEquals(List.of("get: 2 files, 900 B in 0.0 s"), lines());
        assertEquals(2, progress.files());
        assertEquals(901, progress.bytes());

        bytes.reset();
        Progress one = new PlainProgress("get", Progress.UNKNOWN, Progress.UNKNOWN, out, now::get,
                Duration.ofSeconds(5));
        one.addFiles(1);
        one.addBytes(3L << 20);
        now.addAndGet(2 * SECOND);
        one.close();
        assertEquals(List.of("get: 1 file, 3 MiB, 1.5 MiB/s in 2.0 s"), lines());
    }

    @Test
    void progressOnlyGrowsAndTotalsAreKnownOrMinusOne() {
        Progress progress = new PlainProgress("get", 1, 1, out, System::nanoTime, Duration.ofSeconds(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> progress.addBytes(-5));
        assertEquals("get: cannot add -5 bytes; progress only grows", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> progress.addFiles(-1));
        assertThrows(IllegalArgumentException.class,
                () -> Progress.start("get", -2, 0, out, false));
    }

    @Test
    void plainOutputFromManyThreadsKeepsLinesWholeAndCountsExact() throws Exception {
        int threads = 8;
        int perThread = 2000;
        // Every read of the clock is a millisecond later, so status lines fall due while threads race.
        AtomicLong now = new AtomicLong();
        Progress progress = new PlainProgress("publish", (long) threads * perThread, (long) threads * perThread * 512,
                out, () -> now.addAndGet(1_000_000), Duration.ofSeconds(1));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    progress.addBytes(512);
                    progress.addFiles(1);
                    if (i % 500 == 0) {
                        progress.step("thread " + thread + " at " + i);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        progress.close();

        Pattern status = Pattern.compile("publish: \\d+/16000 files, [\\d.]+ [KM]?i?B of 7\\.8 MiB, [\\d.]+ [KM]?i?B/s");
        Pattern step = Pattern.compile("thread \\d at \\d+");
        List<String> lines = lines();
        long statusLines = lines.stream().filter(l -> status.matcher(l).matches()).count();
        long stepLines = lines.stream().filter(l -> step.matcher(l).matches()).count();
        assertEquals(threads * 4, stepLines);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("publish: 16000/16000 files, 7.8 MiB of 7.8 MiB, ") && last.endsWith(" s"), last);
        // The clock moved 1 ms per read, about two reads per add: one status per second, at most.
        double seconds = now.get() / 1e9;
        assertTrue(statusLines >= 2 && statusLines <= seconds + 1,
                statusLines + " status lines in " + seconds + " s");
        assertEquals(lines.size(), stepLines + statusLines + 1, () -> "a line torn apart: " + lines);
        assertEquals((long) threads * perThread, progress.files());
        assertEquals((long) threads * perThread * 512, progress.bytes());
    }

    @Test
    void theBarDrawsToTheStreamWithStepsAboveItAndEndsItsLine() throws Exception {
        Progress progress = new TerminalProgress("publish", 10, 64L << 20, out, 100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 16; i++) {
                    progress.addBytes(1L << 20);
                    if (i % 8 == 7) {
                        progress.addFiles(1);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        progress.step("skipped photos/raw.cr2: unreadable");
        progress.close();
        progress.close();
        progress.step("after the bar");

        String printed = printed();
        assertTrue(printed.contains("\r"), "a bar redraws in place");
        assertTrue(printed.contains("skipped photos/raw.cr2: unreadable" + System.lineSeparator()), printed);
        List<String> lines = lines();
        assertEquals("after the bar", lines.get(lines.size() - 1));
        String finalBar = lines.get(lines.size() - 2);
        String lastDraw = finalBar.substring(finalBar.lastIndexOf('\r') + 1);
        assertTrue(lastDraw.startsWith("publish 100%"), lastDraw);
        assertTrue(lastDraw.contains("64/64 MiB"), lastDraw);
        assertTrue(lastDraw.contains("MiB/s"), lastDraw);
        assertTrue(lastDraw.contains("8/10 files"), lastDraw);
        assertTrue(lastDraw.length() <= 100, lastDraw);
    }

    @Test
    void aBarClosedAtOnceStillEndsItsLineOnce() {
        // Often closed before the library's first refresh, which is where it would end the line.
        for (int i = 0; i < 50; i++) {
            bytes.reset();
            Progress progress = new TerminalProgress("get", 1, 1, out, 80);
            progress.close();
            progress.step("next");
            String printed = printed();
            assertTrue(printed.endsWith(System.lineSeparator() + "next" + System.lineSeparator()), printed);
            assertEquals(2, printed.chars().filter(c -> c == '\n').count(), printed);
        }
    }

    @Test
    void aBarWithUnknownTotalsCountsSmallAmountsInKibibytesOnlyWhenTheTotalIsSmall() {
        Progress unknown = new TerminalProgress("get", Progress.UNKNOWN, Progress.UNKNOWN, out, 120);
        unknown.addBytes(3L << 20);
        unknown.addFiles(2);
        unknown.close();
        String last = lines().get(lines().size() - 1);
        String draw = last.substring(last.lastIndexOf('\r') + 1);
        assertTrue(draw.contains("3/? MiB") && draw.contains("2 files"), draw);

        bytes.reset();
        Progress small = new TerminalProgress("get", 1, 100 << 10, out, 120);
        small.addBytes(100 << 10);
        small.close();
        String smallLast = lines().get(lines().size() - 1);
        assertTrue(smallLast.contains("100/100 KiB"), smallLast);
    }
}
