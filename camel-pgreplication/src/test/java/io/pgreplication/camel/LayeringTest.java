package io.pgreplication.camel;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package layering of docs/architecture.md, checked on the compiled main classes. */
class LayeringTest {

    private static final String ROOT = "io.pgreplication.camel";
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void onlyTheRootPackageUsesCamel() {
        noClasses().that().resideOutsideOfPackage(ROOT)
                .should().dependOnClassesThat().resideInAPackage("org.apache.camel..")
                .because("the Camel glue is the root package; everything below it runs without Camel")
                .check(classes);
    }

    @Test
    void noPackageBelowTheRootUsesTheRoot() {
        noClasses().that().resideOutsideOfPackage(ROOT)
                .should().dependOnClassesThat().resideInAPackage(ROOT)
                .check(classes);
    }

    @Test
    void thePureStagesDoNoIoAndNoLogging() {
        noClasses().that().resideInAnyPackage(ROOT + ".pgoutput..", ROOT + ".value..", ROOT + ".lsn..",
                        ROOT + ".batch..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "java.net..",
                        "java.nio.file..", "java.nio.channels..", "org.postgresql..", "org.slf4j..",
                        "java.util.logging..", "java.lang.System.Logger")
                .because("decoding, values, positions and batching are pure: they are tested on captured bytes"
                         + " and a fake clock")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
