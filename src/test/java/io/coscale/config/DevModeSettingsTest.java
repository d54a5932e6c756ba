package io.coscale.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./mvnw quarkus:dev} serves first, as the README says: continuous testing is off unless the one documented
 * flag turns it on, and what only the tests need is installed after test-compile, the last phase dev mode runs.
 */
class DevModeSettingsTest {

    static final String FLAG = "quarkus.test.continuous-testing";

    @Test
    void continuousTestingIsOffInDevModeAndTheReadmeSaysHowToTurnItOn() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        // Unprofiled, so that -D overrides it whatever the profile rules; it means something only in dev mode.
        assertThat(properties.getProperty(FLAG)).isEqualTo("disabled");
        assertThat(properties.getProperty("%dev." + FLAG)).as("no dev-profile value that -D would not override").isNull();
        assertThat(Files.readString(Path.of("README.md")))
                .contains("`./mvnw quarkus:dev -D" + FLAG + "=enabled` turns it on");
    }

    @Test
    void whatOnlyTheTestsNeedIsInstalledAfterTheLastPhaseDevModeRuns() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        for (String install : List.of("install-dynalite", "install-debian-test-packages")) {
            Matcher phase = Pattern.compile("<id>" + install + "</id>\\s*<phase>([a-z-]+)</phase>").matcher(pom);
            assertThat(phase.find()).as(install + " in pom.xml").isTrue();
            assertThat(phase.group(1)).as("phase of " + install).isEqualTo("process-test-classes");
        }
    }
}
