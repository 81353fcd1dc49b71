package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.CardTls;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StackExtension.class)
@DisplayName("an app demanding a phishing-resistant factor (hc.phishing.resistant), and the amr/acr sent to PSC in delegation")
class PhishingResistantIT {

    private static final String STRICT = "phishing-resistant-app";
    private static final String STRICT_SECRET = "phishing-resistant-app-secret-e2e";
    private static final Path DELEGATION_TEMPLATE = Path.of("..", "realms", "templates", "psc-delegation-client.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Properties MESSAGES = new Properties();

    private static Stack stack;
    private static AdminApi admin;
    private static SSLContext noCard;

    @BeforeAll
    static void setUp(Stack running) throws Exception {
        stack = running;
        admin = new AdminApi(running);
        try (InputStream in = PhishingResistantIT.class.getResourceAsStream(
                "/theme/hospiconnect/login/messages/messages_fr.properties")) {
            MESSAGES.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        noCard = CardTls.context(stack, null, false);
        // Only the switch: no level of its own, so the realm floor (eidas2) applies as to any app.
        assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                "clientId", STRICT, "secret", STRICT_SECRET, "publicClient", false,
                "standardFlowEnabled", true, "redirectUris", List.of(stack.gatewayUrl() + "/*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256", "hc.phishing.resistant", "true"))))
                .isEqualTo(201);
    }

    private record User(String username, String password, String totpSecret) {
    }

    private static User newUser() {
        User user = new User("pr-" + UUID.randomUUID().toString().substring(0, 8), "Pw-" + UUID.randomUUID(),
                "totp-" + UUID.randomUUID());
        admin.createUser(user.username(), user.password(), user.totpSecret());
        return user;
    }

    /** Through Keycloak's http port, where the software key signs for that origin (as in LoaWebAuthnIT). */
    private static OidcClient strict() {
        return new OidcClient(stack, STRICT, STRICT_SECRET);
    }

    /** Through the https port, where a card can be presented. */
    private static OidcClient strictWithCard() {
        return new OidcClient(stack, stack.keycloakHttpsUrl(), STRICT, STRICT_SECRET);
    }

    private static OidcClient gateway() {
        return new OidcClient(stack, Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
    }

    private static String message(String key) {
        return MESSAGES.getProperty(key).replace("''", "'");
    }

    private static String text(Browser.Page page) {
        return Jsoup.parse(page.body()).text();
    }

    /** A value the WebAuthn page passes to its script, e.g. {@code challenge : "..."}. */
    private static String scriptValue(Browser.Page page, String name) {
        Matcher m = Pattern.compile(name + "\\s*:\\s*\"([^\"]*)\"").matcher(page.body());
        assertThat(m.find()).as("%s on the WebAuthn page", name).isTrue();
        return m.group(1);
    }

    /** Password then TOTP through {@code client}: the page that follows. */
    private static Browser.Page passwordAndTotp(Browser browser, OidcClient client, User user) {
        Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
        Browser.Page otp = browser.submit(login, login.form("kc-form-login"),
                Map.of("username", user.username(), "password", user.password()), client.isCallback());
        assertThat(otp.body()).contains("kc-otp-login-form");
        return browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(user.totpSecret())),
                client.isCallback());
    }

    /** Registers a key from an eidas2 session of the gateway (password + TOTP), as from the account console. */
    private static SoftwareAuthenticator registerKey(Browser browser, User user) {
        OidcClient gateway = gateway();
        assertThat(gateway.issuedCode(passwordAndTotp(browser, gateway, user))).isTrue();
        SoftwareAuthenticator key = new SoftwareAuthenticator();
        Browser.Page register = browser.get(gateway.authorizationUrl(Map.of("kc_action", "webauthn-register")),
                gateway.isCallback());
        Browser.Page registered = browser.submit(register, register.form("register"),
                key.register(scriptValue(register, "challenge"), scriptValue(register, "rpId"), stack.keycloakUrl()),
                gateway.isCallback());
        assertThat(gateway.issuedCode(registered)).as("registration accepted: %s", registered.body()).isTrue();
        return key;
    }

    private static Browser.Page signWithKey(Browser browser, Browser.Page webauthn, SoftwareAuthenticator key,
                                            OidcClient client) {
        assertThat(webauthn.body()).contains("id=\"webauth\"");
        return browser.submit(webauthn, webauthn.form("webauth"),
                key.authenticate(scriptValue(webauthn, "challenge"), scriptValue(webauthn, "rpId"), stack.keycloakUrl()),
                client.isCallback());
    }

    @Nested
    @DisplayName("password and TOTP (eidas2, not phishing-resistant)")
    class PasswordAndTotp {

        @Test
        void withoutAKeyIsRefusedWithAPageSayingAKeyOrTheCardIsNeededAndNoCode() {
            User user = newUser();
            OidcClient client = strict();
            Browser.Page page = passwordAndTotp(new Browser(), client, user);
            assertThat(client.issuedCode(page)).isFalse();
            assertThat(page.status()).isEqualTo(403);
            assertThat(text(page)).contains(message("hcPhishingResistantRequired"));
        }

        @Test
        void withAKeyStepsUpWithTheKeyAloneAndTheTokenCarriesHwk() throws Exception {
            User user = newUser();
            Browser browser = new Browser();
            SoftwareAuthenticator key = registerKey(browser, user);
            OidcClient client = strict();
            // The gateway's eidas2 session (password + TOTP) is not enough here: only the key is asked.
            Browser.Page stepUp = browser.get(client.authorizationUrl(), client.isCallback());
            assertThat(client.issuedCode(stepUp)).isFalse();
            assertThat(stepUp.body()).doesNotContain("kc-form-login").doesNotContain("kc-otp-login-form");
            Browser.Page callback = signWithKey(browser, stepUp, key, client);
            JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(claims.getStringListClaim("amr")).contains("pwd", "otp", "hwk", "mfa");
        }
    }

    @Test
    void passwordAndASecurityKeyPassWithNothingMore() throws Exception {
        User user = newUser();
        SoftwareAuthenticator key = registerKey(new Browser(), user);
        assertThat(admin.send("DELETE", "/admin/realms/hospiconnect/users/" + admin.userId(user.username())
                + "/credentials/" + admin.credentialId(user.username(), "otp"), Map.of())).isEqualTo(204);

        OidcClient client = strict();
        Browser browser = new Browser();
        Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
        Browser.Page webauthn = browser.submit(login, login.form("kc-form-login"),
                Map.of("username", user.username(), "password", user.password()), client.isCallback());
        Browser.Page callback = signWithKey(browser, webauthn, key, client);
        assertThat(client.issuedCode(callback)).as("one key, no second prompt: %s", callback.body()).isTrue();
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
        assertThat(claims.getStringListClaim("amr")).contains("pwd", "hwk", "mfa").doesNotContain("otp");
    }

    @Test
    void theCpsCardPassesAtEidas3() throws Exception {
        OidcClient client = strictWithCard();
        Browser browser = new Browser(CardTls.context(stack, stack.cards().pki().card("dr.martin"), false));
        Browser.Page callback = browser.get(client.authorizationUrl(), client.isCallback());
        assertThat(client.issuedCode(callback)).as("the card alone: %s", callback.body()).isTrue();
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas3");
        assertThat(claims.getStringListClaim("amr")).contains("sc", "pin", "mfa");
    }

    @Test
    void aProSanteConnectLoginWithTheEcpsAppIsRefusedWithItsOwnPage() {
        DemoProfessional nurse = DemoProfessional.ALL.stream().filter(p -> p.username().equals("inf.lefevre"))
                .findFirst().orElseThrow();
        OidcClient client = strictWithCard();
        Browser browser = new Browser(noCard);
        Browser.Page psc = browser.get(client.authorizationUrl(Map.of("kc_idp_hint", "pro-sante-connect")),
                client.isCallback());
        Browser.Page page = browser.submit(psc, Map.of("username", nurse.idNat(), "password", nurse.password()),
                client.isCallback());
        assertThat(client.issuedCode(page)).isFalse();
        assertThat(text(page)).contains(message("hcPscPhishingResistantRequired"));
    }

    @Nested
    @DisplayName("the PSC delegation client's amr and acr translation (mapper 'amr and acr sent to PSC')")
    class Delegation {

        @Test
        void tokensCarryTheAmrAndAcrTheAdminConfiguredAndNothingUnmapped() throws Exception {
            ObjectNode template = (ObjectNode) JSON.readTree(Files.readString(DELEGATION_TEMPLATE));
            String clientId = "psc-delegation-translated";
            String secret = UUID.randomUUID().toString();
            template.put("clientId", clientId);
            template.put("secret", secret);
            template.putArray("redirectUris").add(stack.gatewayUrl() + "/*");
            for (var mapper : template.withArray("protocolMappers")) {
                if ("hc-delegation-claims-mapper".equals(mapper.path("protocolMapper").asText())) {
                    ((ObjectNode) mapper.path("config")).put("hc.delegation.amr", "pwd=pwd otp=totp");
                    ((ObjectNode) mapper.path("config")).put("hc.delegation.acr", "eidas2=substantial");
                }
            }
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", template)).isEqualTo(201);

            OidcClient client = new OidcClient(stack, clientId, secret);
            Browser browser = new Browser();
            Browser.Page callback = passwordAndTotp(browser, client, newUser());
            JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
            assertThat(claims.getStringListClaim("amr")).as("mfa has no pair: not sent").containsExactly("pwd", "totp");
            assertThat(claims.getStringClaim("acr")).isEqualTo("substantial");
        }

        @Test
        void theTemplateSwitchedToPhishingResistantRefusesTotpAndLetsTheCardThroughWithItsDefaultClaims() throws Exception {
            ObjectNode template = (ObjectNode) JSON.readTree(Files.readString(DELEGATION_TEMPLATE));
            String clientId = "psc-delegation-strict";
            String secret = UUID.randomUUID().toString();
            template.put("clientId", clientId);
            template.put("secret", secret);
            template.putArray("redirectUris").add(stack.gatewayUrl() + "/*");
            ((ObjectNode) template.path("attributes")).put("hc.phishing.resistant", "true");
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", template)).isEqualTo(201);
            OidcClient client = new OidcClient(stack, clientId, secret);
            Browser.Page refused = passwordAndTotp(new Browser(), client, newUser());
            assertThat(client.issuedCode(refused)).isFalse();
            assertThat(text(refused)).contains(message("hcPhishingResistantRequired"));

            client = new OidcClient(stack, stack.keycloakHttpsUrl(), clientId, secret);
            Browser card = new Browser(CardTls.context(stack, stack.cards().pki().card("inf.lefevre"), false));
            Browser.Page callback = card.get(client.authorizationUrl(), client.isCallback());
            assertThat(client.issuedCode(callback)).as("the card: %s", callback.body()).isTrue();
            JWTClaimsSet claims = client.idTokenClaims(card, callback.uri());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas3");
            assertThat(claims.getStringListClaim("amr")).contains("sc", "pin", "mfa");
            assertThat(claims.getClaims()).containsKeys("tid", "oid");
        }
    }
}
