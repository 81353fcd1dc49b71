package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.CardTls;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.pki.TestCard;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StackExtension.class)
@DisplayName("The audit trail, through the real gateway and Keycloak")
class AuditIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;
    private static AdminApi admin;

    @BeforeAll
    static void start(Stack running) {
        stack = running;
        admin = new AdminApi(running);
    }

    private static String newUser(String[] secretOut) {
        String name = "au-" + UUID.randomUUID().toString().substring(0, 8);
        secretOut[0] = "totp-" + UUID.randomUUID();
        admin.createUser(name, "Pw-" + name, secretOut[0]);
        return name;
    }

    private static List<JsonNode> records(String source) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (Path file : AuditFiles.of(stack, source)) {
            for (String line : Files.readAllLines(file)) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    private static String raw(String source) throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path file : AuditFiles.of(stack, source)) {
            all.append(Files.readString(file));
        }
        return all.toString();
    }

    /** Allowed requests are group-committed: wait up to a few windows for a matching record. */
    private static JsonNode await(String source, Predicate<JsonNode> match) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (true) {
            for (JsonNode record : records(source)) {
                if (match.test(record)) {
                    return record;
                }
            }
            assertThat(System.currentTimeMillis()).as("no matching " + source + " record").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void aWrongPasswordIsAKeycloakFailureWithItsReasonAndThePasswordIsNowhere() throws Exception {
        String[] secret = new String[1];
        String user = newUser(secret);
        String wrong = "Wrong-" + UUID.randomUUID();
        Browser browser = new Browser();
        Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
        Browser.Page again = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", user, "password", wrong), u -> false);
        assertThat(again.body()).contains("kc-form-login");

        JsonNode failure = await("keycloak", r -> r.path("event").asText().equals("login_error")
                && r.path("user").asText().equals(user));
        assertThat(failure.path("outcome").asText()).isEqualTo("failure");
        assertThat(failure.path("reason").asText()).isEqualTo("invalid_user_credentials");
        assertThat(failure.path("details").path("realm").asText()).isEqualTo("hospiconnect");
        assertThat(failure.path("client_ip").asText()).isNotBlank();
        assertThat(raw("keycloak")).doesNotContain(wrong).doesNotContain("Pw-" + user);
    }

    @Test
    void aNameTypedForNoAccountIsNotRecorded() throws Exception {
        // Often a password typed into the user name field: only the failure and where it came from are kept.
        String typed = "Pw-typed-" + UUID.randomUUID();
        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        Browser browser = new Browser();
        Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
        browser.submit(form, form.form("kc-form-login"), Map.of("username", typed, "password", "whatever"), u -> false);

        JsonNode failure = await("keycloak", r -> r.path("event").asText().equals("login_error")
                && r.path("reason").asText().equals("user_not_found")
                && !java.time.Instant.parse(r.path("ts").asText()).isBefore(before));
        assertThat(failure.path("user").isNull()).as(failure.toString()).isTrue();
        assertThat(failure.path("client_ip").asText()).isNotBlank();
        assertThat(raw("keycloak")).doesNotContain(typed);
    }

    @Test
    void aWrongOtpIsRecordedWithoutTheCode() throws Exception {
        String[] secret = new String[1];
        String user = newUser(secret);
        Browser browser = new Browser();
        Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", user, "password", "Pw-" + user), u -> false);
        String wrongCode = Totp.now(secret[0]).equals("918273") ? "918274" : "918273";
        browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", wrongCode), u -> false);

        JsonNode failure = await("keycloak", r -> r.path("event").asText().equals("login_error")
                && r.path("user").asText().equals(user));
        assertThat(failure.path("outcome").asText()).isEqualTo("failure");
        assertThat(failure.path("reason").asText()).isNotBlank();
        assertThat(raw("keycloak")).doesNotContain(wrongCode).doesNotContain(secret[0]);
    }

    @Test
    void aLoginAccessAndLogoutLeaveMatchingRecordsOnBothSidesAndSearchFindsThem() throws Exception {
        String[] secret = new String[1];
        String user = newUser(secret);
        Browser browser = new Browser();
        Browser.Page form = browser.get(stack.gatewayUrl() + "/echo?ticket=SHOULD-NOT-APPEAR");
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", user, "password", "Pw-" + user), u -> false);
        String code = Totp.now(secret[0]);
        Browser.Page echo = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", code), u -> false);
        assertThat(echo.status()).isEqualTo(200);
        Browser.Page confirm = browser.get(stack.gatewayUrl() + "/.hc/logout");
        browser.submit(confirm, Map.of(), u -> false);

        JsonNode kcLogin = await("keycloak", r -> r.path("event").asText().equals("login")
                && r.path("user").asText().equals(user));
        assertThat(kcLogin.path("outcome").asText()).isEqualTo("success");
        assertThat(kcLogin.path("loa").asText()).isEqualTo("eidas2");
        assertThat(kcLogin.path("amr").toString()).contains("pwd").contains("otp");
        assertThat(kcLogin.path("details").path("client").asText()).isEqualTo("hc-gateway");
        assertThat(kcLogin.path("session").asText()).isNotBlank();

        JsonNode gwLogin = await("gateway", r -> r.path("event").asText().equals("login")
                && r.path("user").asText().equals(user));
        assertThat(gwLogin.path("loa").asText()).isEqualTo("eidas2");
        assertThat(gwLogin.path("session").asText()).isNotBlank();
        // The echo app shows the X-HC-Request-Id it got: the same id is its access's request_id, with its status.
        String requestId = JSON.readTree(echo.body()).path("x-hc-request-id").asText();
        assertThat(requestId).isNotBlank();
        JsonNode access = await("gateway", r -> r.path("event").asText().equals("access")
                && r.path("user").asText().equals(user) && r.path("request_id").asText().equals(requestId));
        assertThat(access.path("outcome").asText()).isEqualTo("allow");
        assertThat(access.path("route").asText()).isEqualTo("demo-app");
        assertThat(access.path("method").asText()).isEqualTo("GET");
        assertThat(access.path("path").asText()).isEqualTo("/echo");
        assertThat(access.path("status").asInt()).isEqualTo(200);
        assertThat(access.path("details").path("duration_ms").asDouble()).isPositive();
        await("gateway", r -> r.path("event").asText().equals("logout") && r.path("user").asText().equals(user));

        String gateway = raw("gateway");
        assertThat(gateway).doesNotContain("SHOULD-NOT-APPEAR").doesNotContain("ticket=");
        assertThat(raw("keycloak") + gateway).doesNotContain("Pw-" + user).doesNotContain(secret[0]);

        List<String> args = new ArrayList<>(List.of("search", "--user", user, "--route", "demo-app"));
        AuditFiles.of(stack, "gateway").forEach(f -> args.add(f.toString()));
        String found = AuditFiles.cli(args);
        assertThat(found.lines()).isNotEmpty().allSatisfy(line -> {
            JsonNode record = JSON.readTree(line);
            assertThat(record.path("user").asText()).isEqualTo(user);
            assertThat(record.path("route").asText()).isEqualTo("demo-app");
        });
        assertThat(AuditFiles.verify(AuditFiles.of(stack, "gateway"))).startsWith("OK");
        assertThat(AuditFiles.verify(AuditFiles.of(stack, "keycloak"))).startsWith("OK");
    }

    @Test
    void aSecondFactorEnrolmentIsRecordedWithItsTypeAndNoSecret() throws Exception {
        String name = "au-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createUser(name, "Pw-" + name, null);
        admin.openEnrolmentWindow(name, Duration.ofMinutes(15));
        OidcClient client = new OidcClient(stack, Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
        Browser browser = new Browser();
        Browser.Page form = browser.get(client.authorizationUrl(), client.isCallback());
        Browser.Page choice = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", "Pw-" + name), client.isCallback());
        Browser.Page setup = browser.submit(choice, choice.form("hc-enrol-form"), Map.of("method", "totp"),
                client.isCallback());
        String seed = setup.form("kc-totp-settings-form").selectFirst("input[name=totpSecret]").val();
        String code = Totp.now(seed);
        assertThat(client.issuedCode(browser.submit(setup, setup.form("kc-totp-settings-form"),
                Map.of("totp", code, "userLabel", "phone"), client.isCallback()))).isTrue();

        JsonNode enrolment = await("keycloak", r -> r.path("user").asText().equals(name)
                && r.path("details").path("credential_type").asText().equals("otp"));
        assertThat(enrolment.path("outcome").asText()).isEqualTo("success");
        assertThat(raw("keycloak")).doesNotContain(seed).doesNotContain("Pw-" + name);
    }

    @Test
    void aProSanteConnectLoginNamesTheIdentityProviderLevelAndAmr() throws Exception {
        DemoProfessional nurse = DemoProfessional.ALL.get(1);
        OidcClient client = new OidcClient(stack, Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
        Browser browser = new Browser();
        long since = System.currentTimeMillis();
        Browser.Page wallet = browser.get(client.authorizationUrl(Map.of("kc_idp_hint", "pro-sante-connect")),
                client.isCallback());
        assertThat(client.issuedCode(browser.submit(wallet, Map.of("username", nurse.idNat(), "password", nurse.password()),
                client.isCallback()))).isTrue();

        JsonNode login = await("keycloak", r -> r.path("event").asText().equals("login")
                && r.path("user").asText().equals(nurse.username())
                && r.path("details").path("realm").asText().equals("hospiconnect")
                && java.time.Instant.parse(r.path("ts").asText()).toEpochMilli() >= since - 1000);
        assertThat(login.path("details").path("identity_provider").asText()).isEqualTo("pro-sante-connect");
        assertThat(login.path("loa").asText()).isEqualTo("eidas2");
        assertThat(login.path("amr").toString()).contains("swk");
        assertThat(login.path("idnat").asText()).isEqualTo(nurse.idNat());
    }

    @Test
    void aCardLoginAndARevokedCardAreRecordedWithTheCardsSerialAndIssuer() throws Exception {
        OidcClient client = new OidcClient(stack, stack.keycloakHttpsUrl(), Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
        TestCard card = stack.cards().pki().card("dr.martin");
        Browser browser = new Browser(CardTls.context(stack, card, false));
        assertThat(client.issuedCode(browser.get(client.authorizationUrl(), client.isCallback()))).isTrue();
        String serial = card.certificate().getSerialNumber().toString(16);
        JsonNode login = await("keycloak", r -> r.path("event").asText().equals("login")
                && r.path("details").path("cert_serial").asText().equals(serial));
        assertThat(login.path("user").asText()).isEqualTo("dr.martin");
        assertThat(login.path("loa").asText()).isEqualTo("eidas3");
        assertThat(login.path("details").path("cert_issuer").asText()).contains("IGC-SANTE");

        TestCard revoked = stack.cards().pki().card("revoked");
        new Browser(CardTls.context(stack, revoked, false)).get(client.authorizationUrl(), client.isCallback());
        String revokedSerial = revoked.certificate().getSerialNumber().toString(16);
        JsonNode refusal = await("keycloak", r -> r.path("details").path("cert_serial").asText().equals(revokedSerial));
        assertThat(refusal.path("outcome").asText()).isEqualTo("failure");
        assertThat(refusal.path("reason").asText()).isEqualTo("cps_certificate_revoked");
        new AdminApi(stack).send("DELETE", "/admin/realms/hospiconnect/attack-detection/brute-force/users/"
                + new AdminApi(stack).userId("dr.martin"), Map.of());
    }

    @Test
    @DisplayName("a card login's record carries the browser's address, not the card proxy's, and no client can forge it")
    void aCardRecordCarriesTheBrowsersAddress() throws Exception {
        OidcClient client = new OidcClient(stack, stack.keycloakHttpsUrl(), Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
        URI authorization = URI.create(client.authorizationUrl());
        TestCard revoked = stack.cards().pki().card("revoked");
        SSLContext tls = CardTls.context(stack, revoked, false);
        String serial = revoked.certificate().getSerialNumber().toString(16);
        Predicate<JsonNode> refusal = r -> r.path("details").path("cert_serial").asText().equals(serial);

        // Through the card proxy from a loopback address of its own, with a forged X-Forwarded-For.
        cardRequest(tls, URI.create(stack.keycloakHttpsUrl()).getPort(), "127.0.0.2", authorization, "203.0.113.66");
        JsonNode proxied = await("keycloak", r -> refusal.test(r) && r.path("client_ip").asText().equals("127.0.0.2"));
        assertThat(proxied.path("reason").asText()).isEqualTo("cps_certificate_revoked");

        // Straight to Keycloak's own https port: a client's X-Forwarded-For is not believed.
        long before = records("keycloak").stream().filter(refusal).count();
        cardRequest(tls, URI.create(stack.keycloakDirectHttpsUrl()).getPort(), "127.0.0.1", authorization, "203.0.113.77");
        await("keycloak", r -> {
            try {
                return records("keycloak").stream().filter(refusal).count() > before;
            } catch (Exception e) {
                return false;
            }
        });
        List<JsonNode> refusals = records("keycloak").stream().filter(refusal).toList();
        assertThat(refusals.get(refusals.size() - 1).path("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(raw("keycloak")).doesNotContain("203.0.113.");
        new AdminApi(stack).send("DELETE", "/admin/realms/hospiconnect/attack-detection/brute-force/users/"
                + new AdminApi(stack).userId("dr.martin"), Map.of());
    }

    /** One GET over TLS with the card, from the given local address, carrying a forged X-Forwarded-For. */
    private static void cardRequest(SSLContext tls, int port, String from, URI url, String forgedFor) throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), port,
                InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\n"
                    + "Host: localhost:" + port + "\r\nX-Forwarded-For: " + forgedFor + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 ");
        }
    }

    @Test
    void aClientChangeNamesTheAdminWhoMadeIt() throws Exception {
        String clientId = admin.get("/admin/realms/hospiconnect/clients?clientId=hc-gateway").get(0).path("id").asText();
        JsonNode client = admin.get("/admin/realms/hospiconnect/clients/" + clientId);
        Map<String, Object> update = JSON.convertValue(client, Map.class);
        update.put("description", "audited change " + UUID.randomUUID());
        assertThat(admin.send("PUT", "/admin/realms/hospiconnect/clients/" + clientId, update)).isEqualTo(204);

        JsonNode change = await("keycloak", r -> r.path("event").asText().equals("admin-update")
                && r.path("details").path("resource").asText().equals("CLIENT clients/" + clientId));
        assertThat(change.path("user").asText()).isEqualTo("admin");
        assertThat(change.path("details").path("admin").asText()).isEqualTo("admin");
        assertThat(change.path("outcome").asText()).isEqualTo("success");
        assertThat(raw("keycloak")).doesNotContain(client.path("secret").asText("never-a-secret-here"));
        assertThat(AuditFiles.verify(AuditFiles.of(stack, "keycloak"))).startsWith("OK");
    }
}
