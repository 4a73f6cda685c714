package io.pgreplication.camel.examples.kafka;

import org.apache.camel.main.Main;

/**
 * Runs the Kafka recipe with camel-main and {@code application.properties} (set PG_URL, PG_USER, PG_PASSWORD and
 * KAFKA_BROKERS in the environment): {@code mvn -B -q -pl camel-pgreplication-examples/kafka -am package
 * -DskipTests} then {@code java -cp ... io.pgreplication.camel.examples.kafka.KafkaRecipeApplication}, or run it from
 * an IDE.
 */
public final class KafkaRecipeApplication {

    private KafkaRecipeApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addRoutesBuilder(new ChangesToKafka());
        main.run(args);
    }
}
