package io.pgreplication.camel.lsn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LsnTest {

    @Test
    void formatsAndParsesAsPostgresPrintsPgLsn() {
        assertThat(Lsn.format(0x16B3748L)).isEqualTo("0/16B3748");
        assertThat(Lsn.format(0x1_0000_00FFL)).isEqualTo("1/FF");
        assertThat(Lsn.parse("0/16B3748").value()).isEqualTo(0x16B3748L);
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    }

    @Test
    void ordersUnsigned() {
        assertThat(Lsn.parse("FFFFFFFF/0").isAfter(Lsn.parse("1/0"))).isTrue();
    }

    @Test
    void rejectsTextThatIsNoLsn() {
        assertThatThrownBy(() -> Lsn.parse("16B3748")).hasMessageContaining("expected X/Y");
        assertThatThrownBy(() -> Lsn.parse("1/2/3")).hasMessageContaining("Not an LSN");
        assertThatThrownBy(() -> Lsn.parse("100000000/0")).hasMessageContaining("Not an LSN");
    }
}
