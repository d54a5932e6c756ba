package io.coscale.api;

import io.coscale.api.openapi.CoscaleApiDefinition;
import io.coscale.api.problem.ApiException;
import io.coscale.control.Pools;
import io.coscale.control.PoolController;
import io.coscale.control.PoolStatus;
import io.coscale.control.status.Sample;
import io.coscale.control.status.StatusReader;
import io.coscale.control.status.StatusSampler;
import io.coscale.domain.Event;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.coscale.control.PoolEditor;
import io.coscale.control.PoolDefinitions;
import io.coscale.pooldata.PoolStoreException;
import io.coscale.pooldata.StoredPool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What dashboards and operators read: each pool's status and the events that explain its count; and pools as data,
 * created, changed and deleted without a redeploy (role admin).
 */
@Path("/v1/pools")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = CoscaleApiDefinition.BEARER)
@Tag(name = CoscaleApiDefinition.POOLS)
public class PoolsResource {

    static final int MAX_EVENTS = 1000;
    /** The most pools one page of {@code GET /v1/pools} holds. */
    static final int MAX_PAGE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final Pools plane;
    private final StatusReader status;
    private final StatusSampler sampler;
    private final PoolEditor editor;

    PoolsResource(Pools plane, StatusReader status, StatusSampler sampler, PoolEditor editor) {
        this.plane = plane;
        this.status = status;
        this.sampler = sampler;
        this.editor = editor;
    }

    /** A pool's stored definition and its version, which is also its ETag. */
    @Schema(name = "PoolDefinition")
    public record DefinitionView(String name,
            @Schema(description = "1 at creation, one more at each change; the ETag, quoted") long version,
            @Schema(type = SchemaType.OBJECT, description = "The pool's settings in the pools document's keys, defaults "
                    + "spelt out, the queue by URL") Map<String, Object> definition) {
        static DefinitionView of(StoredPool pool) {
            try {
                return new DefinitionView(pool.name(), pool.version(), JSON.readValue(pool.definition(), MAP));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored definition of pool " + pool.name() + " is not JSON", e);
            }
        }
    }

    /** An event as the API shows it: {@code kind} in its wire name. */
    @Schema(name = "Event")
    public record EventView(
            Instant at,
            @Schema(enumeration = {"scale-up", "release", "reconcile", "protection", "error", "dead-letter", "task-stopped"})
            String kind,
            @Schema(description = "desiredCount before; null for protection and error events, which change no count")
            Integer from,
            @Schema(description = "desiredCount after; null for protection and error events") Integer to,
            @Schema(description = "Why, in a sentence; names the task for protection events") String reason) {
        static EventView of(Event e) {
            return new EventView(e.at(), e.kind().wireName(), e.from(), e.to(), e.reason());
        }
    }

