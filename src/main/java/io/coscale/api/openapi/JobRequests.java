package io.coscale.api.openapi;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON a submission accepts, as records for the OpenAPI document only. {@code JobsResource} reads the body as
 * a JSON tree and {@code JobParser} checks it field by field, so that a bad batch entry is listed rather than
 * failing the batch and an error names the field; these records mirror what that parser accepts. Unknown fields
 * are ignored.
 */
public final class JobRequests {

    private JobRequests() {
    }

    /** One job. */
    @Schema(name = "Job", description = "One job: its payload becomes the SQS message body.")
    public record Job(
            @Schema(required = true, description = "Any JSON value but null (null is 422 null-payload): the SQS message body. A JSON string is "
                    + "sent as its bare text, any other value as its JSON text. Not empty; at most "
                    + "coscale.jobs.max-payload-bytes (262144 by default) in UTF-8, or 413.",
                    oneOf = {Map.class, List.class, String.class, BigDecimal.class, Boolean.class})
            Object payload,
            @Schema(description = "Seconds SQS keeps the message invisible before a worker may receive it; standard "
                    + "queues only (FIFO queues delay per queue).", minimum = "0", maximum = "900", defaultValue = "0")
            Integer delaySeconds,
            @Schema(description = "Up to 9 SQS message attributes of type String (coscale adds coscale-job-id). Names:"
                    + " letters, digits, _ - . up to 256 characters, not starting with AWS. or Amazon.; values not empty.",
                    maxProperties = 9)
            Map<String, String> attributes,
            @Schema(description = "FIFO queues only: SQS's MessageDeduplicationId, 1 to 128 printable ASCII characters."
                    + " Default: the job's id, so that no two submissions are taken for one.", minLength = 1,
                    maxLength = 128)
            String deduplicationId,
            @Schema(description = "FIFO queues only: SQS's MessageGroupId, 1 to 128 printable ASCII characters. "
                    + "Default: a group of the job's own, so that the pool's tasks work jobs in parallel.",
                    minLength = 1, maxLength = 128)
            String messageGroupId) {
    }

    /** Up to 100 jobs in one request. */
    @Schema(name = "JobBatch", description = "1 to 100 jobs; each is enqueued or listed in failed, but an entry whose "
            + "payload is null refuses the whole batch (422).")
    public record Batch(
            @Schema(required = true, minItems = 1, maxItems = 100) List<Job> jobs) {
    }
}
