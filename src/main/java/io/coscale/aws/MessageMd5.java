package io.coscale.aws;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MD5 digests SQS returns for a message it accepted, computed as SQS documents them ("Calculating the MD5 message
 * digest for message attributes"), so that a send can check that what SQS stored is what was sent, as the SDK does.
 * The body's digest is the MD5 of its UTF-8 bytes. The attributes' digest covers every attribute sorted by name, each
 * encoded as: the name, the data type, a transport byte (1 for String values), the value; every string preceded by
 * its UTF-8 length as a 4-byte big-endian integer. coscale sends String attributes only.
 */
final class MessageMd5 {

    private static final byte STRING_TRANSPORT = 1;

    private MessageMd5() {
    }

    static String body(String body) {
        return hex(md5().digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    static String attributes(Map<String, String> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * attributes.size());
        new TreeMap<>(attributes).forEach((name, value) -> {
            lengthAndBytes(bytes, name);
            lengthAndBytes(bytes, "String");
            bytes.write(STRING_TRANSPORT);
            lengthAndBytes(bytes, value);
        });
        return hex(md5().digest(bytes.toByteArray()));
    }

    /**
     * Why SQS's digests do not match what was sent, or null when they do. A digest SQS did not return is not checked
     * (SQS returns the attributes' digest only for a message with attributes).
     */
    static String mismatch(String body, Map<String, String> attributes, String bodyMd5, String attributesMd5) {
        if (bodyMd5 != null && !bodyMd5.equalsIgnoreCase(body(body))) {
            return "the MD5 of the body SQS stored (" + bodyMd5 + ") is not that of the body sent";
        }
        if (attributesMd5 != null && !attributes.isEmpty() && !attributesMd5.equalsIgnoreCase(attributes(attributes))) {
            return "the MD5 of the attributes SQS stored (" + attributesMd5 + ") is not that of the attributes sent";
        }
        return null;
    }

    private static void lengthAndBytes(ByteArrayOutputStream out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(utf8.length).array());
        out.writeBytes(utf8);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
