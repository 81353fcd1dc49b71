package fr.hcbroker.keycloak.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The few words added to an emergency reason")
class EmergencyNoteTest {

    @ParameterizedTest(name = "[{index}] {2}")
    @CsvSource(delimiter = '|', value = {
            "'Arrêt cardiaque, box 3'|'Arrêt cardiaque, box 3'|plain French stays as typed",
            "'a\nb\r\nc'|'a b c'|line breaks (log forging) become spaces",
            "'a\u0000b'|'a b'|NUL",
            "'a\u202Eb'|'a b'|bidi override",
            "'a\u200Bb'|'a b'|zero-width space",
            "'a\u2028b'|'a b'|line separator",
            "'  a   b  '|'a b'|runs of spaces collapse, ends trimmed",
            "'e\u0301'|'é'|NFC"})
    void cleaned(String raw, String expected, String why) {
        assertThat(EmergencyNote.clean(raw, 200)).contains(expected);
    }

    @Test
    @DisplayName("none is empty; too long is refused, not cut")
    void bounds() {
        assertThat(EmergencyNote.clean(null, 10)).contains("");
        assertThat(EmergencyNote.clean("x".repeat(10), 10)).contains("x".repeat(10));
        assertThat(EmergencyNote.clean("x".repeat(11), 10)).isEmpty();
        assertThat(EmergencyNote.clean("é".repeat(10), 10)).isPresent();
    }
}
