package io.pgreplication.camel.it;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS with sslmode=require and verify-full against the test server with TLS turned on, using a CA and a
 * server certificate this test makes with the JDK's keytool. A CA that did not sign the server's certificate fails
 * the route's start with the fix in the message.
 */
class TlsIT extends ReplicationITSupport {

    private static final String PASS = "changeit";
    @TempDir
    static Path dir;
    private static String host;
    private static String port;
    private static String database;

    @BeforeAll
    static void turnOnTls() throws Exception {
        TestDatabase db = TestDatabase.get();
        Assumptions.assumeFalse("external".equals(db.kind()), "TLS is switched on only on a server the tests own");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=pgreplication test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storepass", PASS);
        keytool("-genkeypair", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=other CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "other.p12", "-storepass", PASS);
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", "server.p12", "-storepass", PASS);
        keytool("-certreq", "-alias", "server", "-keystore", "server.p12", "-storepass", PASS, "-file", "server.csr");
        keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASS, "-infile", "server.csr",
                "-outfile", "server.crt", "-rfc", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2");
        keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASS, "-rfc", "-file", "ca.crt");
        keytool("-exportcert", "-alias", "other", "-keystore", "other.p12", "-storepass", PASS, "-rfc", "-file",
                "other.crt");
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(dir.resolve("server.p12").toFile())) {
            server.load(in, PASS.toCharArray());
        }
        PrivateKey key = (PrivateKey) server.getKey("server", PASS.toCharArray());
        Path keyFile = dir.resolve("server.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                                   + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                           .encodeToString(key.getEncoded())
                                   + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        db.execute("ALTER SYSTEM SET ssl_cert_file = '" + dir.resolve("server.crt") + "'",
                "ALTER SYSTEM SET ssl_key_file = '" + keyFile + "'", "ALTER SYSTEM SET ssl = on",
                "SELECT pg_reload_conf()");
        Properties p = Driver.parseURL(db.jdbcUrl(), new Properties());
        host = p.getProperty("PGHOST");
        port = p.getProperty("PGPORT");
        database = p.getProperty("PGDBNAME");
        assertThat(host).isEqualTo("localhost");
    }

    @AfterAll
    static void turnOffTls() {
        TestDatabase db = TestDatabase.get();
        if (!"external".equals(db.kind())) {
            db.execute("ALTER SYSTEM RESET ssl", "ALTER SYSTEM RESET ssl_cert_file", "ALTER SYSTEM RESET ssl_key_file",
                    "SELECT pg_reload_conf()");
        }
    }

    @Test
    void sslmodeRequireEncryptsTheReplicationConnection() throws Exception {
        streamsOverTls("url=RAW(jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=require)&user="
                       + db.user());
    }

    @Test
    void sslmodeVerifyFullWithTheSigningCaInALibpqUrl() throws Exception {
        streamsOverTls("url=RAW(postgresql://" + db.user() + "@" + host + ":" + port + "/" + database
                       + "?sslmode=verify-full&sslrootcert=" + dir.resolve("ca.crt") + ")");
    }

    @Test
    void aCaThatDidNotSignTheCertificateFailsTheStartWithTheFix() {
        String uri = uri("tables=x").replace(db.endpointOptions(), "url=RAW(jdbc:postgresql://" + host + ":" + port
                                                                   + "/" + database
                                                                   + "?sslmode=verify-full&sslrootcert="
                                                                   + dir.resolve("other.crt") + ")&user=" + db.user());
        assertThatThrownBy(() -> start(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).log("never");
            }
        })).hasStackTraceContaining("the server's certificate did not verify")
                .hasStackTraceContaining("sslrootcert=/path/to/root.crt");
    }

    private void streamsOverTls(String connection) throws Exception {
        String t = TestDatabase.uniqueName("tls");
        db.execute("CREATE TABLE " + t + " (id int PRIMARY KEY)");
        Received received = new Received();
        start(new RouteBuilder() {
            @Override
            public void configure() {
                from("pgreplication:" + slot + "?publication=" + publication + "&tables=" + t + "&batchTimeout=20&"
                     + connection).process(received);
            }
        });
        awaitStreaming();
        db.execute("INSERT INTO " + t + " VALUES (1), (2)");
        await().until(() -> received.eventCount() == 2);
        List<String> ssl = db.queryColumn("SELECT s.ssl::text || ' ' || s.version FROM pg_stat_ssl s JOIN"
                                          + " pg_stat_activity a USING (pid) WHERE a.application_name = 'camel-pgreplication "
                                          + slot + "' AND a.backend_type = 'walsender'");
        assertThat(ssl).singleElement().asString().startsWith("true TLS");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-noprompt", "-storetype", "PKCS12"));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
    }
}
