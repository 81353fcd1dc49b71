package fr.hcbroker.keycloak.emergency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Emergency access settings")
class EmergencySettingsTest {

    @Test
    @DisplayName("off by default, 4 h, 3 in 30 days, the two usual reasons")
    void defaults() {
        EmergencySettings settings = EmergencySettings.from(Map.of());
        assertThat(settings.enabled()).isFalse();
        assertThat(settings.lifetime()).isEqualTo(Duration.ofHours(4));
        assertThat(settings.capCount()).isEqualTo(3);
        assertThat(settings.capPeriod()).isEqualTo(Duration.ofDays(30));
        assertThat(settings.reasons()).containsOnlyKeys("urgence-vitale", "continuite-des-soins");
        assertThat(settings.alertAddresses()).isEmpty();
    }

    @Test
    @DisplayName("reads an enabled realm's list, lifetime, cap and addresses")
    void reads() {
        EmergencySettings settings = EmergencySettings.from(Map.of(EmergencySettings.ENABLED, "true",
                EmergencySettings.REASONS, "urgence-vitale=Urgence vitale##garde=Garde de nuit",
                EmergencySettings.LIFETIME_SECONDS, "60", EmergencySettings.CAP_COUNT, "5",
                EmergencySettings.ALERT_ADDRESSES, "rssi@chu.example, dpo@chu.example"));
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.reasons()).containsEntry("garde", "Garde de nuit");
        assertThat(settings.lifetime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.capCount()).isEqualTo(5);
        assertThat(settings.alertAddresses()).isEqualTo(List.of("rssi@chu.example", "dpo@chu.example"));
    }

    @Nested
    @DisplayName("refuses a malformed configuration rather than loosening it")
    class Malformed {

        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource(delimiter = '|', value = {
                "hc.emergency.reasons|=Sans code",
                "hc.emergency.reasons|Urgence=Majuscules",
                "hc.emergency.reasons|vitale",
                "hc.emergency.reasons|a=A##a=B",
                "hc.emergency.reasons|##",
                "hc.emergency.lifetime.seconds|0",
                "hc.emergency.lifetime.seconds|-5",
                "hc.emergency.lifetime.seconds|4h",
                "hc.emergency.cap.count|trois",
                "hc.emergency.cap.days|0",
                "hc.emergency.alert.addresses|rssi",
                "hc.emergency.alert.addresses|a@b@c",
                "hc.emergency.alert.addresses|<rssi@chu.example>",
                "hc.emergency.note.max.length|-1"})
        void refused(String key, String value) {
            assertThatThrownBy(() -> EmergencySettings.from(Map.of(key, value)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(key);
        }
    }
}
