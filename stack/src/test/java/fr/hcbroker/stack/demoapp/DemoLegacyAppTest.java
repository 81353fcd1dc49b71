package fr.hcbroker.stack.demoapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("demo app page: who is signed in")
class DemoLegacyAppTest {

    @Test
    @DisplayName("shows the decoded name, the username and the level, and links to the gateway's logout and change of user")
    void showsWhoIsSignedIn() {
        String html = DemoLegacyApp.signedIn(Map.of("x-hc-user", "inf.lefevre", "x-hc-given-name", "H%C3%A9l%C3%A8ne",
                "x-hc-family-name", "Lef%C3%A8vre-Dupr%C3%A9", "x-hc-loa", "eidas2"));
        assertThat(html).contains("Hélène Lefèvre-Dupré").contains("(inf.lefevre)").contains("niveau eidas2")
                .contains("href=\"/.hc/logout\"").contains("href=\"/.hc/switch\"");
    }

    @Test
    @DisplayName("escapes what the headers carry and shows nothing without an identity")
    void escapesAndStaysQuietWithoutIdentity() {
        assertThat(DemoLegacyApp.signedIn(Map.of("x-hc-user", "<script>", "x-hc-given-name", "%3Cb%3E")))
                .doesNotContain("<script>").doesNotContain("<b>").contains("&lt;script&gt;");
        assertThat(DemoLegacyApp.signedIn(Map.of())).isEmpty();
    }
}
