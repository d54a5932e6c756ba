package io.coscale;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages' layers, as docs/ARCHITECTURE.md draws them, read from the compiled code: each may use only the
 * layers below it.
 *
 * <pre>
 * concurrent ← domain ← config ← aws ← lease ← idempotency, pooldata ← control ← api ← local
 * </pre>
 *
 * (control does not use idempotency; the arrow only says which may.) {@code concurrent} and {@code domain} use no
 * framework; no two top-level packages use each other; no class in src/main is longer than 350 lines.
 */
class ArchitectureTest {

    private static final int MAX_LINES = 350;
    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.coscale");
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("concurrent").definedBy("io.coscale.concurrent..")
                .layer("domain").definedBy("io.coscale.domain..")
                .layer("config").definedBy("io.coscale.config..")
                .layer("aws").definedBy("io.coscale.aws..")
                .layer("lease").definedBy("io.coscale.lease..")
                .layer("idempotency").definedBy("io.coscale.idempotency..")
                .layer("pooldata").definedBy("io.coscale.pooldata..")
                .layer("control").definedBy("io.coscale.control..")
                .layer("api").definedBy("io.coscale.api..")
                .layer("metrics").definedBy("io.coscale.metrics..")
                .layer("local").definedBy("io.coscale.local..")
                .whereLayer("concurrent").mayNotAccessAnyLayer()
                .whereLayer("domain").mayOnlyAccessLayers("concurrent")
                .whereLayer("config").mayOnlyAccessLayers("concurrent", "domain")
                .whereLayer("aws").mayOnlyAccessLayers("concurrent", "domain", "config")
                .whereLayer("lease").mayOnlyAccessLayers("concurrent", "domain", "config", "aws")
                .whereLayer("idempotency").mayOnlyAccessLayers("concurrent", "domain", "config", "aws", "lease")
                .whereLayer("pooldata").mayOnlyAccessLayers("concurrent", "domain", "config", "aws", "lease")
                .whereLayer("control").mayOnlyAccessLayers("concurrent", "domain", "config", "aws", "lease", "idempotency",
                        "pooldata")
                .whereLayer("api").mayOnlyAccessLayers("concurrent", "domain", "config", "lease", "idempotency", "pooldata",
                        "control")
                .whereLayer("metrics").mayOnlyAccessLayers("concurrent", "domain", "config")
                .whereLayer("local").mayOnlyAccessLayers("concurrent", "domain", "config", "aws", "lease", "idempotency",
                        "pooldata", "control", "api")
                .check(classes);
    }

    @Test
    void theApiTalksToControlNotToAws() {
        noClasses().that().resideInAPackage("io.coscale.api..")
                .should().dependOnClassesThat().resideInAPackage("io.coscale.aws..")
                .check(classes);
    }

    @Test
    void theKitAndTheRulesUseNoFramework() {
        noClasses().that().resideInAnyPackage("io.coscale.concurrent..", "io.coscale.domain..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "software.amazon..", "jakarta..",
                        "io.vertx..", "io.smallrye..", "org.eclipse.microprofile..")
                .check(classes);
    }

    @Test
    void noTwoPackagesUseEachOther() {
        slices().matching("io.coscale.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noClassIsLongerThan350Lines() throws IOException {
        List<String> tooLong;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            tooLong = files.filter(f -> f.toString().endsWith(".java")).filter(f -> lines(f) > MAX_LINES)
                    .map(f -> f + " (" + lines(f) + " lines)").toList();
        }
        assertThat(tooLong).as("classes over " + MAX_LINES + " lines").isEmpty();
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
