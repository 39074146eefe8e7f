package org.cfs.dhash;

class MemoryBlockStoreTest extends BlockStoreContract {
    @Override
    protected BlockStore create(StoreLimits limits) {
        return new MemoryBlockStore(limits);
    }
}
