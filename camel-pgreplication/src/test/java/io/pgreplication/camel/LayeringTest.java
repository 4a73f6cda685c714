package io.pgreplication.camel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package layering of docs/architecture.md, checked on the compiled main classes. */
class LayeringTest {

    private static final String ROOT = "io.pgreplication.camel";
    private static final String JACKSON = "com.fasterxml.jackson..";
    private static final String PGJDBC = "org.postgresql..";
    private static final String SLF4J = "org.slf4j..";
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
                        "java.util.logging..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.System$Logger")
                .because("decoding, values, positions and batching are pure: they are tested on captured bytes"
                         + " and a fake clock")
                .check(classes);
    }

    /**
     * What each package may use besides the JDK (java.., javax..), as docs/architecture.md's table says; anything else is a layering
     * error.
     */
    @Test
    void eachPackageUsesOnlyWhatTheArchitectureAllows() {
        Map<String, List<String>> mayUse = new LinkedHashMap<>();
        mayUse.put("lsn", List.of());
        mayUse.put("table", List.of());
        mayUse.put("pgoutput", List.of("lsn"));
        mayUse.put("value", List.of("lsn", JACKSON));
        mayUse.put("event", List.of("pgoutput", "value", "lsn", "table", JACKSON));
        mayUse.put("batch", List.of("event", "lsn"));
        mayUse.put("server", List.of("lsn", PGJDBC));
        mayUse.put("admin", List.of("server", "table", "lsn", "value", PGJDBC, JACKSON, SLF4J));
        mayUse.put("snapshot", List.of("admin", "server", "table", "event", "batch", "value", "lsn", PGJDBC, SLF4J));
        mayUse.put("session", List.of("admin", "server", "table", "snapshot", "batch", "event", "pgoutput", "value",
                "lsn", PGJDBC, SLF4J));
        mayUse.forEach((pkg, allowed) -> {
            List<String> packages = new ArrayList<>(List.of("java..", "javax..", ROOT + "." + pkg + ".."));
            for (String a : allowed) {
                packages.add(a.contains(".") ? a : ROOT + "." + a + "..");
            }
            classes().that().resideInAPackage(ROOT + "." + pkg + "..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(packages.toArray(new String[0]))
                    .check(classes);
        });
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
