package io.coscale.local.sqs;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a request's AWS Signature Version 4 as AWS does ("Create a signed AWS API request"), so that the local cloud
 * refuses what SQS would refuse: ElasticMQ checks no signature, and a client that signs wrongly would pass every local
 * test and fail on its first call to AWS. The server side of SigV4: from the request as received (method, path,
 * query, the headers the {@code Authorization} header names, the body) it derives the canonical request, the string
 * to sign and the signature with the secret of the access key named, and compares. It also refuses a request dated
 * more than {@link #MAX_SKEW} from now, as AWS does.
 */
final class SigV4Check {

    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Why a request is refused: AWS's error code and message. */
    record Refusal(String code, String message) {
    }

    private SigV4Check() {
    }

    /**
     * @param headers the request's headers, names in any case
     * @param secretFor the secret of an access key, or null for a key this check does not know
     * @return null when the signature is right, or when the key is one {@code secretFor} does not know (the request
     *     is not checked); else why AWS would refuse it
     */
    static Refusal check(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
            Function<String, String> secretFor, Instant now) {
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        String authorization = first(lower, "authorization");
        if (authorization == null || !authorization.startsWith(ALGORITHM + " ")) {
            return new Refusal("MissingAuthenticationToken", "Request is missing Authentication Token");
        }
        Map<String, String> parts = new TreeMap<>();
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2) {
                parts.put(kv[0], kv[1]);
            }
        }
        String credential = parts.get("Credential");
        String signedHeaders = parts.get("SignedHeaders");
        String signature = parts.get("Signature");
        String[] scope = credential == null ? new String[0] : credential.split("/");
        if (scope.length != 5 || signedHeaders == null || signature == null || !"aws4_request".equals(scope[4])) {
            return new Refusal("IncompleteSignature", "Authorization header is malformed: " + authorization);
        }
        String secret = secretFor.apply(scope[0]);
        if (secret == null) {
            return null;
        }
        String amzDate = first(lower, "x-amz-date");
        Instant signedAt;
        try {
            signedAt = amzDate == null ? null : Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            signedAt = null;
        }
        if (signedAt == null || !amzDate.startsWith(scope[1])) {
            return new Refusal("IncompleteSignature", "X-Amz-Date is missing, malformed or not the credential's date");
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            return new Refusal("SignatureDoesNotMatch", "Signature expired: " + amzDate + " is more than 15 minutes from "
                    + AMZ_DATE.format(now));
        }
        StringBuilder canonical = new StringBuilder();
        canonical.append(method).append('\n').append(rawPath == null || rawPath.isEmpty() ? "/" : rawPath).append('\n')
                .append(canonicalQuery(rawQuery)).append('\n');
        for (String name : signedHeaders.split(";")) {
            List<String> values = lower.get(name);
            if (values == null) {
                return new Refusal("SignatureDoesNotMatch", "signed header '" + name + "' is not in the request");
            }
            canonical.append(name).append(':').append(String.join(",", values.stream().map(SigV4Check::trim).toList()))
                    .append('\n');
        }
        canonical.append('\n').append(signedHeaders).append('\n').append(hex(sha256(body)));
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + String.join("/", scope[1], scope[2], scope[3], scope[4])
                + "\n" + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, scope[4]);
        String expected = hex(hmac(key, stringToSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            return new Refusal("SignatureDoesNotMatch", "The request signature we calculated does not match the signature"
                    + " you provided. Check your AWS Secret Access Key and signing method.");
        }
        return null;
    }

    /** The query's parameters sorted by name (then value), each name and value encoded as SigV4 wants. */
    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            pairs.add(new String[] {encode(decode(kv[0])), encode(kv.length == 2 ? decode(kv[1]) : "")});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        return String.join("&", pairs.stream().map(kv -> kv[0] + "=" + kv[1]).toList());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** RFC 3986 unreserved characters as they are, everything else percent-encoded (space as %20, not +). */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    private static String trim(String value) {
        return value.trim().replaceAll(" +", " ");
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
