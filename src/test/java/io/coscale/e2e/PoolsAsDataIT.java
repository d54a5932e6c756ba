package io.coscale.e2e;

import org.junit.jupiter.api.Test;

/**
 * Pools as data across two replicas with 50 pools, in every build ({@link PoolsAsData}); the 1,000 pools of the
 * issue's "done when" run in the bench profile ({@code io.coscale.bench.PoolsAsDataBenchmark}), since ECS's
 * CreateService and DescribeServices budgets make their set-up and checks take minutes.
 */
class PoolsAsDataIT {

    @Test
    void poolsCreatedThroughOneReplicaAreServedByTheOtherWithinTenSeconds() throws Exception {
        new PoolsAsData(50).run();
    }
}
