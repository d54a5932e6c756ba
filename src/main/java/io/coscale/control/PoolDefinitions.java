package io.coscale.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.coscale.aws.QueueGateway;
import io.coscale.config.PoolsJson;
import io.coscale.domain.Pool;

/**
 * A pool's definition as JSON, the pools document's spelling of one pool, both ways: read by the document's own rules
 * ({@link PoolsJson#definition}, then {@link PoolLoader}), and written in one canonical form, the form the store keeps
 * and the API shows (a queue named by {@code queue-name} is kept by its URL, so that no replica has to look it up).
 */
public final class PoolDefinitions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PoolDefinitions() {
    }

    /**
     * The pool {@code json} defines.
     *
     * @throws MalformedDefinition the text is not a definition (not JSON, a key unknown, missing or of the wrong type), or
     *     the name cannot be a pool's
     * @throws IllegalArgumentException the definition breaks a rule of pools (bounds, mode, …); the message names the key
     */
    static Pool parse(String name, String json, QueueGateway queues) {
        io.coscale.config.PoolsConfig.PoolConfig settings;
        try {
            PoolLoader.checkName(name);
            settings = PoolsJson.definition(name, json);
        } catch (IllegalArgumentException e) {
            throw new MalformedDefinition(e.getMessage(), e);
        }
        return PoolLoader.pool(name, settings, queues);
    }

    /** {@code pool}'s definition in canonical form: every key, defaults spelt out, the queue by URL. */
    public static String canonical(Pool pool) {
        ObjectNode node = JSON.createObjectNode();
        node.put("cluster", pool.cluster());
        node.put("service", pool.service());
        node.put("queue-url", pool.queueUrl());
        node.put("min-tasks", pool.minTasks());
        node.put("max-tasks", pool.maxTasks());
        node.put("mode", pool.mode().wireName());
        node.put("messages-per-task", pool.messagesPerTask());
        node.put("protection-minutes", pool.protectionMinutes());
        node.put("scale-in-idle", pool.scaleInIdle().toString());
        return node.toString();
    }

    /** A definition that is not one: malformed JSON, or keys the pools document does not know or of the wrong type. */
    public static final class MalformedDefinition extends IllegalArgumentException {
        MalformedDefinition(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
