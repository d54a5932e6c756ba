package io.coscale.pooldata;

class MemoryPoolStoreTest extends PoolStoreContract {

    @Override
    PoolStore store() {
        return new MemoryPoolStore();
    }
}
