package io.coscale.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The in-memory store: the shared contract, and its bound. */
class MemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    final MemoryIdempotencyStore store = new MemoryIdempotencyStore(10_000);

    @Override
    IdempotencyStore store() {
        return store;
    }

    @Test
    void aFullStoreRefusesANewKeyRatherThanForgetALiveOne() {
        MemoryIdempotencyStore small = new MemoryIdempotencyStore(2);
        small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "a"), "fp", List.of("1"), T0, CLAIM, TTL), T0).join();
        small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "b"), "fp", List.of("2"), T0, CLAIM, TTL), T0).join();

        assertThatThrownBy(() -> small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "c"), "fp", List.of("3"),
                T0, CLAIM, TTL), T0).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IdempotencyStoreException.class);
        assertThat(small.find(new IdempotencyKey("p", "a"), T0).join()).isPresent();
        // A key it holds is still answered: the repeat finds its record.
        assertThat(small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "a"), "fp", List.of("9"), T0, CLAIM, TTL),
                T0).join()).isFalse();
    }

    @Test
    void expiredRecordsAreDroppedWhenTheStoreIsFull() {
        MemoryIdempotencyStore small = new MemoryIdempotencyStore(2);
        small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "a"), "fp", List.of("1"), T0, CLAIM, TTL), T0).join();
        small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "b"), "fp", List.of("2"), T0, CLAIM, TTL), T0).join();
        var later = T0.plus(TTL);

        assertThat(small.create(IdempotencyRecord.reserve(new IdempotencyKey("p", "c"), "fp", List.of("3"), later, CLAIM,
                TTL), later).join()).isTrue();
        assertThat(small.size()).isEqualTo(1);
    }
}
