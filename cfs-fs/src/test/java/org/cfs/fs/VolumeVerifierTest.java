package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashException;
import org.cfs.dhash.PutResult;
import org.cfs.dhash.SigningKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify a published volume in memory blocks, healthy and with blocks removed, damaged or thinly held. */
class VolumeVerifierTest {
    private static final byte[] LABEL = "verify".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final VolumeRoundTripTest.TestClock clock = new VolumeRoundTripTest.TestClock();
    private MemoryBlocks blocks;
    private Snapshot snapshot;

    @BeforeEach
    void setUp() throws Exception {
        blocks = new MemoryBlocks(clock);
        Path tree = Files.createDirectory(dir.resolve("tree"));
        Files.write(tree.resolve("small"), "small".getBytes(StandardCharsets.UTF_8));
        Files.write(tree.resolve("one-chunk"), random(3000, 1));
        Path sub = Files.createDirectories(tree.resolve("sub/deeper"));
        Files.write(sub.resolve("big.bin"), random(800_000, 2));
        // The same content twice: its blocks are checked once.
        Files.write(tree.resolve("copy.bin"), random(800_000, 2));
        Path wide = Files.createDirectory(tree.resolve("wide"));
        for (int i = 0; i < 600; i++) {
            Files.write(wide.resolve("entry-" + i), new byte[] {(byte) i});
        }
        Files.createSymbolicLink(tree.resolve("link"), Path.of("sub"));
        SigningKey key = SigningKey.generate(new SecureRandom());
        Publication p = new Publisher(blocks, SeenVersions.inMemory(), clock, TIMEOUT, new FastCdc(1024, 4096, 16384),
                new Publisher.Listener() {
                }).publish(tree, key, LABEL, Publisher.Options.defaults());
        snapshot = new Volumes(blocks, SeenVersions.inMemory(), clock, TIMEOUT, 1 << 20).open(p.volume());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private VolumeVerifier.Report verify(VolumeVerifier.Options options) throws VolumeException {
        return VolumeVerifier.verify(snapshot, options, new VolumeVerifier.Listener() {
        });
    }

    /** Every content block stored: one version was published, so all of them are its blocks. */
    private Set<Id> contentKeys() {
        return blocks.keys().stream().filter(k -> !k.equals(snapshot.volume())).collect(java.util.stream.Collectors.toSet());
    }

    private long contentBytes() throws Exception {
        long sum = 0;
        for (Id k : contentKeys()) {
            sum += ((ContentBlock) Block.decode(blocks.raw(k), Block.DEFAULT_MAX_DATA)).data().length;
        }
        return sum;
    }

    @Test
    void healthyVolumeHasEveryBlockCheckedOnce() throws Exception {
        long[] heard = new long[2];
        VolumeVerifier.Report r = VolumeVerifier.verify(snapshot, VolumeVerifier.Options.defaults(),
                new VolumeVerifier.Listener() {
                    @Override
                    public void checked(long blocks, long bytes) {
                        heard[0] = blocks;
                        heard[1] = bytes;
                    }
                });
        assertEquals(r.blocks(), heard[0]);
        assertEquals(r.bytes(), heard[1]);
        assertTrue(r.healthy(), r.toString());
        assertEquals(contentKeys().size(), r.blocks());
        assertEquals(contentBytes(), r.bytes());
        assertEquals(0, r.missing());
        assertEquals(0, r.corrupt());
        assertEquals(0, r.uncheckedSubtrees());
        assertFalse(r.replicasCounted());
        assertEquals(snapshot.version(), r.version());
        // The wide directory spans several blocks, so branch blocks were walked too.
        DirEntry wide = snapshot.stat(VolumePath.parse("wide"));
        assertTrue(DirectoryCodec.decode(((ContentBlock) Block.decode(blocks.raw(wide.ref()),
                Block.DEFAULT_MAX_DATA)).data()).level() > 0, "wide is a single block; the test needs a tree");
    }

    @Test
    void missingChunksAreAllReportedWithKeyAndPath() throws Exception {
        List<ChunkRef> chunks = snapshot.open(VolumePath.parse("sub/deeper/big.bin")).chunks();
        ChunkRef lost = chunks.get(7);
        long offset = chunks.subList(0, 7).stream().mapToLong(ChunkRef::length).sum();
        Id single = snapshot.stat(VolumePath.parse("one-chunk")).ref();
        blocks.remove(lost.ref());
        blocks.remove(single);
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertFalse(r.healthy());
        assertEquals(2, r.missing());
        assertEquals(0, r.corrupt());
        assertEquals(contentKeys().size(), r.blocks());
        Map<Id, VolumeVerifier.Problem> byKey = byKey(r.missingBlocks());
        assertEquals(Set.of(lost.ref(), single), byKey.keySet());
        VolumeVerifier.Problem big = byKey.get(lost.ref());
        // big.bin and copy.bin share their chunks; whichever was met first is named.
        assertTrue(Set.of(VolumePath.parse("sub/deeper/big.bin"), VolumePath.parse("copy.bin")).contains(big.path()),
                big.toString());
        assertTrue(big.reason().contains("held by none of the 3 replica hosts"), big.reason());
        assertTrue(big.reason().endsWith("(a chunk at byte " + offset + " of the file)"), big.reason());
        assertEquals(VolumePath.parse("one-chunk"), byKey.get(single).path());
    }

    @Test
    void aMissingDirectoryBlockReportsItsSubtreeAsUnchecked() throws Exception {
        DirEntry sub = snapshot.stat(VolumePath.parse("sub"));
        blocks.remove(sub.ref());
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertEquals(1, r.missing());
        assertEquals(1, r.uncheckedSubtrees());
        VolumeVerifier.Problem p = r.missingBlocks().get(0);
        assertEquals(sub.ref(), p.key());
        assertEquals(VolumePath.parse("sub"), p.path());
        assertTrue(p.reason().endsWith("(a directory block); the 1 entries under it could not be checked"), p.reason());
        // The subtree's own blocks were not reached; big.bin's chunks were, through copy.bin.
        assertEquals(contentKeys().size() - 1, r.blocks());
    }

    @Test
    void corruptBlocksAreReportedAndTheWalkGoesOn() throws Exception {
        Id damaged = snapshot.stat(VolumePath.parse("one-chunk")).ref();
        blocks.replace(damaged, new ContentBlock("something else".getBytes(StandardCharsets.UTF_8)).encode());
        Id list = snapshot.stat(VolumePath.parse("sub/deeper/big.bin")).ref();
        blocks.replace(list, new ContentBlock("not a list".getBytes(StandardCharsets.UTF_8)).encode());
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertEquals(0, r.missing());
        assertEquals(2, r.corrupt());
        assertEquals(1, r.uncheckedSubtrees());
        Map<Id, VolumeVerifier.Problem> byKey = byKey(r.corruptBlocks());
        assertEquals(VolumePath.parse("one-chunk"), byKey.get(damaged).path());
        assertTrue(byKey.get(damaged).reason().contains("(a chunk at byte 0 of the file)"), byKey.get(damaged).reason());
        // Both copies of the big file share this list; whichever was met first is named.
        assertTrue(Set.of(VolumePath.parse("sub/deeper/big.bin"), VolumePath.parse("copy.bin"))
                .contains(byKey.get(list).path()), byKey.get(list).toString());
        assertTrue(byKey.get(list).reason().endsWith("; the 800000 bytes of the file under it could not be checked"),
                byKey.get(list).reason());
    }

    @Test
    void aWellHashedBlockThatDisagreesWithItsReferenceIsCorrupt() throws Exception {
        ContentBlock chunk = new ContentBlock(random(4000, 9));
        blocks.put(chunk).join();
        DirEntry liar = new DirEntry("liar".getBytes(StandardCharsets.UTF_8), EntryKind.CHUNK_FILE, 0644, 5000, 0,
                chunk.key(), null);
        Id root = TreeWriter.writeDirectory(List.of(liar), b -> blocks.put(b).join());
        Commit c = new Commit(1, 0, "", root, 1, 0755, 0, null, 1, 1, 5000);
        ContentBlock commit = new ContentBlock(c.encode());
        blocks.put(commit).join();
        VolumeHead head = new VolumeHead(Id.hash("crafted"), 0, 1, commit.key(), new byte[32], LABEL, Long.MAX_VALUE);
        snapshot = new Snapshot(new BlockReader(blocks, TIMEOUT, 1 << 20), head, commit.key(), c);
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertEquals(1, r.corrupt());
        VolumeVerifier.Problem p = r.corruptBlocks().get(0);
        assertEquals(chunk.key(), p.key());
        assertEquals(VolumePath.parse("liar"), p.path());
        assertEquals("a chunk of 4000 bytes where 5000 belong (a chunk at byte 0 of the file)", p.reason());
    }

    @Test
    void listsKeepTheFirstHundredAndCountsCoverAll() throws Exception {
        List<ChunkRef> chunks = snapshot.open(VolumePath.parse("copy.bin")).chunks();
        assertTrue(chunks.size() > 150, chunks.size() + " chunks");
        chunks.subList(0, 150).forEach(c -> blocks.remove(c.ref()));
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertEquals(150, r.missing());
        assertEquals(VolumeVerifier.KEPT, r.missingBlocks().size());
    }

    @Test
    void replicaCountsFindThinlyHeldBlocks() throws Exception {
        Id thin = snapshot.open(VolumePath.parse("copy.bin")).chunks().get(0).ref();
        Id root = snapshot.commit().root();
        blocks.holdersOf.put(thin, 1);
        blocks.holdersOf.put(root, 2);
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults().withReplicas(3));
        assertTrue(r.replicasCounted());
        int total = contentKeys().size();
        assertEquals(Map.of(1, 1L, 2, 1L, 3, (long) total - 2), r.holders());
        assertEquals(2, r.underReplicated());
        Map<Id, VolumeVerifier.Problem> byKey = byKey(r.underReplicatedBlocks());
        assertEquals("held by 1 of 3 replica hosts (a chunk at byte 0 of the file)", byKey.get(thin).reason());
        assertEquals("held by 2 of 3 replica hosts (a directory block)", byKey.get(root).reason());
        assertFalse(r.healthy());
        assertTrue(verify(VolumeVerifier.Options.defaults().withReplicas(2)).underReplicated() == 1);
    }

