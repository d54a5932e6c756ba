package io.coscale.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.concurrent.Threads;
import io.coscale.config.AuthConfig;
import io.coscale.config.EcsConfig;
import io.coscale.config.LocalConfig;
import io.coscale.config.TokenSecretSource;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * {@code coscale.auth.token-secret} read from Secrets Manager: once, on the first {@link #current()} (start-up's auth
 * check), failing start-up if it cannot be read; then every {@code coscale.auth.token-refresh} on a thread of its own,
 * keeping the keys last read when a read fails. Logs key names when they change, never a value.
 */
@Singleton
public class SecretsManagerTokenSecret implements TokenSecretSource {

    private static final Logger LOG = Logger.getLogger(SecretsManagerTokenSecret.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final AuthConfig auth;
    private final EcsConfig ecs;
    private final LocalConfig local;
    private volatile Map<String, String> current;
    private SecretsManagerClient client;
    private ScheduledExecutorService refresher;

    SecretsManagerTokenSecret(AuthConfig auth, EcsConfig ecs, LocalConfig local) {
        this.auth = auth;
        this.ecs = ecs;
        this.local = local;
    }

    @Override
    public Map<String, String> current() {
        Map<String, String> keys = current;
        return keys != null ? keys : firstRead();
    }

    private synchronized Map<String, String> firstRead() {
        if (current != null) {
            return current;
        }
        Optional<String> secretId = auth.tokenSecret();
        if (secretId.isEmpty()) {
            current = Map.of();
            return current;
        }
        client = client();
        try {
            current = read(secretId.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException("coscale.auth.token-secret '" + secretId.get() + "' could not be read: "
                    + e.getMessage(), e);
        }
        LOG.infof("Token secret read: keys %s", current.keySet());
        long every = auth.tokenRefresh().toMillis();
        refresher = Executors.newSingleThreadScheduledExecutor(Threads.daemon("coscale-token-secret"));
        refresher.scheduleWithFixedDelay(() -> refresh(secretId.get()), every, every, TimeUnit.MILLISECONDS);
        return current;
    }

    private void refresh(String secretId) {
        try {
            Map<String, String> read = read(secretId);
            if (!read.equals(current)) {
                current = read;
                LOG.infof("Token secret changed: keys %s", read.keySet());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Token secret could not be read again (%s); the tokens last read stay accepted", e.getMessage());
        }
    }

    private Map<String, String> read(String secretId) {
        String value = client.getSecretValue(b -> b.secretId(secretId)).secretString();
        return keys(value);
    }

    /** The string values of a JSON object, by key; anything else is refused with the reason. */
    static Map<String, String> keys(String value) {
        JsonNode node;
        try {
            node = value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("its value is not JSON", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("its value is not a JSON object of token secrets");
        }
        Map<String, String> keys = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException("its key '" + field.getKey() + "' is not a string");
            }
            keys.put(field.getKey(), field.getValue().asText());
        }
        return Map.copyOf(keys);
    }

    private SecretsManagerClient client() {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                .credentialsProvider(AwsClientProducer.credentials(local.enabled()))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CALL_TIMEOUT)
                        .socketTimeout(CALL_TIMEOUT))
                .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT.multipliedBy(3)));
        auth.secretsEndpointOverride().ifPresent(builder::endpointOverride);
        AwsClientProducer.region(ecs.region(), local).map(Region::of).ifPresent(builder::region);
        return builder.build();
    }

    @PreDestroy
    void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
    }
}
