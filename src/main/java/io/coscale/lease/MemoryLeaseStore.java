package io.coscale.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The lease in this process's memory: the local default, where one process is the only replica and leads from its
 * first heartbeat. Several keepers may share one instance (tests), which then behaves as a DynamoDB table would.
 */
public class MemoryLeaseStore implements LeaseStore {

    // @GuardedBy("this")
    private final Map<String, LeaseItem> items = new HashMap<>();

    @Override
    public synchronized Optional<LeaseItem> read(String name) {
        return Optional.ofNullable(items.get(name));
    }

    @Override
    public synchronized boolean write(LeaseItem item, long expectedVersion) {
        LeaseItem current = items.get(item.name());
        long version = current == null ? ABSENT : current.version();
        if (version != expectedVersion) {
            return false;
        }
        items.put(item.name(), item);
        return true;
    }
}
