package fr.hcbroker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(StackExtension.class)
@DisplayName("eIDAS levels: no clinical app with a password alone")
class LoaIT {

    private static Stack stack;
    private static AdminApi admin;
    private static final String LOWERED_SECRET = UUID.randomUUID().toString();

    @BeforeAll
    static void setUp(Stack running) {
        stack = running;
        admin = new AdminApi(running);
        // How an admin lowers one app to eidas1: an explicit Minimum ACR value on that client.
        int status = admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                "clientId", "legacy-low", "secret", LOWERED_SECRET, "publicClient", false,
                "standardFlowEnabled", true, "fullScopeAllowed", false,
                "redirectUris", List.of(running.gatewayUrl() + "/*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256", "minimum.acr.value", "eidas1")));
        assertThat(status).isEqualTo(201);
    }

    private static OidcClient gateway() {
        return new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
    }

    /** A user of its own per test, so lockouts and enrolments never touch the demo people. */
    private static TestUser newUser(boolean withTotp) {
        return newUser(withTotp, Map.of());
    }

    private static TestUser newUser(boolean withTotp, Map<String, List<String>> attributes) {
        String name = "loa-" + UUID.randomUUID().toString().substring(0, 8);
        TestUser user = new TestUser(name, "Pw-" + UUID.randomUUID(), "totp-" + UUID.randomUUID());
        admin.createUser(user.username(), user.password(), withTotp ? user.totpSecret() : null, attributes);
        return user;
    }

    /** A user without a second factor whose enrolment window an admin has opened. */
    private static TestUser newUserToEnrol() {
        TestUser user = newUser(false);
        admin.openEnrolmentWindow(user.username(), Duration.ofMinutes(15));
        return user;
    }

    record TestUser(String username, String password, String totpSecret) {
    }

    private static Browser.Page password(Browser browser, OidcClient client, TestUser user, Map<String, String> extra) {
        Browser.Page login = browser.get(client.authorizationUrl(extra), client.isCallback());
        assertThat(login.body()).contains("kc-form-login");
        return browser.submit(login, login.form("kc-form-login"),
                Map.of("username", user.username(), "password", user.password()), client.isCallback());
    }

    private static List<String> amr(JWTClaimsSet claims) throws ParseException {
        return claims.getStringListClaim("amr");
    }

    @Nested
    @DisplayName("password then TOTP")
    class PasswordAndTotp {

        @Test
        void reachesEidas2WithPwdOtpMfa() throws Exception {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page otp = password(browser, client, user, Map.of());
            assertThat(otp.body()).contains("kc-otp-login-form");
            Browser.Page callback = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(user.totpSecret())), client.isCallback());
            JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(amr(claims)).contains("pwd", "otp", "mfa");
        }

        @Test
        void thePasswordAloneGivesNoCodeToALevel2Client() {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page afterPassword = password(browser, client, user, Map.of());
            assertThat(client.issuedCode(afterPassword)).isFalse();
            assertThat(afterPassword.body()).contains("kc-otp-login-form");
            Browser.Page wrong = browser.submit(afterPassword, afterPassword.form("kc-otp-login-form"),
                    Map.of("otp", "000000".equals(Totp.now(user.totpSecret())) ? "111111" : "000000"),
                    client.isCallback());
            assertThat(client.issuedCode(wrong)).isFalse();
        }

        @Test
        void aRequestForALowerLevelThanTheMinimumStillGetsTheMinimum() throws Exception {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page otp = password(browser, client, user, Map.of("acr_values", "eidas1"));
            assertThat(otp.body()).contains("kc-otp-login-form");
            Browser.Page callback = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(user.totpSecret())), client.isCallback());
            assertThat(client.idTokenClaims(browser, callback.uri()).getStringClaim("acr")).isEqualTo("eidas2");
        }

        @Test
        void aReplayedCodeIsRefused() {
            TestUser user = newUser(true);
            String code = Totp.now(user.totpSecret());
            OidcClient client = gateway();
            Browser first = new Browser();
            Browser.Page otp = password(first, client, user, Map.of());
            Browser.Page ok = first.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", code), client.isCallback());
            assertThat(client.issuedCode(ok)).isTrue();

            Browser second = new Browser();
            Browser.Page again = password(second, client, user, Map.of());
            Browser.Page replay = second.submit(again, again.form("kc-otp-login-form"), Map.of("otp", code),
                    client.isCallback());
            assertThat(client.issuedCode(replay)).isFalse();
            assertThat(replay.body()).contains("kc-otp-login-form");
        }

        @Test
        void fiveWrongCodesLockTheAccountEvenForTheRightCode() {
            TestUser user = newUser(true);
            OidcClient client = gateway();
            Browser browser = new Browser();
            Browser.Page page = password(browser, client, user, Map.of());
            String right = Totp.now(user.totpSecret());
            String wrong = right.equals("000000") ? "111111" : "000000";
            for (int i = 0; i < 5; i++) {
                page = browser.submit(page, page.form("kc-otp-login-form"), Map.of("otp", wrong), client.isCallback());
            }
            Browser fresh = new Browser();
            Browser.Page retry = password(fresh, client, user, Map.of());
            assertThat(client.issuedCode(retry)).isFalse();
            assertThat(retry.body()).doesNotContain("kc-otp-login-form");
            assertThat(admin.get("/admin/realms/hospiconnect/attack-detection/brute-force/users/"
                    + admin.userId(user.username())).path("disabled").asBoolean()).isTrue();
        }
    }

    @Nested
    @DisplayName("enrolment")
    class Enrolment {

        @Test
        void aUserWithoutSecondFactorChoosesTotpRightAfterThePasswordEnrolsItAndReachesEidas2() throws Exception {
            TestUser user = newUserToEnrol();
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page choice = password(browser, client, user, Map.of());
            assertThat(client.issuedCode(choice)).isFalse();
            assertThat(choice.document().select("#hc-enrol-form button[name=method]").eachAttr("value"))
                    .containsExactly("totp", "webauthn");
            Browser.Page setup = browser.submit(choice, choice.form("hc-enrol-form"), Map.of("method", "totp"),
                    client.isCallback());
            assertThat(client.issuedCode(setup)).isFalse();
            var form = setup.form("kc-totp-settings-form");
            String secret = form.selectFirst("input[name=totpSecret]").val();
            assertThat(setup.body()).doesNotContain("cancel-aia");
            Browser.Page callback = browser.submit(setup, form,
                    Map.of("totp", Totp.now(secret), "userLabel", "phone"), client.isCallback());
            JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(amr(claims)).contains("pwd", "otp", "mfa");
            assertThat(admin.credentialId(user.username(), "otp")).isNotNull();
            assertThat(admin.get("/admin/realms/hospiconnect/users/" + admin.userId(user.username()))
                    .path("attributes").has("hc_enrolment_until")).as("the window closes once a factor is enrolled").isFalse();
        }

        /** A stolen password alone must not bind the thief's authenticator: only an admin-opened window allows it. */
        @ParameterizedTest(name = "window: {0}")
        @ValueSource(strings = {"none", "2020-01-01T00:00:00Z"})
        void withoutAnOpenWindowThePasswordAloneEnrolsNothingAndGetsNoCode(String window) {
            TestUser user = newUser(false, window.equals("none") ? Map.of() : Map.of("hc_enrolment_until", List.of(window)));
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page refused = password(browser, client, user, Map.of());
            assertThat(client.issuedCode(refused)).isFalse();
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).doesNotContain("hc-enrol-form").doesNotContain("kc-totp-settings-form");
            assertThat(refused.document().text()).contains("Contactez le support informatique pour activer votre second facteur");
            Browser.Page again = browser.get(client.authorizationUrl(), client.isCallback());
            assertThat(client.issuedCode(again)).as("no session to come back to").isFalse();
            String id = admin.userId(user.username());
            assertThat(admin.get("/admin/realms/hospiconnect/users/" + id + "/sessions")).isEmpty();
            assertThat(admin.credentialId(user.username(), "otp")).isNull();
            assertThat(admin.credentialId(user.username(), "webauthn")).isNull();
            // The password was right: no failure counted, so nobody is locked out before the window opens.
            for (int i = 0; i < 5; i++) {
                password(new Browser(), client, user, Map.of());
            }
            JsonNode lockout = admin.get("/admin/realms/hospiconnect/attack-detection/brute-force/users/" + id);
            assertThat(lockout.path("numFailures").asInt()).isZero();
            assertThat(lockout.path("disabled").asBoolean()).isFalse();
        }

        @ParameterizedTest(name = "method={0}")
        @ValueSource(strings = {"", "none", "password", "TOTP "})
        void anAnswerThatIsNotAnOfferedFactorShowsTheChoiceAgainAndIssuesNoCode(String method) {
            TestUser user = newUserToEnrol();
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page choice = password(browser, client, user, Map.of());
            Browser.Page again = browser.submit(choice, choice.form("hc-enrol-form"), Map.of("method", method),
                    client.isCallback());
            assertThat(client.issuedCode(again)).isFalse();
            assertThat(again.body()).contains("hc-enrol-form");
            assertThat(admin.credentialId(user.username(), "otp")).isNull();
        }
    }

    @Nested
    @DisplayName("the password policy")
    class PasswordPolicy {

        /** What a person or an admin would choose; {@code user} and {@code current} stand for the account's own. */
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"Short-Pw-1", "user", "email", "current"})
        void aWeakOrReusedPasswordIsRefused(String choice) {
            TestUser user = newUser(true);
            String password = switch (choice) {
                case "user" -> user.username();
                case "email" -> user.username() + "@test.hc-broker.fr";
                case "current" -> user.password();
                default -> choice;
            };
            assertThat(resetPassword(user, password)).isEqualTo(400);
        }

        @Test
        void aLongNewPasswordIsAccepted() {
            assertThat(resetPassword(newUser(true), "Pw-" + UUID.randomUUID())).isEqualTo(204);
        }

        private int resetPassword(TestUser user, String password) {
            return admin.send("PUT", "/admin/realms/hospiconnect/users/" + admin.userId(user.username()) + "/reset-password",
                    Map.of("type", "password", "value", password, "temporary", false));
        }
    }

    /** The token endpoint's password grant asks no second factor of a user who has none. */
    @Nested
    @DisplayName("the password grant (direct access)")
    class PasswordGrant {

        @Test
        void adminCliOfTheRealmGivesNoTokenForAPassword() throws Exception {
            TestUser user = newUser(false);
            String form = "grant_type=password&client_id=admin-cli&scope=openid&username=" + user.username()
                    + "&password=" + URLEncoder.encode(user.password(), StandardCharsets.UTF_8);
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/token"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
            assertThat(response.body()).doesNotContain("access_token").contains("unauthorized_client");
        }

        /** Clients tests add at run time are not the realm's: only those the realm comes with. */
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"hc-gateway", "admin-cli", "account", "account-console", "broker",
                "realm-management", "security-admin-console"})
        void noClientTheRealmComesWithAllowsIt(String clientId) {
            var client = admin.get("/admin/realms/hospiconnect/clients?clientId=" + clientId).get(0);
            assertThat(client.path("directAccessGrantsEnabled").asBoolean()).isFalse();
        }
    }

    @Nested
    @DisplayName("levels per client and step-up")
    class PerClient {

        @Test
        void everyClientHasTheStandardScopesAndTheLevelClaimsScope() {
            List<String> scopes = new java.util.ArrayList<>();
            admin.get("/admin/realms/hospiconnect/default-default-client-scopes")
                    .forEach(s -> scopes.add(s.path("name").asText()));
            assertThat(scopes).contains("hc-levels", "profile", "email", "roles", "acr", "basic");
        }

        @Test
        void theGatewayClientHasNoLevelOfItsOwnAndGetsTheRealmFloor() {
            var client = admin.get("/admin/realms/hospiconnect/clients?clientId=hc-gateway").get(0);
            assertThat(client.path("attributes").has("minimum.acr.value")).isFalse();
        }

        @Test
        void anAppLoweredExplicitlyAcceptsThePasswordAloneAtEidas1() throws Exception {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient low = new OidcClient(stack, "legacy-low", LOWERED_SECRET);
            Browser.Page callback = password(browser, low, user, Map.of());
            JWTClaimsSet claims = low.idTokenClaims(browser, callback.uri());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas1");
            assertThat(amr(claims)).containsExactly("pwd");
        }

        @Test
        void aPasswordOnlySessionStepsUpWithOnlyTheSecondFactorForALevel2App() throws Exception {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient low = new OidcClient(stack, "legacy-low", LOWERED_SECRET);
            password(browser, low, user, Map.of());
            OidcClient client = gateway();
            Browser.Page stepUp = browser.get(client.authorizationUrl(), client.isCallback());
            assertThat(stepUp.body()).contains("kc-otp-login-form").doesNotContain("name=\"password\"");
            Browser.Page callback = browser.submit(stepUp, stepUp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(user.totpSecret())), client.isCallback());
            assertThat(client.idTokenClaims(browser, callback.uri()).getStringClaim("acr")).isEqualTo("eidas2");
        }

        @Test
        void aPasswordOnlySessionCannotReachTheAccountConsoleWithoutTheSecondFactor() {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient low = new OidcClient(stack, "legacy-low", LOWERED_SECRET);
            password(browser, low, user, Map.of());
            Browser.Page account = browser.get(stack.keycloakUrl() + "/realms/hospiconnect/account/",
                    u -> u.getPath().endsWith("/account/") && u.getQuery() != null && u.getQuery().contains("code="));
            // The account console itself is a client at the realm floor: the session must do its OTP first.
            Browser.Page login = browser.get(stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/auth"
                    + "?client_id=account-console&response_type=code&scope=openid"
                    + "&redirect_uri=" + stack.keycloakUrl() + "/realms/hospiconnect/account/"
                    + "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    u -> u.toString().startsWith(stack.keycloakUrl() + "/realms/hospiconnect/account/"));
            assertThat(account.status()).isLessThan(500);
            assertThat(login.body()).contains("kc-otp-login-form");
            assertThat(login.uri().toString()).doesNotContain("/account/?");
        }

        @Test
        void aPasswordOnlySessionAskingToDeleteItsSecondFactorMustFirstProveIt() {
            TestUser user = newUser(true);
            String otpId = admin.credentialId(user.username(), "otp");
            Browser browser = new Browser();
            OidcClient low = new OidcClient(stack, "legacy-low", LOWERED_SECRET);
            password(browser, low, user, Map.of());
            Browser.Page delete = browser.get(low.authorizationUrl(Map.of("kc_action", "delete_credential:" + otpId)),
                    low.isCallback());
            assertThat(delete.body()).contains("kc-otp-login-form");
            assertThat(admin.credentialId(user.username(), "otp")).isEqualTo(otpId);
        }

        /**
         * Through an app lowered to eidas1, a password-only session asks Keycloak to add a second
         * factor of its own (what a stolen password would do to take over the account) or to delete
         * the owner's: each is held to the floor, so the session must first prove the owner's TOTP.
         */
        @ParameterizedTest(name = "kc_action={0}")
        @ValueSource(strings = {"CONFIGURE_TOTP", "webauthn-register", "webauthn-register-passwordless",
                "delete_credential"})
        void aPasswordOnlySessionCannotAddReplaceOrRemoveASecondFactor(String action) {
            TestUser user = newUser(true);
            String otpId = admin.credentialId(user.username(), "otp");
            Browser browser = new Browser();
            OidcClient low = new OidcClient(stack, "legacy-low", LOWERED_SECRET);
            assertThat(low.issuedCode(password(browser, low, user, Map.of()))).isTrue();
            String kcAction = action.equals("delete_credential") ? action + ":" + otpId : action;
            Browser.Page page = browser.get(low.authorizationUrl(Map.of("kc_action", kcAction)), low.isCallback());
            assertThat(low.issuedCode(page)).isFalse();
            assertThat(page.body()).contains("kc-otp-login-form")
                    .doesNotContain("kc-totp-settings-form").doesNotContain("id=\"register\"");
            assertThat(admin.credentialId(user.username(), "otp")).isEqualTo(otpId);
            assertThat(admin.credentialId(user.username(), "webauthn")).isNull();
            assertThat(admin.credentialId(user.username(), "webauthn-passwordless")).isNull();
        }

        @Test
        void aRequestForEidas3WithoutACardAsksForTheCardAfterTheSecondFactorAndNeverIssuesAnEidas2Code() {
            TestUser user = newUser(true);
            Browser browser = new Browser();
            OidcClient client = gateway();
            Browser.Page otp = password(browser, client, user, Map.of("acr_values", "eidas3"));
            Browser.Page result = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(user.totpSecret())), client.isCallback());
            assertThat(client.issuedCode(result)).isFalse();
            assertThat(result.body()).contains("hc-cps-card-required");
            Browser.Page retried = browser.submit(result, result.form("hc-cps-card-required"), Map.of(),
                    client.isCallback());
            assertThat(client.issuedCode(retried)).as("a retry still without a card").isFalse();
            assertThat(retried.body()).contains("hc-cps-card-required");
        }
    }
}