    @GET
    @Operation(summary = "Every pool's status, or a page of them", description = "In pool name order. With limit, at most "
            + "that many, a Link header (rel=\"next\") to the next page when there is one, and X-Total-Count.")
    @APIResponse(responseCode = "200", description = "The status of every managed pool, or of one page",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = PoolStatus.class)), headers = {
            @Header(name = "Link", description = "<…/v1/pools?limit=n&next=name>; rel=\"next\": the next page, if any"),
            @Header(name = "X-Total-Count", description = "How many pools are managed", schema = @Schema(type = SchemaType.INTEGER))})
    @APIResponse(responseCode = "400", description = "limit is not a whole number from 1 to 1000")
    public Response all(@QueryParam("limit") @Parameter(description = "The most pools of one page, 1 to 1000; none: all",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000")) String limit,
            @QueryParam("next") @Parameter(description = "The page after this pool name: the Link header's") String next) {
        if (limit == null) {
            return Response.ok(status.all()).header("X-Total-Count", plane.pools().size()).build();
        }
        int n = whole(limit, MAX_PAGE, "limit");
        List<PoolController> page = plane.page(Optional.ofNullable(next), n + 1);
        Response.ResponseBuilder answer = Response.ok(status.of(page.subList(0, Math.min(n, page.size()))))
                .header("X-Total-Count", plane.pools().size());
        if (page.size() > n) {
            answer.header("Link", "</v1/pools?limit=" + n + "&next=" + URLEncoder.encode(page.get(n - 1).pool().name(),
                    StandardCharsets.UTF_8) + ">; rel=\"next\"");
        }
        return answer.build();
    }

    @PUT
    @Path("/{pool}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a pool (role admin)", description = "The body is the pool's settings, as the "
            + "pools document spells one pool. Checked against SQS (the queue exists and is readable, FIFO as its name "
            + "says) and ECS (the service is ACTIVE in its cluster) and the naming convention before it is stored; "
            + "managed on this replica at once and on every other within coscale.pool-data.poll-interval.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, example = "{\"cluster\": "
            + "\"workers\", \"service\": \"coscale-pool-render\", \"queue-name\": \"coscale-pool-render\", \"max-tasks\": 20}"))
    @APIResponse(responseCode = "200", description = "Replaced", headers = @Header(name = "ETag", description = "The new version"),
            content = @Content(schema = @Schema(implementation = DefinitionView.class)))
    @APIResponse(responseCode = "201", description = "Created", headers = @Header(name = "ETag", description = "The version, \"1\""),
            content = @Content(schema = @Schema(implementation = DefinitionView.class)))
    @APIResponse(responseCode = "400", description = "Not a definition: malformed JSON, a key unknown, missing or of the "
            + "wrong type (the detail names it), a bad pool name, a malformed If-Match; nothing stored")
    @APIResponse(responseCode = "412", description = "If-Match is not the pool's version, or If-None-Match: * and the pool exists; nothing stored")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "pool-refused: a bound, the queue, the service or the naming convention "
            + "(the detail says which); nothing stored")
    @APIResponse(responseCode = "503", description = "ECS or SQS did not answer a check (throttled, a 5xx), or the pool "
            + "store could not be reached: nothing known stored; repeat the PUT after Retry-After")
    public Response put(@PathParam("pool") String pool, String body,
            @HeaderParam("If-Match") @Parameter(in = ParameterIn.HEADER, description = "Write only if the pool is at "
                    + "this version (its ETag)") String ifMatch,
            @HeaderParam("If-None-Match") @Parameter(in = ParameterIn.HEADER, description = "*: create only") String ifNoneMatch) {
        PoolEditor.Written written;
        try {
            written = editor.put(pool, body == null ? "" : body, version(ifMatch), "*".equals(ifNoneMatch == null ? null
                    : ifNoneMatch.strip()));
        } catch (PoolDefinitions.MalformedDefinition e) {
            throw ApiException.badRequest("pool " + pool + ": " + e.getMessage());
        } catch (PoolEditor.Refused e) {
            throw ApiException.poolRefused("pool " + pool + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (PoolEditor.VersionMismatch e) {
            throw ApiException.preconditionFailed(e.getMessage());
        } catch (PoolEditor.Unavailable e) {
            throw ApiException.unavailable("pool " + pool + ": " + e.getMessage(), Duration.ofSeconds(1));
        } catch (PoolStoreException e) {
            throw storeDown(e);
        }
        return Response.status(written.created() ? 201 : 200).tag(Long.toString(written.pool().version()))
                .entity(DefinitionView.of(written.pool())).build();
    }

    @DELETE
    @Path("/{pool}")
    @Operation(summary = "Delete a pool (role admin)", description = "coscale stops managing it on every replica: no "
            + "more scale-ups, releases or reconciles. Its service keeps its desiredCount and its tasks run on; scale it "
            + "down yourself if you mean to. The pools document does not bring it back.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", description = "A malformed If-Match")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    @APIResponse(responseCode = "412", description = "If-Match is not the pool's version; nothing deleted")
    @APIResponse(responseCode = "503", description = "The pool store could not be reached; nothing known deleted")
    public Response delete(@PathParam("pool") String pool, @HeaderParam("If-Match") @Parameter(in = ParameterIn.HEADER,
            description = "Delete only if the pool is at this version (its ETag)") String ifMatch) {
        try {
            if (!editor.delete(pool, version(ifMatch))) {
                throw ApiException.notFound("no pool named '" + pool + "'");
            }
        } catch (PoolEditor.VersionMismatch e) {
            throw ApiException.preconditionFailed(e.getMessage());
        } catch (PoolStoreException e) {
            throw storeDown(e);
        }
        return Response.noContent().build();
    }

    @GET
    @Path("/{pool}/definition")
    @Operation(summary = "A pool's stored definition and version", description = "What PUT stored (or the pools document "
            + "seeded), with its version as ETag for a PUT or DELETE with If-Match.")
    @APIResponse(responseCode = "200", description = "The definition", headers = @Header(name = "ETag", description = "The version"),
            content = @Content(schema = @Schema(implementation = DefinitionView.class)))
    @APIResponse(responseCode = "404", description = "No pool of this name")
    @APIResponse(responseCode = "503", description = "The pool store could not be reached")
    public Response definition(@PathParam("pool") String pool) {
        StoredPool stored;
        try {
            stored = editor.definition(pool).orElseThrow(() -> ApiException.notFound("no pool named '" + pool + "'"));
        } catch (PoolStoreException e) {
            throw storeDown(e);
        }
        return Response.ok(DefinitionView.of(stored)).tag(Long.toString(stored.version())).build();
    }

    /** 503: the pool store did not answer; nothing known written. */
    private static ApiException storeDown(PoolStoreException e) {
        return ApiException.unavailable("the pool store did not answer: " + e.getMessage(), Duration.ofSeconds(1));
    }

    /** The version an If-Match names ({@code "3"}, {@code W/"3"} or {@code 3}); empty when absent. */
    private static Optional<Long> version(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return Optional.empty();
        }
        String tag = ifMatch.strip().replaceFirst("^W/", "").replace("\"", "");
        try {
            return Optional.of(Long.parseLong(tag));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("If-Match must be the ETag a GET or PUT answered (\"<version>\"), got " + ifMatch);
        }
    }

    private static int whole(String value, int max, String name) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > max) {
            throw ApiException.badRequest(name + " must be a whole number from 1 to " + max);
        }
        return n;
    }

    @GET
    @Path("/{pool}")
    @Operation(summary = "One pool's status")
    @APIResponse(responseCode = "200", description = "The pool's settings and what ECS and SQS last said")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    public PoolStatus one(@PathParam("pool") String pool) {
        return status.of(pool(pool));
    }

    /** The pool's figures over the last hour (one sample every 5 s by default), oldest first: the status page's charts. */
    @GET
    @Path("/{pool}/samples")
    @Operation(summary = "A pool's samples of the last hour, oldest first", description = "What the status page's "
            + "charts draw: one sample per coscale.status.sample-interval, kept in memory.")
    @APIResponse(responseCode = "200", description = "The samples, oldest first")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    public List<Sample> samples(@PathParam("pool") String pool) {
        return sampler.samples(pool).orElseThrow(() -> ApiException.notFound("no pool named '" + pool + "'"));
    }

    @GET
    @Path("/{pool}/events")
    @Operation(summary = "A pool's recent events, newest first", description = "Every change coscale made to the pool "
            + "(scale-up, release, reconcile, protection) and every failure: why the count moved.")
    @APIResponse(responseCode = "200", description = "Up to limit events, newest first")
    @APIResponse(responseCode = "400", description = "limit is not a whole number from 1 to 1000")
    @APIResponse(responseCode = "404", description = "No pool of this name")
    // A String, read by hand: a typed int would turn "limit=abc" into a bare 404 instead of a 400 that says why.
    public List<EventView> events(@PathParam("pool") String pool, @QueryParam("limit") @DefaultValue("50")
            @Parameter(description = "How many events, 1 to 1000", schema = @Schema(type = SchemaType.INTEGER,
                    minimum = "1", maximum = "1000", defaultValue = "50")) String limit) {
        int n = whole(limit, MAX_EVENTS, "limit");
        return pool(pool).events().newest(n).stream().map(EventView::of).toList();
    }

    private PoolController pool(String name) {
        return plane.pool(name).orElseThrow(() -> ApiException.notFound("no pool named '" + name + "'"));
    }
}
