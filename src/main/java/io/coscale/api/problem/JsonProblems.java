package io.coscale.api.problem;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Describes a Jackson failure to read a request body as a 400 problem a client can act on: which field, what
 * was expected. Jackson's own messages name Java classes and echo input at length, so they are not passed on.
 *
 * <p>An {@link InvalidDefinitionException} is the exception: it means coscale's own types cannot be bound, a
 * server bug, so it becomes a 500 and is logged.
 */
final class JsonProblems {

    private static final Logger LOG = Logger.getLogger(JsonProblems.class);
    private static final int MAX_VALUE_CHARS = 40;

    private JsonProblems() {
    }

    /** The problem for a failure to read JSON; {@code e} may be any Jackson read exception. */
    static Problem problemFor(JsonProcessingException e) {
        if (e instanceof InvalidDefinitionException) {
            LOG.error("A request type cannot be bound by Jackson", e);
            return Problem.of(ProblemType.INTERNAL, "The server could not process this request.");
        }
        return Problem.of(ProblemType.BAD_REQUEST, detailFor(e));
    }

    /** The client-facing detail for a JSON read failure; never includes Java class names. */
    static String detailFor(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping) {
            Optional<String> field = fieldPath(mapping.getPath());
            String where = field.map(f -> "field '" + f + "'").orElse("request body");
            if (e instanceof InvalidFormatException format) {
                return where + ": " + quote(format.getValue()) + " is not a valid " + typeName(format.getTargetType());
            }
            if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException invalid) {
                // A request record's own check refused the value; its message is written for the caller.
                return where + ": " + invalid.getMessage();
            }
            if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return where + ": expected " + typeName(mismatch.getTargetType());
            }
            return where + " could not be read";
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            return "Malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
        return "Malformed JSON";
    }

    /** {@code jobs[3].delaySeconds} style path, or empty when the failure is at the root. */
    static Optional<String> fieldPath(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }

    /** A JSON-ish name for a Java target type, so that clients see "integer", not "java.lang.Integer". */
    static String typeName(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class) {
            return "integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "boolean";
        }
        if (type == String.class || type.isEnum()) {
            return "string";
        }
        if (type.isArray() || Iterable.class.isAssignableFrom(type)) {
            return "array";
        }
        return "object";
    }

    private static String quote(Object value) {
        String text = String.valueOf(value);
        if (text.length() > MAX_VALUE_CHARS) {
            text = text.substring(0, MAX_VALUE_CHARS) + "…";
        }
        return "\"" + text + "\"";
    }
}
