package io.coscale.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A CloudFormation template read as plain maps and lists. The short-form tags ({@code !Ref X},
 * {@code !GetAtt A.B}, {@code !Sub ...}) become their long forms ({@code {Ref: X}},
 * {@code {Fn::GetAtt: [A, B]}}, {@code {Fn::Sub: ...}}), so tests compare them as data.
 */
final class CfnTemplate {

    private final Map<String, Object> root;

    private CfnTemplate(Map<String, Object> root) {
        this.root = root;
    }

    static CfnTemplate load(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            return new CfnTemplate(new Yaml(new CfnConstructor()).load(in));
        }
    }

    Map<String, Object> resource(String logicalId) {
        Map<String, Object> resource = map(map(root, "Resources"), logicalId);
        if (resource == null) {
            throw new AssertionError("no resource " + logicalId);
        }
        return resource;
    }

    /** The whole template, as maps and lists. */
    Map<String, Object> root() {
        return root;
    }

    /** The names of its parameters, in template order. */
    List<String> parameterNames() {
        return new ArrayList<>(map(root, "Parameters").keySet());
    }

    Map<String, Object> parameter(String name) {
        return map(map(root, "Parameters"), name);
    }

    Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId), "Properties");
    }

    /** Logical ids of every resource of the given type, in template order. */
    List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        map(root, "Resources").forEach((id, r) -> {
            if (type.equals(((Map<?, ?>) r).get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Every policy statement of a role's inline policies. */
    List<Map<String, Object>> statements(String roleId) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(properties(roleId).get("Policies"))) {
            statements.addAll(castList(map(asMap(policy), "PolicyDocument").get("Statement")));
        }
        return statements;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        return asMap(parent.get(key));
    }

    /** A YAML value that may be one item or a list of them, as IAM's Action and Resource may. */
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : o == null ? List.of() : List.of(o);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> castList(Object o) {
        return (List<Map<String, Object>>) (List<?>) list(o);
    }

    /** Safe YAML plus every {@code !Tag}, turned into its long-form intrinsic function. */
    private static final class CfnConstructor extends SafeConstructor {

        CfnConstructor() {
            super(new LoaderOptions());
            yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    if (tag.equals("Ref") || tag.equals("Condition")) {
                        return Map.of(tag, value);
                    }
                    // !GetAtt Resource.Attribute is the one short form whose long form is a list.
                    if (tag.equals("GetAtt") && value instanceof String s) {
                        int dot = s.indexOf('.');
                        value = List.of(s.substring(0, dot), s.substring(dot + 1));
                    }
                    return Map.of("Fn::" + tag, value);
                }
            });
        }
    }
}
