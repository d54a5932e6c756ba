package io.coscale.control;

/** ECS names given as a name or an ARN. */
final class Arns {

    private Arns() {
    }

    /** The part after the last slash of an ARN ({@code …:service/cluster/name} → {@code name}), or the name itself. */
    static String lastSegment(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }
}
