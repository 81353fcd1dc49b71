package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StackExtension.class)
@DisplayName("Clients an admin adds: the realm floor and the HospiConnect delegation template")
class LoaClientsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DELEGATION_TEMPLATE = Path.of("..", "realms", "templates", "psc-delegation-client.json");
    private static Stack stack;
    private static AdminApi admin;

    @BeforeAll
    static void setUp(Stack running) {
        stack = running;
        admin = new AdminApi(running);
    }

    private record User(String username, String password, String totpSecret) {
    }

    private static User newUser() {
        User user = new User("cl-" + UUID.randomUUID().toString().substring(0, 8), "Pw-" + UUID.randomUUID(),
                "totp-" + UUID.randomUUID());
        admin.createUser(user.username(), user.password(), user.totpSecret());
        return user;
    }

    private static Browser.Page password(Browser browser, OidcClient client, User user) {
        Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
        assertThat(login.body()).contains("kc-form-login");
        return browser.submit(login, login.form("kc-form-login"),
                Map.of("username", user.username(), "password", user.password()), client.isCallback());
    }

    private static JWTClaimsSet passwordAndTotp(OidcClient client, User user) {
        Browser browser = new Browser();
        Browser.Page otp = password(browser, client, user);
        assertThat(client.issuedCode(otp)).as("a code after the password alone").isFalse();
        assertThat(otp.body()).contains("kc-otp-login-form");
        Browser.Page callback = browser.submit(otp, otp.form("kc-otp-login-form"),
                Map.of("otp", Totp.now(user.totpSecret())), client.isCallback());
        return client.idTokenClaims(browser, callback.uri());
    }

    @Nested
    @DisplayName("a client created with no level configured")
    class NoLevelConfigured {

        @Test
        void getsLevel2TheSecondFactorIsAskedAndTheTokenSaysEidas2() throws Exception {
            String secret = UUID.randomUUID().toString();
            String clientId = "no-level-" + UUID.randomUUID().toString().substring(0, 8);
            // Only what any app registration has: no minimum.acr.value, no default acr values.
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                    "clientId", clientId, "secret", secret, "publicClient", false, "standardFlowEnabled", true,
                    "redirectUris", List.of(stack.gatewayUrl() + "/*")))).isEqualTo(201);
            JWTClaimsSet claims = passwordAndTotp(new OidcClient(stack, clientId, secret), newUser());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(claims.getStringListClaim("amr")).contains("pwd", "otp", "mfa");
        }
    }

    @Nested
    @DisplayName("the HospiConnect delegation client template (realm as FI local for PSC)")
    class Delegation {

        /** The template as an admin imports it (PSC's broker endpoint and the agreed secret changed); its OIDC client. */
        private OidcClient importTemplate(String clientId) throws Exception {
            ObjectNode template = (ObjectNode) JSON.readTree(Files.readString(DELEGATION_TEMPLATE));
            String secret = UUID.randomUUID().toString();
            template.put("clientId", clientId);
            template.put("secret", secret);
            template.putArray("redirectUris").add(stack.gatewayUrl() + "/*");
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", template)).isEqualTo(201);
            return new OidcClient(stack, clientId, secret);
        }

        @Test
        @DisplayName("an empty establishment id sends no tid at all (not a placeholder value)")
        void emptyTenantIdSendsNoTid() throws Exception {
            OidcClient client = importTemplate("psc-delegation-no-tid");
            var realm = JSON.convertValue(admin.get("/admin/realms/hospiconnect"), Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = (Map<String, Object>) realm.get("attributes");
            Object tid = attributes.get("hc.establishment.tid");
            attributes.put("hc.establishment.tid", "");
            try {
                assertThat(admin.send("PUT", "/admin/realms/hospiconnect", Map.of("attributes", attributes))).isEqualTo(204);
                JWTClaimsSet claims = passwordAndTotp(client, newUser());
                assertThat(claims.getClaims()).doesNotContainKey("tid").containsKey("oid");
            } finally {
                attributes.put("hc.establishment.tid", tid);
                admin.send("PUT", "/admin/realms/hospiconnect", Map.of("attributes", attributes));
            }
        }

        @Test
        void importsAsIsAndItsTokensCarryAmrTheRealmTidAndTheImmutableUserIdAsOid() throws Exception {
            ObjectNode template = (ObjectNode) JSON.readTree(Files.readString(DELEGATION_TEMPLATE));
            String clientId = template.path("clientId").asText();
            String secret = UUID.randomUUID().toString();
            // What an admin changes at import: PSC's broker endpoint and the secret agreed with PSC.
            template.put("secret", secret);
            template.putArray("redirectUris").add(stack.gatewayUrl() + "/*");
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", template)).isEqualTo(201);

            User user = newUser();
            JWTClaimsSet claims = passwordAndTotp(new OidcClient(stack, clientId, secret), user);

            String realmTid = admin.get("/admin/realms/hospiconnect").path("attributes")
                    .path("hc.establishment.tid").asText();
            assertThat(realmTid).isEqualTo(fr.hcbroker.stack.psc.PscStandIn.DEMO_TENANT_ID);
            assertThat(claims.getStringClaim("tid")).isEqualTo(realmTid);
            assertThat(claims.getStringClaim("oid")).isEqualTo(admin.userId(user.username()));
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(claims.getStringListClaim("amr")).contains("pwd", "otp", "mfa");
        }
    }
}
