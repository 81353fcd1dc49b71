package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StackExtension.class)
@DisplayName("password then WebAuthn (software authenticator) reaches eidas2")
class LoaWebAuthnIT {

    private static Stack stack;
    private static AdminApi admin;

    @BeforeAll
    static void setUp(Stack running) {
        stack = running;
        admin = new AdminApi(running);
    }

    /** A value the WebAuthn page passes to its script, e.g. {@code challenge : "..."}. */
    private static String scriptValue(Browser.Page page, String name) {
        Matcher m = Pattern.compile(name + "\\s*:\\s*\"([^\"]*)\"").matcher(page.body());
        assertThat(m.find()).as("%s on the WebAuthn page", name).isTrue();
        return m.group(1);
    }

    private static Browser.Page password(Browser browser, OidcClient client, String username, String password) {
        Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
        return browser.submit(login, login.form("kc-form-login"),
                Map.of("username", username, "password", password), client.isCallback());
    }

    @Test
    void aKeyRegisteredAtEidas2ThenUsedAfterThePasswordGivesEidas2WithPwdHwkMfa() throws Exception {
        String username = "wa-" + UUID.randomUUID().toString().substring(0, 8);
        String pw = "Pw-" + UUID.randomUUID();
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(username, pw, totp);
        OidcClient client = new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
        SoftwareAuthenticator key = new SoftwareAuthenticator();

        // Enrol the key from an eidas2 session (password + TOTP), as a person does from the account console.
        Browser browser = new Browser();
        Browser.Page otp = password(browser, client, username, pw);
        Browser.Page in = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)),
                client.isCallback());
        assertThat(client.issuedCode(in)).isTrue();
        Browser.Page register = browser.get(client.authorizationUrl(Map.of("kc_action", "webauthn-register")),
                client.isCallback());
        assertThat(register.body()).contains("id=\"register\"");
        Browser.Page registered = browser.submit(register, register.form("register"),
                key.register(scriptValue(register, "challenge"), scriptValue(register, "rpId"), stack.keycloakUrl()),
                client.isCallback());
        assertThat(client.issuedCode(registered)).as("registration accepted: %s", registered.body()).isTrue();
        String webauthnId = admin.credentialId(username, "webauthn");
        assertThat(webauthnId).isNotNull();
        // Keep only the key, so the next login's second factor can only be WebAuthn.
        String userId = admin.userId(username);
        assertThat(admin.send("DELETE", "/admin/realms/hospiconnect/users/" + userId + "/credentials/"
                + admin.credentialId(username, "otp"), Map.of())).isEqualTo(204);

        Browser fresh = new Browser();
        Browser.Page afterPassword = password(fresh, client, username, pw);
        assertThat(client.issuedCode(afterPassword)).as("a code after the password alone").isFalse();
        assertThat(afterPassword.body()).contains("id=\"webauth\"");
        Browser.Page callback = fresh.submit(afterPassword, afterPassword.form("webauth"),
                key.authenticate(scriptValue(afterPassword, "challenge"), scriptValue(afterPassword, "rpId"),
                        stack.keycloakUrl()),
                client.isCallback());
        JWTClaimsSet claims = client.idTokenClaims(fresh, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
        assertThat(claims.getStringListClaim("amr")).contains("pwd", "hwk", "mfa").doesNotContain("otp");
    }

    @Test
    void aUserWithoutSecondFactorCanChooseAKeyRightAfterThePasswordAndReachesEidas2WithPwdHwkMfa() throws Exception {
        String username = "we-" + UUID.randomUUID().toString().substring(0, 8);
        String pw = "Pw-" + UUID.randomUUID();
        admin.createUser(username, pw, null);
        admin.openEnrolmentWindow(username, Duration.ofMinutes(15));
        OidcClient client = new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
        SoftwareAuthenticator key = new SoftwareAuthenticator();

        Browser browser = new Browser();
        Browser.Page choice = password(browser, client, username, pw);
        assertThat(client.issuedCode(choice)).isFalse();
        Browser.Page register = browser.submit(choice, choice.form("hc-enrol-form"), Map.of("method", "webauthn"),
                client.isCallback());
        assertThat(client.issuedCode(register)).as("a code before the key is registered").isFalse();
        assertThat(register.body()).contains("id=\"register\"");
        Browser.Page callback = browser.submit(register, register.form("register"),
                key.register(scriptValue(register, "challenge"), scriptValue(register, "rpId"), stack.keycloakUrl()),
                client.isCallback());
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
        assertThat(claims.getStringListClaim("amr")).contains("pwd", "hwk", "mfa").doesNotContain("otp");
        assertThat(admin.credentialId(username, "webauthn")).isNotNull();
        assertThat(admin.credentialId(username, "otp")).isNull();
    }

    @Test
    void aSignatureByAnotherKeyForTheSameCredentialIdIsRefused() throws Exception {
        String username = "wb-" + UUID.randomUUID().toString().substring(0, 8);
        String pw = "Pw-" + UUID.randomUUID();
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(username, pw, totp);
        OidcClient client = new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
        SoftwareAuthenticator key = new SoftwareAuthenticator();
        Browser browser = new Browser();
        Browser.Page otp = password(browser, client, username, pw);
        browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)), client.isCallback());
        Browser.Page register = browser.get(client.authorizationUrl(Map.of("kc_action", "webauthn-register")),
                client.isCallback());
        browser.submit(register, register.form("register"),
                key.register(scriptValue(register, "challenge"), scriptValue(register, "rpId"), stack.keycloakUrl()),
                client.isCallback());
        String userId = admin.userId(username);
        assertThat(admin.send("DELETE", "/admin/realms/hospiconnect/users/" + userId + "/credentials/"
                + admin.credentialId(username, "otp"), Map.of())).isEqualTo(204);

        SoftwareAuthenticator impostor = SoftwareAuthenticator.claiming(key.credentialId());
        Browser fresh = new Browser();
        Browser.Page afterPassword = password(fresh, client, username, pw);
        Browser.Page result = fresh.submit(afterPassword, afterPassword.form("webauth"),
                impostor.authenticate(scriptValue(afterPassword, "challenge"), scriptValue(afterPassword, "rpId"),
                        stack.keycloakUrl()),
                client.isCallback());
        assertThat(client.issuedCode(result)).isFalse();
    }
}
