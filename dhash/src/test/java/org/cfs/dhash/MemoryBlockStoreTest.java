package org.cfs.dhash;

import java.time.Clock;

class MemoryBlockStoreTest extends BlockStoreContract {
    @Override
    protected BlockStore create(StoreLimits limits, Clock clock) {
        return new MemoryBlockStore(limits, clock);
    }
}
