package fr.hcbroker.keycloak.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The emergency marker of a session")
class EmergencySessionTest {

    @Test
    @DisplayName("only the exact marker makes a session emergency")
    void marker() {
        assertThat(EmergencySession.of(null)).isEmpty();
        assertThat(EmergencySession.of(Map.of())).isEmpty();
        assertThat(EmergencySession.of(Map.of(EmergencySession.NOTE, "TRUE"))).isEmpty();
        assertThat(EmergencySession.of(Map.of(EmergencySession.NOTE, "true", EmergencySession.REASON_NOTE, "urgence-vitale",
                EmergencySession.UNTIL_NOTE, "2000"))).contains(new EmergencySession("urgence-vitale", 2000));
    }

    @Test
    @DisplayName("a marked session with an unreadable limit is already past it")
    void unreadableLimit() {
        EmergencySession session = EmergencySession.of(Map.of(EmergencySession.NOTE, "true",
                EmergencySession.UNTIL_NOTE, "demain")).orElseThrow();
        assertThat(session.expiredAt(1)).isTrue();
    }

    @Test
    @DisplayName("ends at its limit exactly")
    void limit() {
        EmergencySession session = new EmergencySession("x", 100);
        assertThat(session.expiredAt(99)).isFalse();
        assertThat(session.expiredAt(100)).isTrue();
    }
}
