package io.coscale.control;

import io.coscale.aws.AwsCallException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** Retries transient AWS failures with capped exponential backoff and full jitter. */
public final class Backoff {

    private final int attempts;
    private final long baseMillis;
    private final long capMillis;

    public Backoff(int attempts, long baseMillis, long capMillis) {
        this.attempts = attempts;
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
    }

    /** Runs {@code call} until it succeeds, fails terminally, or has failed transiently {@code attempts} times. */
    public <T> T run(Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (AwsCallException e) {
                if (!e.isTransient() || attempt >= attempts) {
                    throw e;
                }
                Thread.sleep(delayMillis(attempt));
            }
        }
    }

    /** The pause before attempt {@code attempt + 1}: random in [0, min(cap, base·2^(attempt-1))]. */
    public long delayMillis(int attempt) {
        long ceiling = Math.min(capMillis, baseMillis << Math.min(attempt - 1, 20));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
