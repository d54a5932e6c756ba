package io.coscale.domain;

/** ECS names given as a name or an ARN. */
public final class Arns {

    private Arns() {
    }

    /** The part after the last slash of an ARN ({@code …:service/cluster/name} → {@code name}), or the name itself. */
    public static String lastSegment(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }

    /** Whether a configured name or ARN names {@code name}. */
    public static boolean sameName(String configured, String name) {
        return configured.equals(name) || configured.endsWith("/" + name);
    }
}
