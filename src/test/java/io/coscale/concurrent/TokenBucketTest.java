package io.coscale.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves by hand. */
class TokenBucketTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void aFullBucketAllowsItsBurstThenRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(50, 5, nanos::get);
        for (int i = 0; i < 50; i++) {
            assertThat(bucket.tryAcquire()).as("call %d of the burst", i + 1).isTrue();
        }
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilAvailable()).isEqualTo(200_000_000L);

        nanos.addAndGet(199_000_000L);
        assertThat(bucket.tryAcquire()).isFalse();
        nanos.addAndGet(1_000_000L);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void refillNeverExceedsCapacity() {
        TokenBucket bucket = new TokenBucket(3, 5, nanos::get);
        nanos.addAndGet(3_600_000_000_000L);
        int taken = 0;
        while (bucket.tryAcquire()) {
            taken++;
        }
        assertThat(taken).isEqualTo(3);
    }

    @Test
    void nonsenseSizesAreRefused() {
        assertThatThrownBy(() -> new TokenBucket(0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
