package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Refusals: one status, one recorded reason, one page in the person's language")
class RefusalTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"en", "en-GB", "en-US,en;q=0.9,fr;q=0.8", "de, en;q=0.5", "EN"})
    void aBrowserPreferringEnglishReadsEnglish(String acceptLanguage) {
        assertThat(Refusal.english(acceptLanguage)).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @NullAndEmptySource
    @ValueSource(strings = {"fr", "fr-FR,fr;q=0.9,en;q=0.8", "de", "*", "en;q=0.1, fr", ";;;", "en;q=x", "zz-\u00e9"})
    void everyoneElseReadsFrench(String acceptLanguage) {
        assertThat(Refusal.english(acceptLanguage)).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(Refusal.class)
    void eachRefusalHasAnErrorStatusAndAPageInEachLanguageAlone(Refusal refusal) {
        assertThat(refusal.status()).isBetween(400, 599);
        String french = Pages.html(refusal, false, "détail");
        String english = Pages.html(refusal, true, "detail");
        assertThat(french).contains("lang=\"fr\"", refusal.text().titleFr()).doesNotContain(refusal.text().titleEn() + "<");
        assertThat(english).contains("lang=\"en\"", refusal.text().titleEn(), "Home").doesNotContain("Accueil");
        // What to do next: every page says it.
        assertThat(refusal.text().textFr()).containsAnyOf("Réessayez", "réessayez", "Revenez", "Vérifiez", "Rechargez",
                "contactez", "Ouvrez");
        assertThat(refusal.text().textEn()).containsAnyOf("Try", "try", "Go back", "Check", "Reload", "contact", "Open");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(Refusal.class)
    void eachRecordedRefusalNamesItsReason(Refusal refusal) {
        // The policy's and the login's refusals record the decision's own reason; the audit's cannot be recorded.
        if (EnumSet.of(Refusal.POLICY, Refusal.LOGIN_NEEDED, Refusal.AUDIT_UNAVAILABLE).contains(refusal)) {
            assertThat(refusal.reason()).isNull();
        } else {
            assertThat(refusal.reason()).isNotBlank();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"<script>alert(1)</script>", "profession not allowed"})
    void thePolicysReasonIsShownEscaped(String reason) {
        assertThat(Pages.html(Refusal.POLICY, false, reason)).doesNotContain("<script>").contains(reason.replace("<", "&lt;")
                .replace(">", "&gt;"));
    }
}
