package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Emergency access ("bris de glace") against the real Keycloak: a person without a second factor
 * opens an emergency session on an app that allows it; the tokens carry the claims at eidas1, the
 * alert mail reaches a real SMTP server (GreenMail), the audit trail has the record, the cap refuses
 * the fourth, the session ends at its (shortened) limit, and a mail server that is down holds nobody back.
 */
@ExtendWith(StackExtension.class)
@DisplayName("Emergency access (bris de glace)")
class EmergencyIT {

    static final String CLIENT = "emergency-app";
    static final String SECRET = "emergency-app-" + UUID.randomUUID();
    private static final long LIFETIME_SECONDS = 8;
    private static final String CONTACT = "l'administrateur de garde, poste 4242";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Stack stack;
    private static AdminApi admin;
    private static GreenMail smtp;
    private static String configId;
    /** A gateway of this class's own, started by the one test that needs it (see {@link #gateway()}). */
    private static Process gateway;
    private static int gatewayPort;
    private static Path gatewayWork;

    @BeforeAll
    static void setUp(Stack running) {
        stack = running;
        admin = new AdminApi(running);
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        enable(running, admin, smtp.getSmtp().getPort());
    }

    @AfterAll
    static void tearDown() {
        if (smtp != null) {
            smtp.stop();
        }
        stopGateway();
    }

    static synchronized void stopGateway() {
        if (gateway != null) {
            gateway.destroyForcibly();
            gateway = null;
        }
    }

    static final String GATEWAY_CLIENT = "hc-gateway-emergency";

    /**
     * A gateway whose Keycloak client allows emergency sessions: a copy of the stack gateway's client
     * with {@code hc.emergency.allowed} (the stack's own refuses them, {@link #otherAppsRefuse}). Its
     * route {@code /dpi} takes emergency sessions, {@code /} does not. The base URL. Started once per
     * class that asks (this one, {@link EmergencyPagesIT}); call {@link #enable} first.
     */
    static synchronized String gateway() throws Exception {
        if (gateway == null) {
            gatewayPort = GatewayProcess.freePort();
            String secret = "emergency-gw-" + UUID.randomUUID();
            String realm = "/admin/realms/hospiconnect";
            ObjectNode client = (ObjectNode) admin.get(realm + "/clients?clientId=" + Stack.GATEWAY_CLIENT_ID).get(0);
            client.remove(List.of("id", "secret"));
            String clientId = GATEWAY_CLIENT + "-" + gatewayPort;
            client.put("clientId", clientId).put("secret", secret);
            client.set("redirectUris", JSON.createArrayNode().add("http://localhost:" + gatewayPort + "/*"));
            ObjectNode attributes = (ObjectNode) client.get("attributes");
            attributes.remove(List.of("backchannel.logout.url", "post.logout.redirect.uris"));
            attributes.put("hc.emergency.allowed", "true");
            for (JsonNode mapper : client.path("protocolMappers")) {
                ((ObjectNode) mapper).remove("id");
            }
            assertThat(admin.send("POST", realm + "/clients", client)).isEqualTo(201);
            gatewayWork = Path.of(System.getProperty("hc.work")).toAbsolutePath().resolveSibling("emergency-it-" + gatewayPort);
            Files.createDirectories(gatewayWork);
            Path config = gatewayWork.resolve("gateway.yaml");
            Files.writeString(config, """
                    listen: {host: 127.0.0.1, port: %d}
                    publicUrl: http://localhost:%d
                    oidc: {issuer: %s/realms/hospiconnect, clientId: %s, clientSecretEnv: SECRET}
                    audit: {dir: %s, groupCommitMillis: 50, emergencyReview: {trails: ["%s"]}}
                    routes:
                      - {id: emergency-dpi, path: /dpi, upstream: "%s", emergency: true}
                      - {id: ordinary, path: /, upstream: "%s"}
                    """.formatted(gatewayPort, gatewayPort, stack.keycloakUrl(), clientId, gatewayWork.resolve("audit"),
                    stack.settings().workDir().resolve("audit").toAbsolutePath(), stack.demoAppUrl(), stack.demoAppUrl()));
            gateway = GatewayProcess.start(config, gatewayWork.resolve("gateway.log"), gatewayPort, List.of(), secret);
        }
        return "http://localhost:" + gatewayPort;
    }

