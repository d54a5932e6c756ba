package io.coscale.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The ECS client and the budget coscale keeps for ECS's API. */
@ConfigMapping(prefix = "coscale.ecs")
public interface EcsConfig {

    /** Endpoint of the ECS API; unset (the default) means the Region's real endpoint. Local mode points it at the emulator. */
    Optional<URI> endpointOverride();

    /** Region of the ECS client; unset (the default) means the AWS default chain (AWS_REGION on ECS). */
    Optional<String> region();

    /** Timeout of one ECS API call. Default 5s. */
    @WithDefault("5s")
    Duration callTimeout();

    /** The UpdateService budget shared by all pools (ECS's own account limit is 50 burst, 5 per second). */
    UpdateService updateService();

    interface UpdateService {

        /** Calls that may go out at once. Default 50. */
        @WithDefault("50")
        int burst();

        /** Sustained calls per second. Default 5. */
        @WithDefault("5")
        double ratePerSecond();
    }
}
