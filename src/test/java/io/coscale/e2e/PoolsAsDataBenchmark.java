package io.coscale.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The "done when" for pools as data: {@code bench.pools-as-data.count} pools (default 1,000) created through
 * one replica and served by the other within 10 s ({@link PoolsAsData}). {@code ./mvnw -B -Pbench verify
 * -Dit.test=PoolsAsDataBenchmark}; packages first.
 */
@Tag("benchmark")
class PoolsAsDataBenchmark {

    @Test
    void aThousandPoolsCreatedThroughOneReplicaAreServedByTheOtherWithinTenSeconds() throws Exception {
        new PoolsAsData(Integer.getInteger("bench.pools-as-data.count", 1_000)).run();
    }
}
