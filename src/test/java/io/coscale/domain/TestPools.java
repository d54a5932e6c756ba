package io.coscale.domain;

import java.time.Duration;

/** Builds valid pools for tests, varying only what a test is about. */
final class TestPools {

    private TestPools() {
    }

    static Pool pool(int min, int max) {
        return pool(min, max, Mode.PROTECT, 1, 60);
    }

    static Pool pool(int min, int max, Mode mode, int messagesPerTask, long scaleInIdleSeconds) {
        return new Pool("demo", "cluster-1", "workers", "http://127.0.0.1:9324/000000000000/demo",
                min, max, mode, messagesPerTask, 60, Duration.ofSeconds(scaleInIdleSeconds));
    }
}
