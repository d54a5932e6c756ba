package io.coscale.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Pool definitions from one place an operator edits, instead of one setting per pool and key:
 * <ul>
 * <li>{@code coscale.pools-file} ({@code COSCALE_POOLS_FILE}): the path of a JSON pools document;</li>
 * <li>{@code coscale.pools-json} ({@code COSCALE_POOLS_JSON}): the document itself, which on ECS a task
 * definition fills from an SSM parameter ({@code secrets[].valueFrom}).</li>
 * </ul>
 * Each becomes a config source of {@code coscale.pools.<name>.<key>} properties ({@link PoolsJson}), so
 * {@link PoolsConfig} and the pool loader see pools the way they always have. Both may be set; a pool defined in
 * both is refused rather than merged key by key, since half of one and half of the other is nobody's intent.
 *
 * <p>The sources' ordinal, {@value #ORDINAL}, sits above application.properties (250) and below environment
 * variables (300) and system properties (400): a single {@code COSCALE_POOLS_<NAME>_<KEY>} still overrides one
 * key of a document, which is how an operator tries a value out without editing the document.
 *
 * <p>Anything wrong (a missing file, malformed JSON, a pool in both) fails start-up with a message that names
 * the setting and, for a file, its path.
 */
public final class PoolsJsonConfigSourceFactory implements ConfigSourceFactory {

    static final String FILE = "coscale.pools-file";
    static final String JSON = "coscale.pools-json";
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<ConfigSource> sources = new ArrayList<>();
        String file = value(context, FILE);
        if (file != null) {
            String name = FILE + " (" + file + ")";
            sources.add(source(name, PoolsJson.flatten(read(Path.of(file), name), name)));
        }
        String json = value(context, JSON);
        if (json != null) {
            String name = JSON + " (COSCALE_POOLS_JSON)";
            sources.add(source(name, PoolsJson.flatten(json, name)));
        }
        refuseDoubleDefinitions(sources);
        return sources;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    private static String read(Path file, String name) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read the pools file: " + e, e);
        }
    }

    private static ConfigSource source(String name, Map<String, String> properties) {
        return new PropertiesConfigSource(properties, "pools document " + name, ORDINAL);
    }

    private static void refuseDoubleDefinitions(List<ConfigSource> sources) {
        if (sources.size() < 2) {
            return;
        }
        Set<String> inFile = PoolsJson.poolNames(sources.get(0).getProperties());
        Set<String> both = new TreeSet<>(PoolsJson.poolNames(sources.get(1).getProperties()));
        both.retainAll(inFile);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("pools " + both + " are defined in both " + FILE + " and " + JSON
                    + ": define each pool in one of them");
        }
    }
}
