package io.coscale.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pool definitions as one JSON document, {@code {"pools": {"<name>": {"cluster": …, "max-tasks": …}}}}, turned
 * into the {@code coscale.pools.<name>.<key>} properties that {@link PoolsConfig} maps. The keys inside a pool
 * are PoolsConfig's own ({@code queue-url}, {@code min-tasks}, …): the document is only another spelling of the
 * same settings, so it needs no rules of its own and PoolLoader validates a pool wherever it came from.
 *
 * <p>Pure: no files, no environment. {@link PoolsJsonConfigSourceFactory} finds the document.
 */
public final class PoolsJson {

    static final String PREFIX = "coscale.pools.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PoolsJson() {
    }

    /**
     * Flattens a pools document into properties.
     *
     * @param json the document
     * @param source where it came from (a setting and a file name, say), named in every error so that an operator
     *     knows which of several places to fix
     * @return {@code coscale.pools.<name>.<key>} to its value as text; a nested object adds a segment per level
     *     ({@code a.b}), an array an index ({@code key[0]}), a null nothing
     * @throws IllegalArgumentException when the text is not JSON, or not an object whose only member is a
     *     {@code pools} object of objects
     */
    public static Map<String, String> flatten(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": malformed JSON: " + e.getOriginalMessage()
                    + location(e), e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object {\"pools\": {\"<name>\": {…}}}");
        }
        Map<String, String> properties = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> member = it.next();
            // A misspelt top-level key ("pool") would otherwise define no pool at all, silently.
            if (!member.getKey().equals("pools")) {
                throw new IllegalArgumentException(source + ": unknown member \"" + member.getKey()
                        + "\"; the document is {\"pools\": {\"<name>\": {…}}}");
            }
            if (!member.getValue().isObject()) {
                throw new IllegalArgumentException(source + ": \"pools\" must be an object of pools by name");
            }
            for (Iterator<Map.Entry<String, JsonNode>> pools = member.getValue().fields(); pools.hasNext();) {
                Map.Entry<String, JsonNode> pool = pools.next();
                if (!pool.getValue().isObject()) {
                    throw new IllegalArgumentException(source + ": pool \"" + pool.getKey()
                            + "\" must be an object of settings (cluster, service, queue-url, max-tasks, …)");
                }
                add(properties, PREFIX + pool.getKey(), pool.getValue());
            }
        }
        return properties;
    }

    /**
     * One pool's definition, as the API takes it ({@code {"cluster": …, "max-tasks": …}}: the object the document
     * holds under the pool's name), mapped by {@link PoolsConfig} itself, so that defaults, types and required keys are
     * the document's rules and no others.
     *
     * @throws IllegalArgumentException when the text is not a JSON object, or a key is unknown, missing or not of its
     *     type; the message names the key
     */
    public static PoolsConfig.PoolConfig definition(String name, String json) {
        JsonNode body;
        try {
            body = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage() + location(e), e);
        }
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of settings (cluster, service, queue-url, max-tasks, …)");
        }
        ObjectNode document = JSON.createObjectNode();
        document.putObject("pools").set(name, body);
        try {
            return new SmallRyeConfigBuilder()
                    .withSources(new PropertiesConfigSource(flatten(document.toString(), "pool " + name), "pool " + name, 100))
                    // Quarkus's spelling of durations ("60s"), as the document's are read.
                    .withConverter(Duration.class, 100, new DurationConverter())
                    .withMapping(PoolsConfig.class)
                    .withValidateUnknown(true)
                    .build().getConfigMapping(PoolsConfig.class).pools().get(name);
        } catch (ConfigValidationException e) {
            StringBuilder reasons = new StringBuilder();
            for (int i = 0; i < e.getProblemCount(); i++) {
                reasons.append(i == 0 ? "" : "; ").append(e.getProblem(i).getMessage());
            }
            throw new IllegalArgumentException(reasons.toString(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The pool names a flattened document defines. */
    static Set<String> poolNames(Map<String, String> properties) {
        Set<String> names = new TreeSet<>();
        for (String key : properties.keySet()) {
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            names.add(dot < 0 ? rest : rest.substring(0, dot));
        }
        return names;
    }

    private static void add(Map<String, String> properties, String key, JsonNode value) {
        if (value.isObject()) {
            value.fields().forEachRemaining(e -> add(properties, key + "." + e.getKey(), e.getValue()));
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                add(properties, key + "[" + i + "]", value.get(i));
            }
        } else if (!value.isNull()) {
            // asText: a number or boolean as its JSON text, a string without its quotes.
            properties.put(key, value.asText());
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
