package fr.hcbroker.gateway.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Logout and change of user: only the person's own confirmation ends a session")
class SignOutTest {

    private static final String SESSION = "Jq7m2cPz0yT9rWbX4kLs8eNf1aGh6uVd3iOo5pQ-_Rw";
    private static final String OTHER = "Zz7m2cPz0yT9rWbX4kLs8eNf1aGh6uVd3iOo5pQ-_Rw";

    @Test
    @DisplayName("the confirmation page's token ends its own session")
    void theOwnTokenConfirms() {
        assertThat(SignOut.confirmed(SESSION, SignOut.token(SESSION))).isTrue();
    }

    @ParameterizedTest(name = "''{0}''")
    @NullSource
    @ValueSource(strings = {"", " ", SESSION, "Zz7m2cPz0yT9rWbX4kLs8eNf1aGh6uVd3iOo5pQ-_Rw", "token", "é"})
    @DisplayName("no token, an empty one, the cookie itself, another session's: nothing ends")
    void anythingElseIsRefused(String presented) {
        assertThat(SignOut.confirmed(SESSION, presented)).isFalse();
    }

    @Test
    @DisplayName("another session's token, its prefix or its case changed: nothing ends")
    void nearMissesAreRefused() {
        String token = SignOut.token(SESSION);
        assertThat(SignOut.confirmed(SESSION, SignOut.token(OTHER))).isFalse();
        assertThat(SignOut.confirmed(SESSION, token.substring(0, token.length() - 1))).isFalse();
        assertThat(SignOut.confirmed(SESSION, token + "A")).isFalse();
        assertThat(SignOut.confirmed(SESSION, token.toUpperCase(java.util.Locale.ROOT))).isFalse();
    }

    @Test
    @DisplayName("the token does not give the cookie away, and differs per session")
    void theTokenIsNotTheCookie() {
        assertThat(SignOut.token(SESSION)).doesNotContain(SESSION).isNotEqualTo(SignOut.token(OTHER)).hasSize(43);
    }

    @Test
    @DisplayName("without a session there is nothing to end: a post goes on (to the login, for a change of user)")
    void withoutASessionNothingToProtect() {
        assertThat(SignOut.confirmed(null, null)).isTrue();
        assertThat(SignOut.token(null)).isEmpty();
    }

    @Test
    @DisplayName("the page, French by default, posts the token to its own endpoint; English when preferred")
    void thePage() {
        String fr = SignOut.page(SignOut.Kind.SWITCH, SESSION, false);
        assertThat(fr).contains("lang=\"fr\"").contains("Changer d'utilisateur").contains("method=\"post\"")
                .contains("action=\"/.hc/switch\"").contains("value=\"" + SignOut.token(SESSION) + "\"")
                .doesNotContain(SESSION);
        String en = SignOut.page(SignOut.Kind.LOGOUT, SESSION, true);
        assertThat(en).contains("lang=\"en\"").contains("Log out").contains("action=\"/.hc/logout\"");
    }
}
