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

    @Test
    void severalJdbcHostsMeanThePrimaryUnlessTheUrlSaysOtherwise() {
        ConnectionSettings s = ConnectionSettings.of("jdbc:postgresql://h1:5432,h2:5433/shop?sslmode=require", "u",
                null);
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/shop?sslmode=require"
                                          + "&targetServerType=primary");
        assertThat(s.toString()).isEqualTo("h1:5432,h2:5433/shop");
        assertThat(ConnectionSettings.of("jdbc:postgresql://h1,h2/shop?targetServerType=any", "u", null).jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1,h2/shop?targetServerType=any");
        assertThat(ConnectionSettings.of("jdbc:postgresql://h1/shop", "u", null).jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1/shop");
    }

    @Test
    void aLibpqUriWithSeveralHostsBecomesAMultiHostJdbcUrlForThePrimary() {
        ConnectionSettings s = ConnectionSettings.of(
                "postgresql://app:s3cret@db1:5432,db2:5433,[::1]/shop?sslmode=require&connect_timeout=10", null, null);
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5433,[::1]:5432/shop?sslmode=require"
                                          + "&connectTimeout=10&targetServerType=primary");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.toString()).isEqualTo("db1:5432,db2:5433,::1:5432/shop").doesNotContain("s3cret");
    }

    @Test
    void targetSessionAttrsIsTranslatedToPgjdbcsTargetServerType() {
        assertThat(ConnectionSettings.of("postgresql://h1,h2/shop?target_session_attrs=read-write", "u", null)
                .jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5432/shop?targetServerType=primary");
        assertThat(ConnectionSettings.of("postgresql://h1/shop?target_session_attrs=prefer-standby", "u", null)
                .jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432/shop?targetServerType=preferSecondary");
        assertThatThrownBy(() -> ConnectionSettings.of("postgresql://h1/shop?target_session_attrs=writable", "u",
                null)).hasMessageContaining("target_session_attrs=writable is not one of any, read-write");
    }

    @Test
    void hostAndPortParametersAndTheKeywordValueFormAreRead() {
        assertThat(ConnectionSettings.of("postgresql:///shop?host=h1,h2&port=5432,5433", "u", null).jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/shop?targetServerType=primary");
        ConnectionSettings s = ConnectionSettings.of("host=h1,h2 port=6432 dbname=shop user=app"
                                                     + " password='it\\'s secret' target_session_attrs=read-write",
                null, null);
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:6432,h2:6432/shop?targetServerType=primary");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.toString()).isEqualTo("h1:6432,h2:6432/shop");
    }

    @Test
    void aHostListThatDoesNotMatchItsPortsIsRejectedWithoutEchoingTheUrl() {
        assertThatThrownBy(() -> ConnectionSettings.of("postgresql://app:topsecret@/shop?host=h1,h2,h3&port=1,2",
                null, null)).hasMessageContaining("3 hosts but 2 ports").hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> ConnectionSettings.of("host=h1 password='topsecret", null, null))
                .hasMessageContaining("unterminated").hasMessageNotContaining("topsecret");
    }
}
