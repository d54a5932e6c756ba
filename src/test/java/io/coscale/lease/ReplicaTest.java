package io.coscale.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # row                            | task metadata                                                                          | ip
            awsvpc task                      | {"Containers":[{"Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":["10.0.1.7"]}]}]}   | 10.0.1.7
            the first of each                | {"Containers":[{"Networks":[{"IPv4Addresses":["10.0.1.7","10.0.1.8"]},{"IPv4Addresses":["10.9.9.9"]}]},{"Networks":[]}]} | 10.0.1.7
            no networks                      | {"Containers":[{"Name":"coscale"}]}                                                    | -
            no containers                    | {"TaskARN":"arn:aws:ecs:eu-west-1:1:task/c/1"}                                         | -
            an empty address                 | {"Containers":[{"Networks":[{"IPv4Addresses":[""]}]}]}                                 | -
            not JSON                         | <html>                                                                                 | -
            """)
    void theTaskAddressComesFromTheFirstContainersFirstNetwork(String row, String metadata, String ip) {
        assertThat(Replica.ipv4OfTask(metadata)).as(row).isEqualTo(Optional.ofNullable(ip));
    }

    @Test
    void configuredValuesWin() {
        assertThat(Replica.resolve(Optional.of("r1"), Optional.of("http://10.0.0.1:8080"), 9999))
                .isEqualTo(new Replica("r1", "http://10.0.0.1:8080"));
    }

    @Test
    void theDefaultIdIsNewAtEveryStart() {
        Replica one = Replica.resolve(Optional.empty(), Optional.empty(), 8080);
        Replica two = Replica.resolve(Optional.empty(), Optional.empty(), 8080);
        assertThat(one.id()).isNotEqualTo(two.id()).matches(".+-[0-9a-f]{6}");
        assertThat(one.address()).startsWith("http://").endsWith(":8080");
    }
}
