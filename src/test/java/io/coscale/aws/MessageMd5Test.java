package io.coscale.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SQS's message digests. The body's is plain MD5 (RFC 1321's test vectors); the attributes' encoding is checked here
 * against a digest computed by hand from SQS's documented layout, and end to end against ElasticMQ's own computation
 * in {@link SqsWireTest}, which accepts a send only when the digests SQS returned match.
 */
class MessageMd5Test {

    @Test
    void theBodysDigestIsTheMd5OfItsUtf8Bytes() {
        assertThat(MessageMd5.body("")).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(MessageMd5.body("abc")).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
    }

    @Test
    void theAttributesDigestFollowsSqsLayoutSortedByName() throws Exception {
        // name "a" (len 1), type "String" (len 6), transport 1, value "x" (len 1); then "b" likewise with "yz".
        byte[] layout = {
            0, 0, 0, 1, 'a', 0, 0, 0, 6, 'S', 't', 'r', 'i', 'n', 'g', 1, 0, 0, 0, 1, 'x',
            0, 0, 0, 1, 'b', 0, 0, 0, 6, 'S', 't', 'r', 'i', 'n', 'g', 1, 0, 0, 0, 2, 'y', 'z'};
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(layout));
        Map<String, String> unsorted = new LinkedHashMap<>();
        unsorted.put("b", "yz");
        unsorted.put("a", "x");

        assertThat(MessageMd5.attributes(unsorted)).isEqualTo(expected);
    }

    @Test
    void aMismatchSaysWhichDigestDiffersAndMissingDigestsAreNotChecked() {
        Map<String, String> attributes = Map.of("k", "v");
        String body = MessageMd5.body("b");
        String attrs = MessageMd5.attributes(attributes);

        assertThat(MessageMd5.mismatch("b", attributes, body, attrs)).isNull();
        assertThat(MessageMd5.mismatch("b", attributes, null, null)).isNull();
        assertThat(MessageMd5.mismatch("c", attributes, body, attrs)).contains("body");
        assertThat(MessageMd5.mismatch("b", Map.of("k", "w"), body, attrs)).contains("attributes");
    }
}
