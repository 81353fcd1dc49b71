package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.cardproxy.CardProxy;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.CardTls;
import fr.hcbroker.stack.pki.RevocationServer.OcspMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * CPS card login against the real Keycloak over mutual TLS: a Java HttpClient holding the card's
 * key drives the authorization request on the https port people use (nginx, the card proxy, in
 * front of Keycloak's own), the test PKI's real OCSP responder and CRLs answer. The flow under test is built here (cps-card, else the password form) and bound to
 * a test client, so it does not depend on the realm's browser flow.
 */
@ExtendWith(StackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CpsCardIT {

    private static final String REALM = "/admin/realms/hospiconnect";
    private static final String FLOW = "hc-cps-e2e";
    private static final String CLIENT = "cps-e2e";
    private static final String REDIRECT = "http://127.0.0.1/cps-e2e/callback";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Properties MESSAGES = new Properties();

    private static Stack stack;
    private static SSLContext noCard;

    @BeforeAll
    static void flow(Stack running) throws Exception {
        stack = running;
        try (InputStream in = CpsCardIT.class.getResourceAsStream(
                "/theme/hospiconnect/login/messages/messages_fr.properties")) {
            MESSAGES.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        AdminApi admin = new AdminApi(stack);
        admin.send("POST", REALM + "/authentication/flows", Map.of("alias", FLOW, "providerId", "basic-flow",
                "topLevel", true, "builtIn", false, "description", "cps-card e2e"));
        admin.send("POST", REALM + "/authentication/flows/" + FLOW + "/executions/execution", Map.of("provider", "cps-card"));
        admin.send("POST", REALM + "/authentication/flows/" + FLOW + "/executions/execution",
                Map.of("provider", "auth-username-password-form"));
        for (JsonNode execution : admin.get(REALM + "/authentication/flows/" + FLOW + "/executions")) {
            admin.send("PUT", REALM + "/authentication/flows/" + FLOW + "/executions",
                    Map.of("id", execution.path("id").asText(), "requirement", "ALTERNATIVE"));
            if ("cps-card".equals(execution.path("providerId").asText())) {
                assertThat(admin.send("POST", REALM + "/authentication/executions/" + execution.path("id").asText()
                        + "/config", Map.of("alias", "cps-e2e", "config", cpsConfig()))).isEqualTo(201);
            }
        }
        String flowId = null;
        for (JsonNode flow : admin.get(REALM + "/authentication/flows")) {
            if (FLOW.equals(flow.path("alias").asText())) {
                flowId = flow.path("id").asText();
            }
        }
        assertThat(admin.send("POST", REALM + "/clients", Map.of(
                "clientId", CLIENT, "publicClient", true, "standardFlowEnabled", true,
                "redirectUris", List.of(REDIRECT),
                "authenticationFlowBindingOverrides", Map.of("browser", flowId),
                "attributes", Map.of("acr.loa.map", "{\"eidas1\":\"1\",\"eidas2\":\"2\",\"eidas3\":\"3\"}"),
                "protocolMappers", List.of(Map.of("name", "hc-amr-note", "protocol", "openid-connect",
                        "protocolMapper", "oidc-usersessionmodel-note-mapper",
                        "config", Map.of("user.session.note", "hc.amr", "claim.name", "hc_amr",
                                "access.token.claim", "true", "id.token.claim", "true",
                                "jsonType.label", "String")))))).isEqualTo(201);
        noCard = CardTls.context(stack, null, false);
    }

    private static Map<String, String> cpsConfig() {
        Map<String, String> env = stack.cards().environment();
        return Map.of("cps-trust-anchors-file", env.get("HC_CPS_TRUST_ANCHORS"),
                "cps-intermediates-file", env.get("HC_CPS_INTERMEDIATES"),
                "cps-accepted-policies", env.get("HC_CPS_POLICIES"),
                "cps-ocsp-url", env.get("HC_CPS_OCSP_URL"),
                "cps-crl-urls", env.get("HC_CPS_CRL_URLS"),
                "cps-revocation-fail-open", "false",
                "cps-revocation-timeout-ms", "2000");
    }

    @AfterEach
    void honestResponder() {
        stack.cards().revocation().ocspMode(OcspMode.HONEST);
        stack.cards().revocation().crlAvailable(true);
    }

    /** Labels and help texts are admin-theme message keys, translated in French and English. */
    @Test
    void everyCardSettingIsShownToTheAdminWithHelpTextInFrenchAndEnglish() throws Exception {
        JsonNode description = new AdminApi(stack).get(REALM + "/authentication/config-description/cps-card");
        Properties french = adminMessages("fr");
        Properties english = adminMessages("en");
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode property : description.path("properties")) {
            names.add(property.path("name").asText());
            for (String key : List.of(property.path("label").asText(), property.path("helpText").asText())) {
                assertThat(french.getProperty(key)).as("French text of %s", key).isNotBlank();
                assertThat(english.getProperty(key)).as("English text of %s", key).isNotBlank();
            }
            assertThat(french.getProperty(property.path("helpText").asText())).hasSizeGreaterThan(20);
        }
        assertThat(names).containsAll(cpsConfig().keySet()).contains("cps-create-users", "cps-revocation-max-age-seconds");
    }

    private static Properties adminMessages(String lang) throws IOException {
        Properties messages = new Properties();
        try (InputStream in = CpsCardIT.class.getResourceAsStream("/theme-resources/messages/messages_" + lang + ".properties")) {
            messages.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return messages;
    }

    /** A realm exported before the settings were renamed, imported again: its card settings read under the new names. */
    @Test
    void aRealmImportedWithTheEarlierDottedSettingNamesIsMigrated() {
        AdminApi admin = new AdminApi(stack);
        String realm = "hc-legacy-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> legacy = Map.of("realm", realm, "enabled", true,
                "authenticationFlows", List.of(Map.of("alias", "legacy card", "providerId", "basic-flow",
                        "topLevel", true, "builtIn", false, "authenticationExecutions", List.of(Map.of(
                                "authenticator", "cps-card", "authenticatorConfig", "legacy-cps",
                                "requirement", "ALTERNATIVE", "priority", 10)))),
                "authenticatorConfig", List.of(Map.of("alias", "legacy-cps", "config", Map.of(
                        "cps.trust.anchors.file", "/etc/hc/igc-sante-roots.pem",
                        "cps.ocsp.url", "http://ocsp.esante.gouv.fr",
                        "cps.create.users", "true"))));
        assertThat(admin.send("POST", "/admin/realms", legacy)).isEqualTo(201);
        try {
            String configId = admin.get("/admin/realms/" + realm + "/authentication/flows/legacy%20card/executions")
                    .get(0).path("authenticationConfig").asText();
            JsonNode config = admin.get("/admin/realms/" + realm + "/authentication/config/" + configId).path("config");
            assertThat(config.path("cps-trust-anchors-file").asText()).isEqualTo("/etc/hc/igc-sante-roots.pem");
            assertThat(config.path("cps-ocsp-url").asText()).isEqualTo("http://ocsp.esante.gouv.fr");
            assertThat(config.path("cps-create-users").asText()).isEqualTo("true");
            List<String> names = new java.util.ArrayList<>();
            config.fieldNames().forEachRemaining(names::add);
            assertThat(names).noneMatch(name -> name.contains("."));
        } finally {
            admin.send("DELETE", "/admin/realms/" + realm, Map.of());
        }
    }

    /**
     * Browsers present a card by themselves: a revoked card left in the reader must not lock its
     * holder's other ways in. Each attempt is recorded against the holder for the security officer.
     */
    @Test
    void revokedCardAttemptsAreRecordedAgainstTheHolderButNeverCountTowardTheLockout() throws Exception {
        AdminApi admin = new AdminApi(stack);
        String holder = admin.userId("dr.martin");
        String bruteForce = REALM + "/attack-detection/brute-force/users/" + holder;
        admin.send("DELETE", bruteForce, Map.of());
        int recordedBefore = revokedCardEvents(admin, holder);
        for (int attempt = 0; attempt < 7; attempt++) {
            assertRefused(authorize(card("revoked")), "hcCpsRevoked");
        }
        JsonNode state = admin.get(bruteForce);
        assertThat(state.path("numFailures").asInt()).isZero();
        assertThat(state.path("disabled").asBoolean()).isFalse();
        assertThat(revokedCardEvents(admin, holder) - recordedBefore).as("one event per attempt").isEqualTo(7);
        assertThat(authorize(card("dr.martin")).statusCode()).as("the holder's valid card still logs in").isEqualTo(302);
    }

    /**
     * The refusal page leads to the other ways in while the browser keeps presenting the refused card:
     * the card is not checked or recorded again in this login, and the holder's password logs in.
     */
    @Test
    void withTheRevokedCardStillPresentedTheHolderSignsInWithThePasswordAndTheRefusalIsRecordedOnce() throws Exception {
        AdminApi admin = new AdminApi(stack);
        String holder = admin.userId("dr.martin");
        int recordedBefore = revokedCardEvents(admin, holder);
        HttpClient browser = HttpClient.newBuilder().sslContext(card("revoked"))
                .cookieHandler(new java.net.CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> refused = browser.send(authorizeRequest(), HttpResponse.BodyHandlers.ofString());
        assertRefused(refused, "hcCpsRevoked");
        org.jsoup.nodes.Element form = Jsoup.parse(refused.body()).getElementById("hc-cps-card-refused");
        assertThat(form).as(refused.body()).isNotNull();
        assertThat(form.getElementById("hc-cps-other-ways")).isNotNull();

        HttpResponse<String> forms = browser.send(post(form.attr("action"), "other=ways"), HttpResponse.BodyHandlers.ofString());
        assertThat(forms.statusCode()).as(forms.body()).isEqualTo(200);
        org.jsoup.nodes.Element login = Jsoup.parse(forms.body()).getElementById("kc-form-login");
        assertThat(login).as("the password form, card still in the reader").isNotNull();

        HttpResponse<String> done = browser.send(post(login.attr("action"), "username=dr.martin&password="
                + URLEncoder.encode(fr.hcbroker.stack.demo.DemoProfessional.ALL.get(0).password(), StandardCharsets.UTF_8)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(302);
        assertThat(done.headers().firstValue("location").orElseThrow()).startsWith(REDIRECT).contains("code=");
        assertThat(revokedCardEvents(admin, holder) - recordedBefore).as("recorded once for the whole login").isEqualTo(1);
        assertThat(admin.get(REALM + "/attack-detection/brute-force/users/" + holder).path("numFailures").asInt()).isZero();
    }

    /** Password failures count; a successful card login then clears the count (Keycloak alone would not). */
    @Test
    void aSuccessfulCardLoginClearsTheFailureCountThatWrongPasswordsLeft() throws Exception {
        AdminApi admin = new AdminApi(stack);
        String bruteForce = REALM + "/attack-detection/brute-force/users/" + admin.userId("dr.martin");
        admin.send("DELETE", bruteForce, Map.of());
        for (int attempt = 0; attempt < 2; attempt++) {
            // As a person types: two failures within a second (quickLoginCheckMilliSeconds) are a bot's,
            // and Keycloak locks the account for a minute whatever the next means.
            Thread.sleep(attempt == 0 ? 0 : 1_500);
            HttpClient browser = HttpClient.newBuilder().sslContext(noCard)
                    .cookieHandler(new java.net.CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> page = browser.send(authorizeRequest(), HttpResponse.BodyHandlers.ofString());
            String action = Jsoup.parse(page.body()).getElementById("kc-form-login").attr("action");
            HttpResponse<String> wrong = browser.send(post(action, "username=dr.martin&password=not-the-password"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).as(wrong.body()).isNotEqualTo(302);
        }
        new org.openqa.selenium.support.ui.FluentWait<>(admin).withTimeout(java.time.Duration.ofSeconds(10))
                .until(a -> a.get(bruteForce).path("numFailures").asInt() == 2);
        assertThat(authorize(card("dr.martin")).statusCode()).isEqualTo(302);
        assertThat(admin.get(bruteForce).path("numFailures").asInt()).as("cleared by the card login").isZero();
    }

    private static HttpRequest post(String action, String form) {
        return HttpRequest.newBuilder(URI.create(action.replace("&amp;", "&")))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    }

    private static int revokedCardEvents(AdminApi admin, String userId) {
        int count = 0;
        for (JsonNode event : admin.get(REALM + "/events?type=LOGIN_ERROR&user=" + userId + "&max=1000")) {
            if ("cps_certificate_revoked".equals(event.path("error").asText())) {
                count++;
            }
        }
        return count;
    }

    /** Last: the account it creates must not exist while other tests expect this card to have none. */
    @Test
    @Order(Integer.MAX_VALUE)
    void whenTheAdminAllowsItAValidCardWithNoAccountCreatesItFromTheCard() throws Exception {
        AdminApi admin = new AdminApi(stack);
        String configPath = null;
        for (JsonNode execution : admin.get(REALM + "/authentication/flows/" + FLOW + "/executions")) {
            if ("cps-card".equals(execution.path("providerId").asText())) {
                configPath = REALM + "/authentication/config/" + execution.path("authenticationConfig").asText();
            }
        }
        Map<String, String> creating = new java.util.HashMap<>(cpsConfig());
        creating.put("cps-create-users", "true");
        assertThat(admin.send("PUT", configPath, Map.of("alias", "cps-e2e", "config", creating))).isEqualTo(204);
        try {
            HttpResponse<String> response = authorize(card("rpps-no-account"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
            assertThat(response.headers().firstValue("location").orElseThrow()).contains("code=");
            String idNat = "8" + fr.hcbroker.idnat.IdNat.withLuhnDigit("9970000099");
            JsonNode created = admin.get(REALM + "/users?q=idnat_ps:" + idNat + "&briefRepresentation=false");
            assertThat(created).hasSize(1);
            assertThat(created.get(0).path("lastName").asText()).isEqualToIgnoringCase("Inconnu");
            assertThat(admin.send("DELETE", REALM + "/users/" + created.get(0).path("id").asText(), Map.of()))
                    .isEqualTo(204);
        } finally {
            admin.send("PUT", configPath, Map.of("alias", "cps-e2e", "config", cpsConfig()));
        }
    }

    @Test
    void aValidCardLogsInAtLevelHighWithCardAmr() throws Exception {
        HttpResponse<String> response = authorize(card("dr.martin"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        String location = response.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(REDIRECT).contains("code=");
        String code = URI.create(location).getQuery().replaceAll(".*(?:^|&)code=([^&]+).*", "$1");
        JsonNode token = claims(exchange(card("dr.martin"), code));
        assertThat(token.path("acr").asText()).isEqualTo("eidas3");
        assertThat(token.path("hc_amr").asText().split(" ")).contains("sc", "pin", "mfa", "hwk");
        assertThat(token.path("preferred_username").asText()).isEqualTo("dr.martin");
    }

    /**
     * Through the card proxy, as people reach Keycloak's https port: the card is presented as a person
     * picking it would (even one whose issuer is not among the CA names the server offers).
     */
    @ParameterizedTest(name = "card {0} is refused with its own message ({1})")
    @CsvSource({
            "revoked, hcCpsRevoked",
            "revoked-elementaire, hcCpsRevoked",
            "wrong-policy, hcCpsPolicyNotAccepted",
            "rpps-no-account, hcCpsNoAccount",
            "adeli-no-account, hcCpsNoAccount",
            "expired, hcCpsExpired",
            "not-yet-valid, hcCpsNotYetValid",
            "foreign-ca, hcCpsUntrustedIssuer",
            "wrong-key, hcCpsIssuerSignatureMismatch",
            "no-client-auth, hcCpsWrongKeyUsage"})
    void badCardsAreRefusedWithTheirOwnMessage(String card, String messageKey) throws Exception {
        assertRefused(authorize(CardTls.context(stack, stack.cards().pki().card(card), true)), messageKey);
    }

    /**
     * The configured CRLs are FORT's then ELEMENTAIRE's: once the FORT card's check has cached the
     * first, it must not answer for the ELEMENTAIRE card, whose CA's list is the second.
     */
    @Test
    void aRevokedCardIsRefusedOnTheCrlWhenTheResponderIsDown() throws Exception {
        stack.cards().revocation().ocspMode(OcspMode.DOWN);
        assertRefused(authorize(card("revoked")), "hcCpsRevoked");
        assertRefused(authorize(card("revoked-elementaire")), "hcCpsRevoked");
    }

    /**
     * First: CRLs are cached until their nextUpdate (a day), so once fetched a CRL would answer; and
     * OCSP answers are cached too, so the card is one no other test class presents (its revocation
     * check comes before the account lookup).
     */
    @Test
    @Order(1)
    void noRevocationAnswerRefusesSayingTheServiceIsUnreachable() throws Exception {
        stack.cards().revocation().ocspMode(OcspMode.DOWN);
        stack.cards().revocation().crlAvailable(false);
        HttpResponse<String> response = authorize(card("rpps-no-account"));
        assertRefused(response, "hcCpsRevocationUnavailable");
        assertThat(text(response)).contains("injoignable");
    }

    @ParameterizedTest(name = "an OCSP answer that is {0} refuses the card")
    @CsvSource({"STALE", "WRONG_NONCE", "UNAUTHORIZED_SIGNER", "NOT_OCSP"})
    void badOcspAnswersRefuseTheCard(OcspMode mode) throws Exception {
        stack.cards().revocation().ocspMode(mode);
        assertRefused(authorize(card("ph.nguyen")), "hcCpsRevocationResponseInvalid");
    }

    @Test
    void withoutACardTheOtherLoginChoicesRemain() throws Exception {
        HttpResponse<String> response = send(noCard, authorizeRequest());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Jsoup.parse(response.body()).select("input[name=username]")).isNotEmpty();
    }

    /**
     * Keycloak's own https port, without the proxy, authenticates the card in its TLS layer; a card
     * header sent on that connection does not replace the card presented.
     */
    @Test
    void onKeycloaksOwnHttpsPortTheCardOfTheConnectionCountsNotAHeader() throws Exception {
        HttpResponse<String> response = send(card("ph.nguyen"), authorizeRequest(stack.keycloakDirectHttpsUrl())
                .header(CardProxy.HEADER, escapedPem("dr.martin")).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        String code = URI.create(response.headers().firstValue("location").orElseThrow()).getQuery()
                .replaceAll(".*(?:^|&)code=([^&]+).*", "$1");
        JsonNode token = claims(exchange(card("ph.nguyen"), code));
        assertThat(token.path("preferred_username").asText()).isEqualTo("ph.nguyen");
        assertThat(token.path("acr").asText()).isEqualTo("eidas3");
    }

    /**
     * A card certificate is public: whoever sends it in the proxy's header, other than the proxy
     * itself (which proves itself with its own TLS certificate), must not be logged in as its holder.
     */
    @ParameterizedTest(name = "a forged card header ({0}) logs no one in")
    @CsvSource({"through the proxy", "through the proxy, lower case", "through the proxy, twice",
            "to Keycloak's http port", "to Keycloak's own https port"})
    void aForgedCardHeaderLogsNoOneIn(String how) throws Exception {
        String base = how.startsWith("to Keycloak's http") ? stack.keycloakUrl()
                : how.startsWith("to Keycloak's own") ? stack.keycloakDirectHttpsUrl() : stack.keycloakHttpsUrl();
        String name = how.endsWith("lower case") ? CardProxy.HEADER.toLowerCase(java.util.Locale.ROOT) : CardProxy.HEADER;
        HttpRequest.Builder request = authorizeRequest(base).header(name, escapedPem("dr.martin"));
        if (how.endsWith("twice")) {
            request.header(name, escapedPem("dr.martin"));
        }
        HttpResponse<String> response = send(noCard, request.build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("location")).isEmpty();
        assertThat(Jsoup.parse(response.body()).select("input[name=username]")).isNotEmpty();
    }

    private static String escapedPem(String card) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(stack.cards().pki().card(card).chain().get(0).getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return URLEncoder.encode(pem, StandardCharsets.US_ASCII).replace("+", "%20");
    }

    private static void assertRefused(HttpResponse<String> response, String messageKey) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        String expected = MESSAGES.getProperty(messageKey).replace("''", "'");
        assertThat(text(response)).contains(expected);
    }

    private static String text(HttpResponse<String> response) {
        return Jsoup.parse(response.body()).text();
    }

    private static SSLContext card(String name) throws Exception {
        return CardTls.context(stack, stack.cards().pki().card(name), false);
    }

    private HttpResponse<String> authorize(SSLContext card) throws Exception {
        return send(card, authorizeRequest());
    }

    private static HttpRequest authorizeRequest() {
        return authorizeRequest(stack.keycloakHttpsUrl()).build();
    }

    private static HttpRequest.Builder authorizeRequest(String base) {
        return HttpRequest.newBuilder(URI.create(base
                + "/realms/hospiconnect/protocol/openid-connect/auth?client_id=" + CLIENT
                + "&response_type=code&scope=openid&redirect_uri="
                + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).GET();
    }

    private static String exchange(SSLContext tls, String code) throws Exception {
        String form = "grant_type=authorization_code&client_id=" + CLIENT + "&code="
                + URLEncoder.encode(code, StandardCharsets.UTF_8)
                + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8);
        HttpResponse<String> response = send(tls, HttpRequest.newBuilder(URI.create(stack.keycloakHttpsUrl()
                        + "/realms/hospiconnect/protocol/openid-connect/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    private static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static HttpResponse<String> send(SSLContext tls, HttpRequest request) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).followRedirects(HttpClient.Redirect.NEVER).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
