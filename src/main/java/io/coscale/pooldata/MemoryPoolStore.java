package io.coscale.pooldata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The pool store of one process (local mode, tests): what the API writes lives as long as the process. */
public class MemoryPoolStore implements PoolStore {

    private final Map<String, StoredPool> pools = new TreeMap<>();
    private long changes;

    @Override
    public synchronized long changes() {
        return changes;
    }

    @Override
    public synchronized List<StoredPool> all() {
        return new ArrayList<>(pools.values());
    }

    @Override
    public synchronized Optional<StoredPool> find(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    @Override
    public synchronized Optional<StoredPool> write(String name, String definition, StoredPool.Origin origin,
            boolean deleted, long expectedVersion) {
        StoredPool current = pools.get(name);
        long version = current == null ? ABSENT : current.version();
        if (version != expectedVersion) {
            return Optional.empty();
        }
        StoredPool written = new StoredPool(name, definition, version + 1, origin, deleted);
        pools.put(name, written);
        changes++;
        return Optional.of(written);
    }

    @Override
    public synchronized boolean seed(String name, String definition) {
        StoredPool current = pools.get(name);
        if (current != null && (current.origin() == StoredPool.Origin.API || current.definition().equals(definition))) {
            return false;
        }
        return write(name, definition, StoredPool.Origin.DOCUMENT, false,
                current == null ? ABSENT : current.version()).isPresent();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
