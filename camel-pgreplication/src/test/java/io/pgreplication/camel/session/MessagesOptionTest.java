package io.pgreplication.camel.session;

import io.pgreplication.camel.server.PgReplicationSetupException;
import io.pgreplication.camel.server.ServerCapabilities;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessagesOptionTest {

    @Test
    void messagesOnAServerOlderThan14FailsNamingTheOptionAndTheVersion() {
        assertThatThrownBy(() -> SessionSetup.checkMessagesSupported("s1", true, new ServerCapabilities(130012)))
                .isInstanceOf(PgReplicationSetupException.class)
                .hasMessageContaining("slot=s1")
                .hasMessageContaining("messages=true needs PostgreSQL 14")
                .hasMessageContaining("this server is 13 (server_version_num 130012)");
    }

    @Test
    void messagesOn14AndNewerOrMessagesOffAnywhereIsFine() {
        assertThatCode(() -> SessionSetup.checkMessagesSupported("s1", true, new ServerCapabilities(140000))).doesNotThrowAnyException();
        assertThatCode(() -> SessionSetup.checkMessagesSupported("s1", false, new ServerCapabilities(100000))).doesNotThrowAnyException();
    }
}
