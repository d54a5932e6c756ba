package io.coscale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up ends whatever happens: at the first failure, or at its bound when something never answers; and while it
 * runs, its synthetic jobs go through the send path to the stand-in for SQS. Its effect on a replica (readiness, no job
 * enqueued, no count changed) is {@link WarmUpReadinessTest}'s.
 */
class WarmUpTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aRefusedConnectionToItsOwnApiEndsItEarly() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        WarmUp warmUp = new WarmUp(vertx, new ObjectMapper(), Duration.ofMinutes(5), true, Optional.empty());
        warmUp.onStart(null);
        warmUp.onHttpStart(new HttpServerStart(new HttpServerOptions().setPort(closed)));

        await().atMost(Duration.ofSeconds(20)).until(() -> !warmUp.warming());
    }

    @Test
    void anApiThatNeverAnswersEndsItAtItsBound() {
        HttpServer silent = vertx.createHttpServer().requestHandler(request -> { })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        WarmUp warmUp = new WarmUp(vertx, new ObjectMapper(), Duration.ofSeconds(2), true, Optional.empty());
        warmUp.onStart(null);
        warmUp.onHttpStart(new HttpServerStart(new HttpServerOptions().setPort(silent.actualPort())));

        assertThat(warmUp.warming()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> !warmUp.warming());
        assertThat(warmUp.requests()).isZero();
    }

    @Test
    void itsJobsGoToTheStandInForSqs() {
        WarmUp warmUp = new WarmUp(vertx, new ObjectMapper(), Duration.ofSeconds(3), false, Optional.empty());
        warmUp.onStart(null);

        await().atMost(Duration.ofSeconds(20)).until(() -> warmUp.jobs() > 100);
        await().atMost(Duration.ofSeconds(20)).until(() -> !warmUp.warming());
    }

    @Test
    void zeroTurnsItOff() {
        WarmUp warmUp = new WarmUp(vertx, new ObjectMapper(), Duration.ZERO, true, Optional.empty());
        warmUp.onStart(null);

        assertThat(warmUp.warming()).isFalse();
        assertThat(warmUp.jobs()).isZero();
    }
}