    @Test
    void aFailedReplicaCountIsReportedNotFatal() throws Exception {
        Id unknown = snapshot.commit().root();
        Blocks flaky = new Blocks() {
            @Override
            public CompletableFuture<Block> get(Id key) {
                return blocks.get(key);
            }

            @Override
            public CompletableFuture<Block> getIncludingExpired(Id key) {
                return blocks.getIncludingExpired(key);
            }

            @Override
            public CompletableFuture<PutResult> put(Block block) {
                return blocks.put(block);
            }

            @Override
            public CompletableFuture<PutResult> putMissing(ContentBlock block) {
                return blocks.putMissing(block);
            }

            @Override
            public CompletableFuture<Integer> holders(Id key) {
                return key.equals(unknown) ? CompletableFuture.failedFuture(new DHashException(
                        DHashException.Kind.UNAVAILABLE, "lookup of " + key + " timed out")) : blocks.holders(key);
            }
        };
        snapshot = new Snapshot(new BlockReader(flaky, TIMEOUT, 1 << 20), snapshot.head(), snapshot.commitRef(),
                snapshot.commit());
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults().withReplicas(3));
        assertEquals(contentKeys().size(), r.blocks());
        assertEquals(1, r.underReplicated());
        VolumeVerifier.Problem p = r.underReplicatedBlocks().get(0);
        assertEquals(unknown, p.key());
        assertEquals("replica count unknown: lookup of " + unknown + " timed out (a directory block)", p.reason());
    }

    @Test
    void aStoreThatThrowsInsteadOfFailingItsFutureIsReportedNotFatal() throws Exception {
        Id bad = snapshot.stat(VolumePath.parse("one-chunk")).ref();
        Blocks throwing = new Blocks() {
            @Override
            public CompletableFuture<Block> get(Id key) {
                if (key.equals(bad)) {
                    throw new IllegalStateException("store closed");
                }
                return blocks.get(key);
            }

            @Override
            public CompletableFuture<Block> getIncludingExpired(Id key) {
                return blocks.getIncludingExpired(key);
            }

            @Override
            public CompletableFuture<PutResult> put(Block block) {
                return blocks.put(block);
            }

            @Override
            public CompletableFuture<PutResult> putMissing(ContentBlock block) {
                return blocks.putMissing(block);
            }
        };
        snapshot = new Snapshot(new BlockReader(throwing, TIMEOUT, 1 << 20), snapshot.head(), snapshot.commitRef(),
                snapshot.commit());
        VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults());
        assertEquals(1, r.missing());
        assertEquals(bad, r.missingBlocks().get(0).key());
        assertTrue(r.missingBlocks().get(0).reason().contains("store closed"), r.missingBlocks().get(0).reason());
        assertEquals(contentKeys().size() - 1, r.blocks());
    }

    @Test
    void countingReplicasOnAStoreThatCannotIsRefused() {
        Blocks plain = delegate(blocks);
        snapshot = new Snapshot(new BlockReader(plain, TIMEOUT, 1 << 20), snapshot.head(), snapshot.commitRef(),
                snapshot.commit());
        VolumeException e = assertThrows(VolumeException.class,
                () -> verify(VolumeVerifier.Options.defaults().withReplicas(3)));
        assertEquals(VolumeException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().endsWith("cannot count replicas: this block store cannot count the replicas of a block"),
                e.getMessage());
    }

    @Test
    void fetchesRunConcurrentlyWithinTheBound() throws Exception {
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger now = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            Blocks slow = new Blocks() {
                private <T> CompletableFuture<T> delayed(Supplier<CompletableFuture<T>> op) {
                    most.accumulateAndGet(now.incrementAndGet(), Math::max);
                    CompletableFuture<T> out = new CompletableFuture<>();
                    later.schedule(() -> {
                        now.decrementAndGet();
                        op.get().whenComplete((v, e) -> {
                            if (e != null) {
                                out.completeExceptionally(e);
                            } else {
                                out.complete(v);
                            }
                        });
                    }, 200, TimeUnit.MICROSECONDS);
                    return out;
                }

                @Override
                public CompletableFuture<Block> get(Id key) {
                    return delayed(() -> blocks.get(key));
                }

                @Override
                public CompletableFuture<Block> getIncludingExpired(Id key) {
                    return blocks.getIncludingExpired(key);
                }

                @Override
                public CompletableFuture<PutResult> put(Block block) {
                    return blocks.put(block);
                }

                @Override
                public CompletableFuture<PutResult> putMissing(ContentBlock block) {
                    return blocks.putMissing(block);
                }

                @Override
                public CompletableFuture<Integer> holders(Id key) {
                    return delayed(() -> blocks.holders(key));
                }
            };
            snapshot = new Snapshot(new BlockReader(slow, TIMEOUT, 1 << 20), snapshot.head(), snapshot.commitRef(),
                    snapshot.commit());
            VolumeVerifier.Report r = verify(VolumeVerifier.Options.defaults().withReplicas(3).withMaxInFlight(5));
            assertTrue(r.healthy(), r.toString());
            assertEquals(contentKeys().size(), r.blocks());
            assertTrue(most.get() <= 5, "at most 5 in flight, saw " + most.get());
            assertTrue(most.get() > 1, "fetches should overlap, saw " + most.get());
        } finally {
            later.shutdownNow();
        }
    }

    private static Blocks delegate(Blocks to) {
        return new Blocks() {
            @Override
            public CompletableFuture<Block> get(Id key) {
                return to.get(key);
            }

            @Override
            public CompletableFuture<Block> getIncludingExpired(Id key) {
                return to.getIncludingExpired(key);
            }

            @Override
            public CompletableFuture<PutResult> put(Block block) {
                return to.put(block);
            }

            @Override
            public CompletableFuture<PutResult> putMissing(ContentBlock block) {
                return to.putMissing(block);
            }
        };
    }

    private static Map<Id, VolumeVerifier.Problem> byKey(List<VolumeVerifier.Problem> problems) {
        return problems.stream().collect(java.util.stream.Collectors.toMap(VolumeVerifier.Problem::key, p -> p));
    }
}
