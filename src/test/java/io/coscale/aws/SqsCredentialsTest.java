package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * Credentials for SqsWire: never resolved on the caller's thread, refreshed ahead of expiry while calls go on with
 * those in hand, one refresh at a time.
 */
class SqsCredentialsTest {

    /** Runs what it is given only when the test says so: a provider call that has not run yet is "still blocking". */
    private static final class HeldExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    private static final class Provider implements IdentityProvider<AwsCredentialsIdentity> {
        final AtomicInteger calls = new AtomicInteger();
        volatile Duration validFor;

        Provider(Duration validFor) {
            this.validFor = validFor;
        }

        @Override
        public Class<AwsCredentialsIdentity> identityType() {
            return AwsCredentialsIdentity.class;
        }

        @Override
        public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
            int n = calls.incrementAndGet();
            AwsCredentialsIdentity identity = validFor == null ? AwsCredentialsIdentity.create("key" + n, "secret")
                    : AwsSessionCredentials.builder().accessKeyId("key" + n).secretAccessKey("secret")
                            .sessionToken("token").expirationTime(Instant.now().plus(validFor)).build();
            return CompletableFuture.completedFuture(identity);
        }
    }

    @Test
    void theFirstCallWaitsForTheProviderOffTheCallersThread() {
        HeldExecutor executor = new HeldExecutor();
        Provider provider = new Provider(Duration.ofHours(1));
        SqsCredentials credentials = new SqsCredentials(provider, executor);

        CompletableFuture<AwsCredentialsIdentity> first = credentials.current();
        CompletableFuture<AwsCredentialsIdentity> second = credentials.current();

        assertThat(first).isNotDone();
        assertThat(provider.calls).hasValue(0);
        executor.runAll();
        assertThat(first.join().accessKeyId()).isEqualTo("key1");
        assertThat(second.join().accessKeyId()).isEqualTo("key1");
        assertThat(provider.calls).as("one refresh at a time").hasValue(1);
        assertThat(credentials.current()).isCompleted();
        assertThat(executor.tasks).isEmpty();
    }

    @Test
    void credentialsNearExpiryAreUsedWhileOneRefreshRunsAhead() {
        HeldExecutor executor = new HeldExecutor();
        Provider provider = new Provider(Duration.ofMinutes(3)); // inside the refresh window, outside the margin
        SqsCredentials credentials = new SqsCredentials(provider, executor);
        CompletableFuture<AwsCredentialsIdentity> first = credentials.current();
        executor.runAll();
        assertThat(first.join().accessKeyId()).isEqualTo("key1");

        provider.validFor = Duration.ofHours(1);
        CompletableFuture<AwsCredentialsIdentity> meanwhile = credentials.current();
        credentials.current();

        assertThat(meanwhile).isCompleted();
        assertThat(meanwhile.join().accessKeyId()).isEqualTo("key1");
        assertThat(executor.tasks).as("one refresh, not one per call").hasSize(1);
        executor.runAll();
        assertThat(credentials.current().join().accessKeyId()).isEqualTo("key2");
        assertThat(executor.tasks).isEmpty();
    }

    @Test
    void expiredCredentialsAreNeverSignedWith() {
        HeldExecutor executor = new HeldExecutor();
        Provider provider = new Provider(Duration.ofSeconds(10)); // inside the margin: unusable at once
        SqsCredentials credentials = new SqsCredentials(provider, executor);
        credentials.current();
        executor.runAll();

        provider.validFor = Duration.ofHours(1);
        CompletableFuture<AwsCredentialsIdentity> next = credentials.current();

        assertThat(next).isNotDone();
        executor.runAll();
        assertThat(next.join().accessKeyId()).isEqualTo("key2");
    }

    @Test
    void credentialsWithoutExpiryAreResolvedAgainInTheBackgroundEveryFewMinutes() {
        HeldExecutor executor = new HeldExecutor();
        Provider provider = new Provider(null);
        AtomicLong now = new AtomicLong();
        SqsCredentials credentials = new SqsCredentials(provider, executor, now::get);
        credentials.current();
        executor.runAll();

        now.addAndGet(SqsCredentials.REFRESH_AHEAD.toNanos() - 1);
        assertThat(credentials.current().join().accessKeyId()).isEqualTo("key1");
        assertThat(executor.tasks).isEmpty();
        now.addAndGet(1);
        assertThat(credentials.current().join().accessKeyId()).isEqualTo("key1");
        executor.runAll();
        assertThat(credentials.current().join().accessKeyId()).isEqualTo("key2");
        assertThat(Optional.of(provider.calls.get())).contains(2);
    }
}
