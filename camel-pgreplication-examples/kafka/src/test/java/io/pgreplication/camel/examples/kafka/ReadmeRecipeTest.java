package io.pgreplication.camel.examples.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README opens with the Kafka recipe: its first Java snippet is the route {@link KafkaRecipeIT} runs, line for
 * line, and its first properties snippet is in the example's application.properties.
 */
class ReadmeRecipeTest {

    private static final Path ROOT = Path.of("../..");

    @Test
    void theReadmesFirstSnippetIsTheTestedRoute() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String route = Files.readString(Path.of("src/main/java/io/pgreplication/camel/examples/kafka/"
                                                + "ChangesToKafka.java"));
        List<String> snippet = firstBlock(readme, "java");
        assertThat(snippet).as("README's first java snippet").isNotEmpty();
        assertThat(readme.indexOf("```java")).as("the java snippet is the README's first code block")
                .isEqualTo(readme.indexOf("```"));
        for (String line : snippet) {
            assertThat(route).as("ChangesToKafka.java").contains(line.strip());
        }
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        List<String> settings = firstBlock(readme, "properties");
        assertThat(settings).as("README's first properties snippet").isNotEmpty();
        for (String line : settings) {
            assertThat(properties).as("application.properties").contains(line.strip());
        }
    }

    private static List<String> firstBlock(String markdown, String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        return m.find() ? m.group(1).lines().filter(l -> !l.isBlank()).toList() : List.of();
    }
}
