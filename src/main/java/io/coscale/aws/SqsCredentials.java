package io.coscale.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;

/**
 * The credentials {@link SqsWire} signs with, from the SDK's provider (the same one the SDK client uses), without
 * ever resolving them on the calling thread: the provider may block (an ECS task role's credentials are fetched over
 * HTTP), and calls start on the event loop. Credentials in hand are used until {@link #EXPIRY_MARGIN} before they
 * expire; from {@link #REFRESH_AHEAD} before (or {@link #REFRESH_AHEAD} after they were resolved, for credentials
 * without an expiry) one refresh at a time runs on {@code executor} while calls go on with those in hand. Only a call
 * that finds none usable waits for a refresh, as a future.
 */
public final class SqsCredentials {

    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
    static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);

    private record Held(AwsCredentialsIdentity identity, long resolvedAtNanos) {
    }

    private final IdentityProvider<? extends AwsCredentialsIdentity> provider;
    private final Executor executor;
    private final LongSupplier nanoClock;
    private volatile Held held;
    // @GuardedBy("this"): the refresh running now, if any
    private CompletableFuture<Held> refresh;

    public SqsCredentials(IdentityProvider<? extends AwsCredentialsIdentity> provider, Executor executor) {
        this(provider, executor, System::nanoTime);
    }

    SqsCredentials(IdentityProvider<? extends AwsCredentialsIdentity> provider, Executor executor, LongSupplier nanoClock) {
        this.provider = provider;
        this.executor = executor;
        this.nanoClock = nanoClock;
    }

    /** Credentials to sign with now; completes at once unless none usable are in hand. Never blocks. */
    CompletableFuture<AwsCredentialsIdentity> current() {
        Held h = held;
        if (h != null && usable(h)) {
            if (dueForRefresh(h)) {
                refresh();
            }
            return CompletableFuture.completedFuture(h.identity());
        }
        return refresh().thenApply(Held::identity);
    }

    private boolean usable(Held h) {
        return h.identity().expirationTime()
                .map(expiry -> Instant.now().isBefore(expiry.minus(EXPIRY_MARGIN)))
                .orElse(true);
    }

    private boolean dueForRefresh(Held h) {
        return h.identity().expirationTime()
                .map(expiry -> !Instant.now().isBefore(expiry.minus(REFRESH_AHEAD)))
                .orElse(nanoClock.getAsLong() - h.resolvedAtNanos() >= REFRESH_AHEAD.toNanos());
    }

    private synchronized CompletableFuture<Held> refresh() {
        if (refresh != null) {
            return refresh;
        }
        CompletableFuture<Held> started = CompletableFuture.supplyAsync(
                () -> new Held(provider.resolveIdentity().join(), nanoClock.getAsLong()), executor);
        refresh = started;
        started.whenComplete((fresh, failure) -> {
            if (fresh != null) {
                held = fresh;
            }
            synchronized (this) {
                if (refresh == started) {
                    refresh = null;
                }
            }
        });
        return started;
    }
}
