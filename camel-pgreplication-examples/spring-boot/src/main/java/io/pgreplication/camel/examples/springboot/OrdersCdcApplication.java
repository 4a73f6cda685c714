package io.pgreplication.camel.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application streaming the orders table's changes: camel-spring-boot-starter, the pgreplication
 * component as a plain dependency, its connection in application.properties, and Actuator's health endpoint, where the
 * consumer's health check appears (docs/spring-boot.md).
 */
@SpringBootApplication
public class OrdersCdcApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersCdcApplication.class, args);
    }
}
