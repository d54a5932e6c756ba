package io.coscale.local;

import io.coscale.api.ApiException;
import io.coscale.local.ecs.EcsEmulator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The local cloud's fault control: {@code GET} what is injected now, {@code PUT} a whole new set (everything not
 * named is switched off), {@code DELETE} to switch every fault off. A bad body is a 400 problem and changes
 * nothing. 404 when this process runs no local cloud.
 */
@Path("/local/v1/faults")
@Produces(MediaType.APPLICATION_JSON)
public class LocalFaultsResource {

    private final LocalCloud localCloud;

    LocalFaultsResource(LocalCloud localCloud) {
        this.localCloud = localCloud;
    }

    @GET
    public LocalFaults faults() {
        return LocalFaults.current(emulator(), localCloud.sqsProxy().orElse(null));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public LocalFaults set(LocalFaults faults) {
        EcsEmulator emulator = emulator();
        if (faults == null) {
            throw ApiException.badRequest("The body must be a JSON object of faults, e.g. {\"ecs\": {\"*\": {\"errorRate\": 0.1}}}.");
        }
        if (faults.sqs().any() && localCloud.sqsProxy().isEmpty()) {
            throw ApiException.badRequest("SQS faults need the SQS proxy: run the cloud profile, or set coscale.local.sqs-proxy=true.");
        }
        faults.applyTo(emulator, localCloud.sqsProxy().orElse(null));
        return faults();
    }

    @DELETE
    public LocalFaults clear() {
        return set(new LocalFaults(null, 0, 0, null));
    }

    private EcsEmulator emulator() {
        return localCloud.emulator().orElseThrow(() -> new NotFoundException(localCloud.absentReason()));
    }
}
