package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.CardTls;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.psc.PscStandIn;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CPS card in the realm's own browser flow ("hc browser", no per-client override), over mutual
 * TLS on Keycloak's https port: a presented card logs in at eidas3 before any form; without a card
 * the other ways remain; an eidas2 session (password + TOTP, or Pro Santé Connect MOBILE) asked for
 * eidas3 steps up with the card alone, and only with the signed-in person's card.
 */
@ExtendWith(StackExtension.class)
@DisplayName("CPS card in the hospiconnect browser flow: level 3 and step-up")
class CpsLoginIT {

    private static final String HIGH_CLIENT = "cps-high-app";
    private static final String HIGH_SECRET = "cps-high-app-secret-e2e";
    private static final Properties MESSAGES = new Properties();

    private static Stack stack;
    private static SSLContext noCard;

    @BeforeAll
    static void setUp(Stack running) throws Exception {
        stack = running;
        try (InputStream in = CpsLoginIT.class.getResourceAsStream(
                "/theme/hospiconnect/login/messages/messages_fr.properties")) {
            MESSAGES.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        noCard = CardTls.context(stack, null, false);
        // An app an admin raised to eidas3: its own Minimum ACR value, nothing else.
        assertThat(new AdminApi(stack).send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                "clientId", HIGH_CLIENT, "secret", HIGH_SECRET, "publicClient", false,
                "standardFlowEnabled", true, "redirectUris", List.of(stack.gatewayUrl() + "/*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256", "minimum.acr.value", "eidas3"))))
                .isEqualTo(201);
    }

    private static DemoProfessional person(String username) {
        return DemoProfessional.ALL.stream().filter(p -> p.username().equals(username)).findFirst().orElseThrow();
    }

    /** Keycloak caches OCSP answers: cards whose status CpsCardIT needs uncached (ph.nguyen, no-account) stay out of here. */
    private static SSLContext card(String name) throws Exception {
        return CardTls.context(stack, stack.cards().pki().card(name), false);
    }

    private static OidcClient gateway() {
        return new OidcClient(stack, stack.keycloakHttpsUrl(), Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
    }

    private static OidcClient highApp() {
        return new OidcClient(stack, stack.keycloakHttpsUrl(), HIGH_CLIENT, HIGH_SECRET);
    }

    /**
     * Password then TOTP, with no card in the reader: an eidas2 session. Each test signs in a different
     * person: a TOTP code is accepted once, and tests follow each other within one 30 s window.
     */
    private static Browser passwordAndTotp(OidcClient client, String username, String password, String totpSecret)
            throws ParseException {
        Browser browser = new Browser(noCard);
        Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
        Browser.Page otp = browser.submit(login, login.form("kc-form-login"),
                Map.of("username", username, "password", password), client.isCallback());
        Browser.Page callback = browser.submit(otp, otp.form("kc-otp-login-form"),
                Map.of("otp", Totp.now(totpSecret)), client.isCallback());
        assertThat(client.idTokenClaims(browser, callback.uri()).getStringClaim("acr")).isEqualTo("eidas2");
        return browser;
    }

    /** A Pro Santé Connect login through the stand-in, where this person signs in with the e-CPS app (MOBILE): eidas2. */
    private static Browser pscMobile(OidcClient client, DemoProfessional p) throws ParseException {
        Browser browser = new Browser(noCard);
        Browser.Page psc = browser.get(client.authorizationUrl(Map.of("kc_idp_hint", "pro-sante-connect")),
                client.isCallback());
        assertThat(psc.uri().toString()).startsWith(PscStandIn.issuer(stack.keycloakUrl()));
        Browser.Page callback = browser.submit(psc, Map.of("username", p.idNat(), "password", p.password()),
                client.isCallback());
        assertThat(client.idTokenClaims(browser, callback.uri()).getStringClaim("acr")).isEqualTo("eidas2");
        return browser;
    }

    private static String text(Browser.Page page) {
        return Jsoup.parse(page.body()).text();
    }

    private static String message(String key) {
        return MESSAGES.getProperty(key).replace("''", "'");
    }

    @Test
    void aPresentedCardLogsInAtEidas3BeforeAnyFormWithCardAmr() throws Exception {
        OidcClient client = gateway();
        Browser browser = new Browser(card("dr.martin"));
        Browser.Page callback = browser.get(client.authorizationUrl(), client.isCallback());
        assertThat(client.issuedCode(callback)).as("no form before the code: %s", callback.body()).isTrue();
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas3");
        assertThat(claims.getStringListClaim("amr")).contains("sc", "pin", "mfa").doesNotContain("pwd");
        assertThat(claims.getStringClaim("preferred_username")).isEqualTo("dr.martin");
    }

    @Test
    void withoutACardThePasswordFormAndProSanteConnectRemain() {
        Browser.Page login = new Browser(noCard).get(gateway().authorizationUrl(), u -> false);
        assertThat(login.body()).contains("kc-form-login").contains("pro-sante-connect");
    }

    @Test
    void anEidas2SessionAskedForEidas3StepsUpWithTheCardAloneAndKeepsItsFactors() throws Exception {
        OidcClient client = gateway();
        DemoProfessional doctor = person("dr.martin");
        Browser browser = passwordAndTotp(client, doctor.username(), doctor.password(), doctor.totpSecret())
                .withTls(card("dr.martin"));
        Browser.Page callback = browser.get(client.authorizationUrl(Map.of("acr_values", "eidas3")), client.isCallback());
        assertThat(client.issuedCode(callback)).as("no password or code form again: %s", callback.body()).isTrue();
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas3");
        assertThat(claims.getStringListClaim("amr")).contains("pwd", "otp", "sc", "mfa");
    }

    @Test
    void aStepUpWithAnotherPersonsCardIsRefusedAndIssuesNoCode() throws Exception {
        OidcClient client = gateway();
        String username = "cps-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "Pw-" + UUID.randomUUID();
        String totp = "totp-" + UUID.randomUUID();
        new AdminApi(stack).createUser(username, password, totp);
        Browser browser = passwordAndTotp(client, username, password, totp).withTls(card("dr.martin"));
        Browser.Page page = browser.get(client.authorizationUrl(Map.of("acr_values", "eidas3")), client.isCallback());
        assertThat(client.issuedCode(page)).isFalse();
        assertThat(text(page)).contains(message("hcCpsAnotherPerson"));
    }

    @Test
    void anAppRaisedToEidas3AsksTheEidas2SessionForTheCardAndNothingElse() throws Exception {
        Browser session = pscMobile(gateway(), person("inf.lefevre"));
        OidcClient high = highApp();
        Browser.Page withoutCard = session.get(high.authorizationUrl(), high.isCallback());
        assertThat(high.issuedCode(withoutCard)).isFalse();
        assertThat(text(withoutCard)).contains(message("hcCpsCardRequired"));
        assertThat(withoutCard.body()).doesNotContain("kc-form-login");

        Browser withCard = session.withTls(card("inf.lefevre"));
        Browser.Page callback = withCard.submit(withoutCard, withoutCard.form("hc-cps-card-required"), Map.of(),
                high.isCallback());
        assertThat(high.issuedCode(callback)).as("the retry with the card: %s", callback.body()).isTrue();
        assertThat(high.idTokenClaims(withCard, callback.uri()).getStringClaim("acr")).isEqualTo("eidas3");
    }

    @Test
    void aProSanteConnectMobileSessionStepsUpToEidas3WithTheCard() throws Exception {
        OidcClient client = gateway();
        Browser browser = pscMobile(client, person("inf.lefevre")).withTls(card("inf.lefevre"));
        Browser.Page stepUp = browser.get(client.authorizationUrl(Map.of("acr_values", "eidas3")), client.isCallback());
        assertThat(client.issuedCode(stepUp)).as("only the card is asked: %s", stepUp.body()).isTrue();
        JWTClaimsSet high = client.idTokenClaims(browser, stepUp.uri());
        assertThat(high.getStringClaim("acr")).isEqualTo("eidas3");
        assertThat(high.getStringListClaim("amr")).as("PSC's and the card's methods").contains("swk", "sc");
        assertThat(high.getStringClaim("preferred_username")).isEqualTo("inf.lefevre");
    }
}