    /** The audit directory of this class's gateway (its records and the security officer's reviews). */
    static Path gatewayAudit() {
        return gatewayWork.resolve("audit");
    }

    /**
     * Turns emergency access on for the shared stack (the realm template has it off) with a short
     * lifetime, and adds the app that allows it; other apps are unaffected. Idempotent: the classes
     * that need it call it in any order. {@code smtpPort} 0 leaves the realm's mail settings alone.
     */
    static synchronized void enable(Stack running, AdminApi api, int smtpPort) {
        stack = running;
        admin = api;
        if (smtpPort > 0) {
            smtpPort(smtpPort);
        }
        int created = api.send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                "clientId", CLIENT, "secret", SECRET, "publicClient", false, "standardFlowEnabled", true,
                "redirectUris", List.of(running.gatewayUrl() + "/*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256", "hc.emergency.allowed", "true")));
        assertThat(created).isIn(201, 409);
        JsonNode executions = api.get("/admin/realms/hospiconnect/authentication/flows/"
                + URLEncoder.encode("hc emergency access", StandardCharsets.UTF_8).replace("+", "%20") + "/executions");
        for (JsonNode execution : executions) {
            if ("hc-emergency-access".equals(execution.path("providerId").asText())) {
                configId = execution.path("authenticationConfig").asText();
            }
        }
        assertThat(configId).as("the realm template's emergency step has a configuration").isNotEmpty();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("hc.emergency.enabled", "true");
        config.put("hc.emergency.reasons", "urgence-vitale=Urgence vitale##continuite-des-soins=Continuité des soins");
        config.put("hc.emergency.lifetime.seconds", String.valueOf(LIFETIME_SECONDS));
        config.put("hc.emergency.cap.count", "3");
        config.put("hc.emergency.cap.days", "30");
        config.put("hc.emergency.alert.addresses", "rssi@chu.example,dpo@chu.example");
        config.put("hc.emergency.contact", CONTACT);
        assertThat(api.send("PUT", "/admin/realms/hospiconnect/authentication/config/" + configId,
                Map.of("id", configId, "alias", "hc emergency", "config", config))).isEqualTo(204);
    }

    private static void smtpPort(int port) {
        assertThat(admin.send("PUT", "/admin/realms/hospiconnect", Map.of("smtpServer", Map.of(
                "host", "127.0.0.1", "port", String.valueOf(port), "from", "hc-broker@chu.example",
                "fromDisplayName", "hc-broker")))).isEqualTo(204);
    }

    private static OidcClient app() {
        return new OidcClient(stack, CLIENT, SECRET);
    }

    /** A person without a second factor and no enrolment window: today they would be refused. */
    private static String newPerson() {
        String name = "urg-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createUser(name, "Pw-" + name, null, Map.of("idnat_ps", List.of("8997" + (10_000_000 + (long) (Math.random() * 89_999_999)))));
        return name;
    }

    private static Browser.Page password(Browser browser, OidcClient client, String user) {
        Browser.Page login = browser.get(client.authorizationUrl(Map.of("ui_locales", "fr")), client.isCallback());
        return browser.submit(login, login.form("kc-form-login"), Map.of("username", user, "password", "Pw-" + user),
                client.isCallback());
    }

    private static Browser.Page emergency(Browser browser, OidcClient client, String user, String reason, String note) {
        Browser.Page page = password(browser, client, user);
        assertThat(page.body()).contains("hc-emergency-form");
        assertThat(page.document().text()).contains("Accès d'urgence (bris de glace)", "Urgence vitale", "Continuité des soins");
        return browser.submit(page, page.form("hc-emergency-form"),
                Map.of("choice", "emergency", "reason", reason, "note", note), client.isCallback());
    }

    private static List<JsonNode> keycloakRecords(String event, String user) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (Path file : AuditFiles.of(stack, "keycloak")) {
            for (String line : Files.readAllLines(file)) {
                JsonNode record = JSON.readTree(line);
                if (event.equals(record.path("event").asText()) && user.equals(record.path("user").asText())) {
                    found.add(record);
                }
            }
        }
        return found;
    }

    @Test
    @DisplayName("without a second factor: a reason, a session at eidas1 with the claims, the audit record and the mail")
    void opensAnEmergencySession() throws Exception {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        long before = System.currentTimeMillis() / 1000;
        Browser.Page callback = emergency(browser, client, user, "urgence-vitale", "Arrêt cardiaque\r\nbox 3");
        assertThat(client.issuedCode(callback)).isTrue();
        JWTClaimsSet claims = client.idTokenClaims(browser, callback.uri());
        assertThat(claims.getStringClaim("acr")).isEqualTo("eidas1");
        assertThat(claims.getStringListClaim("amr")).contains("pwd").doesNotContain("mfa", "otp");
        assertThat(claims.getBooleanClaim("hc_emergency")).isTrue();
        assertThat(claims.getStringClaim("hc_emergency_reason")).isEqualTo("urgence-vitale");
        long until = claims.getLongClaim("hc_emergency_until");
        assertThat(until).isBetween(before + LIFETIME_SECONDS - 1, before + LIFETIME_SECONDS + 30);
        assertThat(claims.getExpirationTime().getTime() / 1000).isLessThanOrEqualTo(until);

        List<JsonNode> records = keycloakRecords("emergency_access", user);
        assertThat(records).hasSize(1);
        JsonNode record = records.get(0);
        assertThat(record.path("outcome").asText()).isEqualTo("success");
        assertThat(record.path("loa").asText()).isEqualTo("eidas1");
        assertThat(record.path("details").path("emergency_reason").asText()).isEqualTo("urgence-vitale");
        assertThat(record.path("details").path("emergency_note").asText()).isEqualTo("Arrêt cardiaque box 3");
        assertThat(record.path("details").path("client").asText()).isEqualTo(CLIENT);

        assertThat(smtp.waitForIncomingEmail(15_000, 2)).as("both alert addresses got the mail").isTrue();
        List<MimeMessage> mails = List.of(smtp.getReceivedMessages()).stream()
                .filter(m -> GreenMailUtil.getBody(m).contains(user) || subjectOf(m).contains(user)).toList();
        assertThat(mails).hasSize(2);
        MimeMessage mail = mails.get(0);
        assertThat(subjectOf(mail)).startsWith("[Bris de glace] Accès d'urgence de").contains("Urgence vitale");
        String body = plainText(mail);
        assertThat(body).contains("compte " + user, "Motif : Urgence vitale (urgence-vitale)",
                "Précision : Arrêt cardiaque box 3", "Application : " + CLIENT);
        assertThat(mails.stream().flatMap(m -> {
            try {
                return java.util.Arrays.stream(m.getAllRecipients()).map(Object::toString);
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList()).containsExactlyInAnyOrder("rssi@chu.example", "dpo@chu.example");
    }

    @Test
    @DisplayName("through the gateway: the emergency route gets the headers and assertion, another route refuses, the session ends at its limit")
    void throughTheGateway() throws Exception {
        String base = gateway();
        String user = newPerson();
        Browser browser = new Browser();
        Browser.Page login = browser.get(base + "/dpi/echo");
        Browser.Page choice = browser.submit(login, login.form("kc-form-login"), Map.of("username", user, "password", "Pw-" + user),
                u -> false);
        assertThat(choice.body()).as("the emergency form, for a gateway client that allows it").contains("hc-emergency-form");
        Browser.Page landed = browser.submit(choice, choice.form("hc-emergency-form"),
                Map.of("choice", "emergency", "reason", "continuite-des-soins", "note", ""), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        assertThat(landed.uri().getPath()).isEqualTo("/dpi/echo");
        JsonNode seen = JSON.readTree(landed.body());
        assertThat(seen.path("x-hc-user").asText()).isEqualTo(user);
        assertThat(seen.path("x-hc-emergency").asText()).isEqualTo("true");
        assertThat(seen.path("x-hc-emergency-reason").asText()).isEqualTo("continuite-des-soins");
        assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas1");
        JWTClaimsSet assertion = verified(base, seen.path("x-hc-assertion").asText());
        assertThat(assertion.getBooleanClaim("emergency")).isTrue();
        assertThat(assertion.getStringClaim("emergency_reason")).isEqualTo("continuite-des-soins");
        long until = assertion.getLongClaim("emergency_until");
        assertThat(until).isGreaterThan(System.currentTimeMillis() / 1000);

        // A browser header claiming otherwise never reaches the app: the gateway strips every X-HC-* it did not set.
        HttpResponse<String> spoofed = browser.send(HttpRequest.newBuilder(URI.create(base + "/dpi/echo"))
                .header("X-HC-Emergency-Reason", "forged").header("X_HC_Emergency", "false").build());
        assertThat(spoofed.statusCode()).isEqualTo(200);
        JsonNode again = JSON.readTree(spoofed.body());
        assertThat(again.path("x-hc-emergency-reason").asText()).isEqualTo("continuite-des-soins");
        assertThat(again.path("x-hc-emergency").asText()).isEqualTo("true");
        assertThat(again.has("x_hc_emergency")).isFalse();

        HttpResponse<String> refused = browser.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                .header("accept-language", "fr").build());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Accès d'urgence non accepté", "n'accepte pas les accès d'urgence");

        List<JsonNode> records = gatewayRecords(user);
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("event").asText()).isEqualTo("access");
            assertThat(r.path("route").asText()).isEqualTo("emergency-dpi");
            assertThat(r.path("loa").asText()).isEqualTo("eidas1");
            assertThat(r.path("details").path("emergency_reason").asText()).isEqualTo("continuite-des-soins");
        });
        assertThat(records).filteredOn(r -> "/echo".equals(r.path("path").asText())).singleElement().satisfies(r -> {
            assertThat(r.path("outcome").asText()).isEqualTo("deny");
            assertThat(r.path("route").asText()).isEqualTo("ordinary");
            assertThat(r.path("reason").asText()).isEqualTo("emergency session on a route that does not take emergency access");
            assertThat(r.path("status").asInt()).isEqualTo(403);
        });

        // The security officer's list names the gateway route beside the Keycloak client, on the access's row.
        String sid = keycloakRecords("emergency_access", user).get(0).path("session").asText();
        assertThat(sid).isNotEmpty();
        assertThat(records).filteredOn(r -> "emergency-dpi".equals(r.path("route").asText()))
                .allSatisfy(r -> assertThat(r.path("details").path("emergency_session").asText()).isEqualTo(sid));
        List<String> trails = new ArrayList<>();
        AuditFiles.of(stack, "keycloak").forEach(f -> trails.add(f.toString()));
        try (var files = Files.list(gatewayWork.resolve("audit"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).forEach(f -> trails.add(f.toString()));
        }
        trails.add(0, "emergencies");
        assertThat(AuditFiles.cli(trails).lines().filter(l -> l.contains("\t" + user + "\t")).toList()).singleElement()
                .satisfies(row -> assertThat(row.split("\t")[5].split(",")).contains("route:emergency-dpi")
                        .doesNotContain("route:ordinary"));

        // Past its limit the gateway session is gone, refreshes or not: the next request is sent to log in.
        Thread.sleep(Math.max(0, until * 1000 - System.currentTimeMillis()) + 500);
        HttpResponse<String> late = browser.send(HttpRequest.newBuilder(URI.create(base + "/dpi/echo")).build());
        assertThat(late.statusCode()).as(late.body()).isEqualTo(302);
        assertThat(late.headers().firstValue("location").orElseThrow()).startsWith(stack.keycloakUrl() + "/realms/hospiconnect/");
    }

    /** The assertion's claims, its signature checked with the keys the gateway publishes. */
    private static JWTClaimsSet verified(String base, String assertion) throws Exception {
        HttpResponse<String> jwks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/.well-known/hc-broker/jwks.json")).build(), HttpResponse.BodyHandlers.ofString());
        SignedJWT jwt = SignedJWT.parse(assertion);
        ECKey key = (ECKey) JWKSet.parse(jwks.body()).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
        return jwt.getJWTClaimsSet();
    }

    /** This class's gateway's audit records of {@code user}, once its writer has flushed (group commit 50 ms). */
    private static List<JsonNode> gatewayRecords(String user) throws Exception {
        Thread.sleep(500);
        List<JsonNode> found = new ArrayList<>();
        try (var files = Files.list(gatewayWork.resolve("audit"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode record = JSON.readTree(line);
                    if (user.equals(record.path("user").asText())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    /** The text/plain part, decoded (Keycloak may send it alone or beside an HTML part). */
    private static String plainText(jakarta.mail.Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.getContent() instanceof jakarta.mail.Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String text = plainText(multipart.getBodyPart(i));
                if (text != null) {
                    return text;
                }
            }
        }
        return null;
    }

    private static String subjectOf(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("the fourth emergency access within the period is refused with whom to call")
    void capsThePerson() throws Exception {
        String user = newPerson();
        for (int i = 0; i < 3; i++) {
            Browser browser = new Browser();
            OidcClient client = app();
            assertThat(client.issuedCode(emergency(browser, client, user, "continuite-des-soins", ""))).isTrue();
        }
        Browser browser = new Browser();
        OidcClient client = app();
        Browser.Page refused = emergency(browser, client, user, "urgence-vitale", "");
        assertThat(client.issuedCode(refused)).isFalse();
        assertThat(refused.document().select("#hc-emergency-refusal").text())
                .isEqualTo("Vous avez atteint le nombre d'accès d'urgence autorisés sur la période.");
        assertThat(refused.document().select("#hc-emergency-contact").text()).isEqualTo("Appelez : " + CONTACT + ".");
        assertThat(keycloakRecords("emergency_access", user)).extracting(r -> r.path("outcome").asText() + " "
                + r.path("reason").asText()).containsExactly("success continuite-des-soins", "success continuite-des-soins",
                "success continuite-des-soins", "failure emergency_cap_reached");
    }

    @ParameterizedTest(name = "reason {0}")
    @ValueSource(strings = {"", "urgence", "URGENCE-VITALE", "urgence-vitale ", "../../etc", "urgence-vitale\nx"})
    @DisplayName("a reason outside the list is refused and recorded")
    void refusesAForgedReason(String reason) throws Exception {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        Browser.Page refused = emergency(browser, client, user, reason, "");
        assertThat(client.issuedCode(refused)).isFalse();
        assertThat(refused.document().select("#hc-emergency-refusal").text()).contains("ne fait pas partie de la liste");
        assertThat(keycloakRecords("emergency_access", user)).extracting(r -> r.path("reason").asText())
                .containsExactly("emergency_reason_invalid");
    }

    @Test
    @DisplayName("too many words: the form again, nothing granted")
    void refusesAnOverlongNote() {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        Browser.Page again = emergency(browser, client, user, "urgence-vitale", "x".repeat(201));
        assertThat(client.issuedCode(again)).isFalse();
        assertThat(again.body()).contains("hc-emergency-form");
        assertThat(again.document().text()).contains("La précision est trop longue");
    }

    @Test
    @DisplayName("declining goes on with the ordinary flow (here: no second factor, refused)")
    void declining() {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        Browser.Page page = password(browser, client, user);
        Browser.Page next = browser.submit(page, page.form("hc-emergency-form"), Map.of("choice", "ordinary"),
                client.isCallback());
        assertThat(client.issuedCode(next)).isFalse();
        assertThat(next.document().text()).contains("n'est pas encore activé");
    }

    @Test
    @DisplayName("an app that does not allow emergency sessions refuses one with a page saying so")
    void otherAppsRefuse() throws Exception {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        assertThat(client.issuedCode(emergency(browser, client, user, "urgence-vitale", ""))).isTrue();
        OidcClient gateway = new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
        Browser.Page refused = browser.get(gateway.authorizationUrl(Map.of("ui_locales", "fr")), gateway.isCallback());
        assertThat(gateway.issuedCode(refused)).isFalse();
        assertThat(refused.document().select("#hc-emergency-refusal").text())
                .startsWith("Cette application n'accepte pas les accès d'urgence.");
        assertThat(keycloakRecords("emergency_access", user)).extracting(r -> r.path("reason").asText())
                .containsExactly("urgence-vitale", "emergency_not_allowed_for_client");
    }

    @Test
    @DisplayName("the session ends at its limit: reused past it, it is ended and the person must log in again")
    void endsAtItsLimit() throws Exception {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        Browser.Page callback = emergency(browser, client, user, "urgence-vitale", "");
        long until = client.idTokenClaims(browser, callback.uri()).getLongClaim("hc_emergency_until");
        String userId = admin.userId(user);
        assertThat(admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")).hasSize(1);
        OidcClient again = app();
        assertThat(again.issuedCode(browser.get(again.authorizationUrl(), again.isCallback())))
                .as("within its limit, SSO works on an allowed app").isTrue();
        Thread.sleep(Math.max(0, until * 1000 - System.currentTimeMillis()) + 1000);
        OidcClient late = app();
        Browser.Page ended = browser.get(late.authorizationUrl(Map.of("ui_locales", "fr")), late.isCallback());
        assertThat(late.issuedCode(ended)).isFalse();
        assertThat(ended.document().select("#hc-emergency-refusal").text()).isEqualTo("Votre accès d'urgence a pris fin. Reconnectez-vous.");
        assertThat(admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")).isEmpty();
    }

    @Test
    @DisplayName("an account disabled by the security officer loses its emergency sessions within a second")
    void disablingEndsTheEmergencySessions() throws Exception {
        String user = newPerson();
        Browser browser = new Browser();
        OidcClient client = app();
        assertThat(client.issuedCode(emergency(browser, client, user, "urgence-vitale", ""))).isTrue();
        String userId = admin.userId(user);
        assertThat(admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")).hasSize(1);
        long start = System.nanoTime();
        assertThat(admin.send("PUT", "/admin/realms/hospiconnect/users/" + userId, Map.of("enabled", false))).isEqualTo(204);
        while (admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions").size() > 0
                && System.nanoTime() - start < 5_000_000_000L) {
            Thread.sleep(50);
        }
        assertThat(admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")).isEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the session is gone").isLessThan(1000);
    }

    @Test
    @DisplayName("mail server down: access still goes ahead, the failure is recorded, counted and retried")
    void mailDownHoldsNobodyBack() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0)) {
            closed = probe.getLocalPort();
        }
        smtpPort(closed);
        try {
            String user = newPerson();
            Browser browser = new Browser();
            OidcClient client = app();
            assertThat(client.issuedCode(emergency(browser, client, user, "urgence-vitale", ""))).isTrue();
            assertThat(keycloakRecords("emergency_alert", user)).extracting(r -> r.path("outcome").asText() + " "
                    + r.path("reason").asText() + " " + r.path("details").path("alert_address").asText())
                    .containsExactlyInAnyOrder("failure mail_unreachable rssi@chu.example",
                            "failure mail_unreachable dpo@chu.example");
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://localhost:" + stack.keycloak().options().managementPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).containsPattern("hc_emergency_alert_failures_total\\{channel=\"mail\"[^}]*\\} [1-9]");
            // The server is back before the first retry (10 s): the retry delivers and says so.
            smtpPort(smtp.getSmtp().getPort());
            long deadline = System.currentTimeMillis() + 30_000;
            while (keycloakRecords("emergency_alert", user).stream().noneMatch(r -> "success".equals(r.path("outcome").asText()))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            assertThat(keycloakRecords("emergency_alert", user)).extracting(r -> r.path("outcome").asText())
                    .contains("success");
        } finally {
            smtpPort(smtp.getSmtp().getPort());
        }
    }
}
