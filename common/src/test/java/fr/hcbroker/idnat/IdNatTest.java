package fr.hcbroker.idnat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("idNat_PS parsing")
class IdNatTest {

    @Test
    void anRppsIdentifierYieldsItsElevenDigitRpps() {
        IdNat id = IdNat.parse("810002813839");
        assertThat(id.kind()).isEqualTo(IdNat.Kind.RPPS);
        assertThat(id.rpps()).contains("10002813839");
    }

    @Test
    void anAdeliIdentifierHasNoRpps() {
        IdNat id = IdNat.parse("0751234567");
        assertThat(id.kind()).isEqualTo(IdNat.Kind.ADELI);
        assertThat(id.rpps()).isEmpty();
    }

    @Test
    void aStaffCardIdentifierCarriesItsStructure() {
        IdNat id = IdNat.parse("3760021832/000000018");
        assertThat(id.kind()).isEqualTo(IdNat.Kind.STRUCTURE_STAFF);
        assertThat(id.structureId()).contains("760021832");
    }

    @Test
    void generatedCheckDigitsPassTheLuhnCheck() {
        String rpps = IdNat.withLuhnDigit("9970000001");
        assertThat(IdNat.parse("8" + rpps).rpps()).contains(rpps);
    }

    @Test
    void anRppsWithAWrongCheckDigitIsRefused() {
        assertThatThrownBy(() -> IdNat.parse("810002813838"))
                .isInstanceOf(InvalidIdNatException.class)
                .hasMessageContaining("Luhn");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = {
            "81000281383", "8100028138390", " 810002813839", "810002813839\n", "８10002813839",
            "2123456789", "3/", "3760021832/", "3760021832/0000 18", "3760021832/1/2",
            "admin", "' OR '1'='1", "810002813839\u0000"})
    void malformedIdentifiersAreRefused(String raw) {
        assertThatThrownBy(() -> IdNat.parse(raw)).isInstanceOf(InvalidIdNatException.class);
    }

    @Test
    void errorMessagesDoNotEchoControlCharacters() {
        assertThatThrownBy(() -> IdNat.parse("x\r\nforged-log-line"))
                .hasMessageNotContaining("\r")
                .hasMessageNotContaining("\n");
    }
}
