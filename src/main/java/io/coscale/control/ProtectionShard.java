package io.coscale.control;

/**
 * What UpdateTaskProtection calls are merged by: a cluster, and a shard of its tasks. Each shard has one call in
 * flight at a time, so a cluster has up to {@link #SHARDS}: claims of many tasks do not queue behind one round trip,
 * while the changes of one task, always in the same shard, keep their order.
 */
record ProtectionShard(String cluster, int shard) {

    static final int SHARDS = 8;

    static ProtectionShard of(String cluster, String taskArn) {
        return new ProtectionShard(cluster, Math.floorMod(taskArn.hashCode(), SHARDS));
    }
}
