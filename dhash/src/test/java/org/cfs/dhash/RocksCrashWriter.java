package org.cfs.dhash;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The victim of {@link RocksCrashTest}: writes random content-hash blocks into a
 * {@link RocksBlockStore} as fast as it can and prints each key once {@code put} has returned,
 * until it is killed. It stops by itself after a bounded burst, so a lost test run cannot leave
 * it writing forever.
 */
public final class RocksCrashWriter {
    static final int MAX_BLOCKS = 2000;
    static final String SOURCE = "writer:1";

    private RocksCrashWriter() {
    }

    public static void main(String[] args) throws DHashException {
        Path dir = Path.of(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        long deadline = System.nanoTime() + 120_000_000_000L;
        try (BlockStore store = RocksBlockStore.open(dir, StoreLimits.defaults())) {
            for (int i = 0; i < MAX_BLOCKS && System.nanoTime() < deadline; i++) {
                byte[] data = new byte[size(random)];
                random.nextBytes(data);
                ContentBlock block = new ContentBlock(data);
                store.put(block.key(), block.encode(), SOURCE);
                System.out.println(block.key().toHex());
                System.out.flush();
            }
        }
    }

    /** Mostly small blocks, some medium, a fifth up to the 1 MiB limit. */
    private static int size(SplittableRandom random) {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return random.nextInt(4096);
        }
        if (kind < 8) {
            return random.nextInt(64 * 1024);
        }
        return random.nextInt(Block.DEFAULT_MAX_DATA + 1);
    }
}
