package io.pgreplication.camel.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionSettingsTest {

    @Test
    void libpqUrlsBecomeJdbcUrlsWithCredentialsTakenOut() {
        ConnectionSettings s = ConnectionSettings.of(
                "postgresql://app:p%40ss@db.example:6543/shop?sslmode=require&connect_timeout=300", null, null);
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.toString()).isEqualTo("db.example:6543/shop");
    }

    @Test
    void explicitUserWinsOverTheUrl() {
        ConnectionSettings s = ConnectionSettings.of("postgresql://app@db/shop", "other", "pw");
        assertThat(s.user()).isEqualTo("other");
    }

    @Test
    void jdbcUrlsAreKept() {
        ConnectionSettings s = ConnectionSettings.of("jdbc:postgresql://h:5433/d?user=u", null, null);
        assertThat(s.user()).isEqualTo("u");
        assertThat(s.toString()).isEqualTo("h:5433/d");
    }

    @Test
    void aForeignUrlIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> ConnectionSettings.of("mysql://root:topsecret@h/db", null, null))
                .hasMessageContaining("expected jdbc:postgresql://").hasMessageNotContaining("topsecret");
    }
}
