package fr.hcbroker.keycloak.delegation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("the amr and acr translation toward Pro Santé Connect (FI local)")
class ClaimTranslationTest {

    @Test
    void theDefaultsSendTheRealmsOwnValuesForEachWayIn() {
        ClaimTranslation amr = ClaimTranslation.parseOrDefault(null, ClaimTranslation.DEFAULT_AMR);
        assertThat(amr.translateAll(List.of("pwd", "otp", "mfa"))).containsExactly("pwd", "otp", "mfa");
        assertThat(amr.translateAll(List.of("pwd", "hwk", "mfa"))).containsExactly("pwd", "hwk", "mfa");
        assertThat(amr.translateAll(List.of("sc", "pin", "mfa"))).containsExactly("sc", "pin", "mfa");
        assertThat(amr.translateAll(List.of("swk", "pin", "mfa"))).containsExactly("swk", "pin", "mfa");
        ClaimTranslation acr = ClaimTranslation.parseOrDefault("  ", ClaimTranslation.DEFAULT_ACR);
        assertThat(acr.translate("eidas1")).contains("eidas1");
        assertThat(acr.translate("eidas2")).contains("eidas2");
        assertThat(acr.translate("eidas3")).contains("eidas3");
    }

    @Test
    void valuesAreRenamedAndThoseWithoutOrWithAnEmptyPairAreNotSent() {
        ClaimTranslation amr = ClaimTranslation.parse("pwd=pwd, otp=otp hwk=fido swk= mfa=mfa");
        assertThat(amr.translateAll(List.of("pwd", "hwk", "swk", "sc", "mfa"))).containsExactly("pwd", "fido", "mfa");
        assertThat(amr.translate("sc")).isEmpty();
        assertThat(amr.translate("swk")).isEmpty();
    }

    @Test
    void twoValuesTranslatedAlikeAreSentOnce() {
        assertThat(ClaimTranslation.parse("hwk=mfa-key sc=mfa-key").translateAll(List.of("hwk", "sc")))
                .containsExactly("mfa-key");
    }

    @Test
    void anUnknownLevelSendsNoAcr() {
        assertThat(ClaimTranslation.parse("eidas2=eidas2").translate("eidas3")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pwd", "=pwd", "pwd=pwd=pwd", "pwd=a pwd=b", "pwd:pwd"})
    void aMistypedSettingIsRefusedRatherThanGuessed(String setting) {
        assertThatThrownBy(() -> ClaimTranslation.parse(setting)).isInstanceOf(IllegalArgumentException.class);
    }
}
