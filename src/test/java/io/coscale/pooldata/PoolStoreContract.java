package io.coscale.pooldata;

import static org.assertj.core.api.Assertions.assertThat;

import io.coscale.pooldata.StoredPool.Origin;
import org.junit.jupiter.api.Test;

/** What every pool store does, run against each ({@link MemoryPoolStoreTest}, {@link DynamoDbPoolStoreTest}). */
abstract class PoolStoreContract {

    static final String A = "{\"cluster\":\"c\",\"max-tasks\":1}";
    static final String B = "{\"cluster\":\"c\",\"max-tasks\":2}";

    /** A store of its own for each test. */
    abstract PoolStore store();

    @Test
    void aWriteIsConditionalOnTheVersionSeenAndCountsAsAChange() {
        PoolStore store = store();
        long before = store.changes();

        StoredPool first = store.write("render", A, Origin.API, false, PoolStore.ABSENT).orElseThrow();
        assertThat(first).isEqualTo(new StoredPool("render", A, 1, Origin.API, false));
        assertThat(store.write("render", B, Origin.API, false, PoolStore.ABSENT)).as("create over an existing pool").isEmpty();
        assertThat(store.write("render", B, Origin.API, false, 7)).as("a stale version").isEmpty();
        StoredPool second = store.write("render", B, Origin.API, false, 1).orElseThrow();

        assertThat(second.version()).isEqualTo(2);
        assertThat(store.find("render")).contains(second);
        assertThat(store.find("other")).isEmpty();
        assertThat(store.all()).containsExactly(second);
        assertThat(store.changes()).isEqualTo(before + 2);
    }

    @Test
    void aDeletedPoolStaysAsATombstoneThatAPutRevives() {
        PoolStore store = store();
        store.write("render", A, Origin.API, false, PoolStore.ABSENT).orElseThrow();

        StoredPool deleted = store.write("render", A, Origin.API, true, 1).orElseThrow();
        StoredPool revived = store.write("render", B, Origin.API, false, 2).orElseThrow();

        assertThat(deleted.deleted()).isTrue();
        assertThat(revived).isEqualTo(new StoredPool("render", B, 3, Origin.API, false));
    }

    @Test
    void theDocumentAddsAndChangesItsOwnPoolsButNeverOnesTheApiWroteOrDeleted() {
        PoolStore store = store();
        assertThat(store.seed("doc", A)).as("a new pool").isTrue();
        long afterSeed = store.changes();
        assertThat(store.seed("doc", A)).as("the same definition again (every replica's start)").isFalse();
        assertThat(store.changes()).isEqualTo(afterSeed);
        assertThat(store.seed("doc", B)).as("the document changed its own pool").isTrue();
        assertThat(store.find("doc").orElseThrow()).isEqualTo(new StoredPool("doc", B, 2, Origin.DOCUMENT, false));

        store.write("doc", A, Origin.API, false, 2).orElseThrow();
        assertThat(store.seed("doc", B)).as("edited through the API: the store wins").isFalse();
        store.write("doc", A, Origin.API, true, 3).orElseThrow();
        assertThat(store.seed("doc", B)).as("deleted through the API: the document does not bring it back").isFalse();
        assertThat(store.find("doc").orElseThrow().deleted()).isTrue();
    }
}
