package io.coscale.deploy.iam;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small, pure evaluator of IAM identity policies, as AWS documents the logic for a request within one account
 * ("Policy evaluation logic"): an explicit Deny in any matching statement wins; otherwise an Allow in any matching
 * statement allows; otherwise the request is denied by default. A statement matches when its Action (or NotAction)
 * and Resource (or NotResource) match and every condition in its Condition block holds. Only what the deployment
 * templates use is modelled: action and ARN wildcards ({@code *}, {@code ?}), and the condition operators
 * {@code StringEquals}, {@code StringLike}, {@code ArnEquals}, {@code ArnLike}, each also with the
 * {@code ForAllValues:} and {@code ForAnyValue:} set prefixes. Anything else is refused as unknown, so that a template
 * growing a new operator fails the test instead of being evaluated wrongly.
 */
public final class IamPolicy {

    /** What IAM decides for a request. */
    public enum Decision { ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY }

    /**
     * One statement.
     *
     * @param sid its Sid, for messages
     * @param allow Effect Allow (true) or Deny (false)
     * @param actions the Action list, or NotAction's when {@code notAction}
     * @param resources the Resource list, or NotResource's when {@code notResource}
     */
    public record Statement(String sid, boolean allow, List<String> actions, boolean notAction, List<String> resources,
            boolean notResource, List<Condition> conditions) {

        /** An Allow of {@code actions} on {@code resources} under {@code conditions}. */
        public static Statement allow(String sid, List<String> actions, List<String> resources, Condition... conditions) {
            return new Statement(sid, true, actions, false, resources, false, List.of(conditions));
        }

        /** A Deny of {@code actions} on {@code resources} under {@code conditions}. */
        public static Statement deny(String sid, List<String> actions, List<String> resources, Condition... conditions) {
            return new Statement(sid, false, actions, false, resources, false, List.of(conditions));
        }

        boolean matches(Request request) {
            boolean action = actions.stream().anyMatch(a -> actionMatches(a, request.action()));
            boolean resource = resources.stream().anyMatch(r -> resourceMatches(r, request.resource()));
            return action != notAction && resource != notResource
                    && conditions.stream().allMatch(c -> c.holds(request.context()));
        }
    }

    /**
     * One operator on one condition key, e.g. {@code "ArnEquals": {"ecs:cluster": [...]}}: holds when the request's
     * value matches any of {@code values} (for the set operators, as {@code ForAllValues:} or {@code ForAnyValue:} say).
     */
    public record Condition(String operator, String key, List<String> values) {

        public Condition {
            String base = operator.replaceFirst("^For(All|Any)Values?:", "");
            if (!List.of("StringEquals", "StringLike", "ArnEquals", "ArnLike").contains(base)) {
                throw new IllegalArgumentException("condition operator not modelled: " + operator);
            }
        }

        boolean holds(Map<String, List<String>> context) {
            List<String> present = context.getOrDefault(key, List.of());
            if (operator.startsWith("ForAllValues:")) {
                // True for a request without the key at all: why AWS pairs it with a Null check where that matters.
                return present.stream().allMatch(this::matchesAny);
            }
            return present.stream().anyMatch(this::matchesAny);
        }

        private boolean matchesAny(String value) {
            String base = operator.replaceFirst("^For(All|Any)Values?:", "");
            return values.stream().anyMatch(v -> switch (base) {
                case "StringEquals" -> v.equals(value);
                case "StringLike" -> glob(v, value);
                default -> arnMatches(v, value);
            });
        }
    }

    /**
     * A request as IAM sees it.
     *
     * @param resource the resource ARN, or {@code *} for an action without resource-level permissions (only a
     *     statement whose Resource is {@code *} covers it)
     */
    public record Request(String action, String resource, Map<String, List<String>> context) {
    }

    private IamPolicy() {
    }

    /** Explicit Deny wins, then any Allow, else the default deny. */
    public static Decision evaluate(List<Statement> statements, Request request) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.matches(request)) {
                if (!s.allow()) {
                    return Decision.EXPLICIT_DENY;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOWED : Decision.IMPLICIT_DENY;
    }

    /** Actions match case-insensitively, with wildcards (service prefix included). */
    static boolean actionMatches(String pattern, String action) {
        return glob(pattern.toLowerCase(Locale.ROOT), action.toLowerCase(Locale.ROOT));
    }

    static boolean resourceMatches(String pattern, String resource) {
        if (pattern.equals("*")) {
            return true;
        }
        return !resource.equals("*") && arnMatches(pattern, resource);
    }

    /**
     * ARNs compare component by component (partition, service, region, account, resource), each with wildcards, as
     * ArnLike does; ArnEquals behaves the same for the ARNs IAM evaluates.
     */
    static boolean arnMatches(String pattern, String arn) {
        String[] p = pattern.split(":", 6);
        String[] a = arn.split(":", 6);
        if (p.length != 6 || a.length != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!glob(p[i], a[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString()).matcher(value).matches();
    }
}
