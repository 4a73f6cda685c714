package io.pgreplication.camel.examples;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One PostgreSQL per test class, as the demo gets it: PGREPLICATION_URL or embedded binaries. */
abstract class WithEmbeddedServer {

    static EmbeddedServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedServer.start(Map.of());
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }
}
