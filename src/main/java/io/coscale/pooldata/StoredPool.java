package io.coscale.pooldata;

/**
 * One pool as the store keeps it.
 *
 * @param name the pool's name
 * @param definition the pool's settings as a JSON object, the pools document's spelling ({@code {"cluster": …}});
 *     the last definition a deleted pool had
 * @param version 1 for the first write, one more for each write after; the API's ETag
 * @param origin who wrote it last
 * @param deleted whether the pool was deleted (the item stays, so that the pools document does not bring it back)
 */
public record StoredPool(String name, String definition, long version, Origin origin, boolean deleted) {

    /** Who wrote a pool last. */
    public enum Origin {
        /** The pools document (file, setting or SSM parameter), at a replica's start. */
        DOCUMENT,
        /** The API ({@code PUT} or {@code DELETE /v1/pools/{pool}}). */
        API
    }
}
