package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.pki.IgcSanteTestPki;
import fr.hcbroker.stack.pki.RevocationServer.OcspMode;
import fr.hcbroker.stack.pki.ServerTls;
import fr.hcbroker.stack.pki.TestCard;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jsoup.Jsoup;
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
 * key drives the authorization request on Keycloak's https port, the test PKI's real OCSP responder
 * and CRLs answer. The flow under test is built here (cps-card, else the password form) and bound to
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
        noCard = sslContext(null, false);
    }

    private static Map<String, String> cpsConfig() {
        Map<String, String> env = stack.cards().environment();
        return Map.of("cps.trust.anchors.file", env.get("HC_CPS_TRUST_ANCHORS"),
                "cps.intermediates.file", env.get("HC_CPS_INTERMEDIATES"),
                "cps.accepted.policies", env.get("HC_CPS_POLICIES"),
                "cps.ocsp.url", env.get("HC_CPS_OCSP_URL"),
                "cps.crl.urls", env.get("HC_CPS_CRL_URLS"),
                "cps.revocation.fail.open", "false",
                "cps.revocation.timeout.ms", "2000");
    }

    @AfterEach
    void honestResponder() {
        stack.cards().revocation().ocspMode(OcspMode.HONEST);
        stack.cards().revocation().crlAvailable(true);
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

    @ParameterizedTest(name = "card {0} is refused with its own message ({1})")
    @CsvSource({
            "revoked, hcCpsRevoked",
            "revoked-elementaire, hcCpsRevoked",
            "wrong-policy, hcCpsPolicyNotAccepted",
            "rpps-no-account, hcCpsNoAccount",
            "adeli-no-account, hcCpsNoAccount"})
    void badCardsAreRefusedWithTheirOwnMessage(String card, String messageKey) throws Exception {
        assertRefused(authorize(card(card)), messageKey);
    }

    @Test
    void aRevokedCardIsRefusedOnTheCrlWhenTheResponderIsDown() throws Exception {
        stack.cards().revocation().ocspMode(OcspMode.DOWN);
        assertRefused(authorize(card("revoked")), "hcCpsRevoked");
    }

    /** First: CRLs are cached until their nextUpdate (a day), so once fetched a CRL would answer. */
    @Test
    @Order(1)
    void noRevocationAnswerRefusesSayingTheServiceIsUnreachable() throws Exception {
        stack.cards().revocation().ocspMode(OcspMode.DOWN);
        stack.cards().revocation().crlAvailable(false);
        HttpResponse<String> response = authorize(card("inf.lefevre"));
        assertRefused(response, "hcCpsRevocationUnavailable");
        assertThat(text(response)).contains("injoignable");
    }

    @ParameterizedTest(name = "an OCSP answer that is {0} refuses the card")
    @CsvSource({"STALE", "WRONG_NONCE", "UNAUTHORIZED_SIGNER"})
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
     * Java's TLS server (client-auth=request) checks a presented certificate with its trust manager
     * (chain to the trust store, dates, clientAuth EKU) and ends the handshake instead of passing a
     * failing one on, so no page can be shown on that connection. The authenticator's own refusals
     * (used when a proxy forwards the certificate) are proven in CpsCardValidationTest. A browser
     * does not offer a card whose issuer is not in the server's list.
     */
    @ParameterizedTest(name = "a {0} card presented to the server ends the TLS handshake")
    @CsvSource({"foreign-ca", "wrong-key", "expired", "not-yet-valid", "no-client-auth"})
    void untrustedChainsEndTheHandshake(String card) {
        assertThatThrownBy(() -> send(sslContext(stack.cards().pki().card(card), true), authorizeRequest()))
                .isInstanceOf(IOException.class);
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
        return sslContext(stack.cards().pki().card(name), false);
    }

    private HttpResponse<String> authorize(SSLContext card) throws Exception {
        return send(card, authorizeRequest());
    }

    private static HttpRequest authorizeRequest() {
        return HttpRequest.newBuilder(URI.create(stack.keycloakHttpsUrl()
                + "/realms/hospiconnect/protocol/openid-connect/auth?client_id=" + CLIENT
                + "&response_type=code&scope=openid&redirect_uri="
                + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8))).GET().build();
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

    /** Trusts the stack's TLS CA; presents {@code card} (always, when {@code forced}, as a user picking it would). */
    private static SSLContext sslContext(TestCard card, boolean forced) throws Exception {
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(stack.settings().workDir().toAbsolutePath()
                .resolve("tls/keycloak-server.p12"))) {
            server.load(in, ServerTls.PASSWORD.toCharArray());
        }
        java.security.cert.Certificate[] serverChain = server.getCertificateChain("server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("tls-ca", serverChain[serverChain.length - 1]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManager[] keys = null;
        if (card != null) {
            if (forced) {
                keys = new KeyManager[]{new ForcedCard(card)};
            } else {
                KeyStore p12 = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(card.file())) {
                    p12.load(in, IgcSanteTestPki.CARD_PASSWORD.toCharArray());
                }
                var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
                kmf.init(p12, IgcSanteTestPki.CARD_PASSWORD.toCharArray());
                keys = kmf.getKeyManagers();
            }
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, tmf.getTrustManagers(), null);
        return context;
    }

    /** Presents the card whatever CA names the server asks for. */
    private static final class ForcedCard extends X509ExtendedKeyManager {
        private final TestCard card;

        ForcedCard(TestCard card) {
            this.card = card;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{"card"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "card";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "card";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return card.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return card.key();
        }
    }
}
