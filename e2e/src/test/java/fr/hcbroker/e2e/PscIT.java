package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.psc.PscStandIn;
import fr.hcbroker.stack.psc.PscWallet;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(StackExtension.class)
@DisplayName("Pro Santé Connect: logins through the stand-in, and every forged answer refused with a page")
class PscIT {

    private static final String IDP = "pro-sante-connect";
    private static final String HOSTILE = "psc-hostile";
    private static final String HOSTILE_REFUSING = "psc-hostile-refusing";
    private static final AtomicInteger NEXT_ID = new AtomicInteger(100);
    /** An app raised to eidas3 through its Minimum ACR value. */
    private static final String EIDAS3_APP = "psc-eidas3-app";
    private static final String EIDAS3_SECRET = UUID.randomUUID().toString();

    private static Stack stack;
    private static AdminApi admin;
    private static HostileOp hostile;

    @BeforeAll
    static void start(Stack running) throws Exception {
        stack = running;
        admin = new AdminApi(running);
        hostile = new HostileOp();
        addHostileIdp(HOSTILE, "create");
        addHostileIdp(HOSTILE_REFUSING, "refuse");
        assertThat(admin.send("POST", "/admin/realms/hospiconnect/clients", Map.of(
                "clientId", EIDAS3_APP, "secret", EIDAS3_SECRET, "publicClient", false, "standardFlowEnabled", true,
                "redirectUris", List.of(stack.gatewayUrl() + "/*"),
                "attributes", Map.of("minimum.acr.value", "eidas3")))).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        hostile.close();
    }

    /**
     * The creating one is stored with the former {@code psc.*} property names, as realms exported before the
     * rename hold them: every login through it proves that they still read.
     */
    private static void addHostileIdp(String alias, String unknownProfessional) {
        Map<String, String> config = "create".equals(unknownProfessional)
                ? Map.of("psc.environment", "CUSTOM", "psc.custom.issuer", hostile.issuer(),
                        "psc.minimum.level", "eidas2", "psc.finess", "750712184",
                        "psc.unknown.professional", unknownProfessional)
                : Map.of("pscEnvironment", "Test", "pscCustomIssuer", hostile.issuer(),
                        "pscMinimumLevel", "eidas2", "pscFiness", "750712184",
                        "pscCreateAccounts", String.valueOf("create".equals(unknownProfessional)));
        addIdp(alias, config, HostileOp.CLIENT_ID, HostileOp.CLIENT_SECRET);
    }

    /** Hidden on the login page (reached with kc_idp_hint): the classes after this one share the realm. */
    private static void addIdp(String alias, Map<String, String> psc, String clientId, String clientSecret) {
        Map<String, String> config = new java.util.HashMap<>(psc);
        config.put("clientId", clientId);
        config.put("clientSecret", clientSecret);
        int status = admin.send("POST", "/admin/realms/hospiconnect/identity-provider/instances", Map.of(
                "alias", alias, "providerId", IDP, "enabled", true, "hideOnLogin", true,
                "firstBrokerLoginFlowAlias", "hc psc first login", "config", config));
        assertThat(status).as("create identity provider %s", alias).isEqualTo(201);
    }

    private static DemoProfessional person(String username) {
        return DemoProfessional.ALL.stream().filter(p -> p.username().equals(username)).findFirst().orElseThrow();
    }

    private static OidcClient client() {
        return new OidcClient(stack, Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
    }

    /** Login through the stand-in: hospiconnect sends the browser to PSC, the person signs in there. */
    private static Browser.Page standInLogin(Browser browser, OidcClient client, DemoProfessional p) {
        return standInLogin(browser, client, p, Map.of());
    }

    /** The same, with more authorization request parameters (e.g. {@code acr_values}). */
    private static Browser.Page standInLogin(Browser browser, OidcClient client, DemoProfessional p,
                                             Map<String, String> extra) {
        return standInLogin(browser, client, p, extra, IDP);
    }

    /** The same through another instance of the provider ({@code alias}), e.g. one set to a stand-in variant. */
    private static Browser.Page standInLogin(Browser browser, OidcClient client, DemoProfessional p,
                                             Map<String, String> extra, String alias) {
        Map<String, String> parameters = new java.util.HashMap<>(extra);
        parameters.put("kc_idp_hint", alias);
        Browser.Page pscLogin = browser.get(client.authorizationUrl(parameters), client.isCallback());
        assertThat(pscLogin.uri().toString()).startsWith(PscStandIn.issuer(stack.keycloakUrl()));
        return browser.submit(pscLogin, Map.of("username", p.idNat(), "password", p.password()), client.isCallback());
    }

    private static JsonNode hospiconnectUser(String idNat) {
        JsonNode users = admin.get("/admin/realms/hospiconnect/users?q=" + enc("idnat_ps:" + idNat) + "&briefRepresentation=false");
        return users.size() == 0 ? null : users.get(0);
    }

    private static JsonNode standInUser(DemoProfessional p) {
        return admin.get("/admin/realms/esante-wallet/users?exact=true&briefRepresentation=false&username=" + p.idNat()).get(0);
    }

    @Nested
    @DisplayName("through the stand-in")
    class StandIn {

        @Test
        @DisplayName("a CARD login links the pre-provisioned account by idnat_ps and yields eidas3 tokens with idnat_ps and profession")
        void cardLoginIsEidas3() {
            OidcClient client = client();
            Browser browser = new Browser();
            DemoProfessional doctor = person("dr.martin");
            Browser.Page end = standInLogin(browser, client, doctor);
            assertThat(client.issuedCode(end)).as("login ends at the app with a code: %s", end.body()).isTrue();
            JWTClaimsSet claims = client.idTokenClaims(browser, end.uri());
            assertThat(claims.getClaim("idnat_ps")).isEqualTo(doctor.idNat());
            assertThat(claims.getClaim("profession")).asString().contains("10");
            assertThat(claims.getClaim("acr")).isEqualTo("eidas3");
            assertThat(claims.getClaim("amr")).asString().contains("sc").contains("pin").contains("mfa");
            assertThat(claims.getClaim("preferred_username")).isEqualTo(doctor.username());
            JsonNode user = hospiconnectUser(doctor.idNat());
            assertThat(user.path("username").asText()).isEqualTo(doctor.username());
            assertThat(user.path("attributes").path("rpps").get(0).asText()).isEqualTo(doctor.idNat().substring(1));
            assertThat(user.path("attributes").path("savoir_faire").toString()).contains("SM54");
            assertThat(user.path("attributes").path("civility").get(0).asText())
                    .as("codeCivilite, sent only inside the exercices").isEqualTo(PscStandIn.civility(doctor));
            assertThat(user.path("attributes").path("structure").toString())
                    .as("the practice at another establishment is not kept").doesNotContain(PscStandIn.OTHER_FINESS);
        }

        @Test
        @DisplayName("a MOBILE login yields eidas2 with swk, pin, mfa")
        void mobileLoginIsEidas2() {
            OidcClient client = client();
            Browser browser = new Browser();
            DemoProfessional nurse = person("inf.lefevre");
            Browser.Page end = standInLogin(browser, client, nurse);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            JWTClaimsSet claims = client.idTokenClaims(browser, end.uri());
            assertThat(claims.getClaim("acr")).isEqualTo("eidas2");
            assertThat(claims.getClaim("amr")).asString().contains("swk").doesNotContain("sc,");
            assertThat(claims.getClaim("idnat_ps")).isEqualTo(nurse.idNat());
            assertThat(claims.getClaim("profession")).asString().contains("60");
        }

        @Test
        @DisplayName("the PSC login's level counts for the session: an app asking eidas2 gets in without any form")
        void pscLevelCountsForSingleSignOn() {
            Browser browser = new Browser();
            Browser.Page end = standInLogin(browser, client(), person("inf.lefevre"));
            assertThat(client().issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            OidcClient another = client();
            Browser.Page sso = browser.get(another.authorizationUrl(Map.of("acr_values", "eidas2")), another.isCallback());
            assertThat(another.issuedCode(sso)).as("no password or second-factor form: %s", sso.uri()).isTrue();
            assertThat(another.idTokenClaims(browser, sso.uri()).getClaim("acr")).isEqualTo("eidas2");
        }

        @Test
        @DisplayName("prompt=login from an app (the gateway's change of user) reaches PSC: the next person signs in at PSC, not silently as the last one")
        void promptLoginReachesTheStandIn() {
            Browser browser = new Browser();
            OidcClient first = client();
            Browser.Page end = standInLogin(browser, first, person("inf.lefevre"));
            assertThat(first.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            String standIn = PscStandIn.issuer(stack.keycloakUrl());

            // Without prompt, the live PSC session signs the browser in again without a form: what a change of user must prevent.
            OidcClient silent = client();
            Browser.Page again = browser.get(silent.authorizationUrl(Map.of("kc_idp_hint", IDP)), silent.isCallback());
            assertThat(silent.issuedCode(again)).as("no prompt: signed in silently, %s", again.uri()).isTrue();

            OidcClient next = client();
            List<URI> atPsc = new ArrayList<>();
            Browser.Page form = browser.get(next.authorizationUrl(Map.of("kc_idp_hint", IDP, "prompt", "login")), u -> {
                if (u.toString().startsWith(standIn)) {
                    atPsc.add(u);
                }
                return next.isCallback().test(u);
            });
            assertThat(atPsc).as("hospiconnect sent the browser to PSC").isNotEmpty();
            assertThat(OidcClient.query(atPsc.get(0))).containsEntry("prompt", "login");
            assertThat(next.issuedCode(form)).as("no code without a new sign-in at PSC").isFalse();
            assertThat(form.uri().toString()).startsWith(standIn);
            assertThat(form.document().select("input[name=password]")).as("PSC's sign-in form: %s", form.body()).isNotEmpty();
        }

        @Test
        @DisplayName("a session that ends without the person (expiry, admin) does not log out of PSC")
        void sessionEndWithoutBrowserDoesNotLogOutOfPsc() {
            Browser browser = new Browser();
            DemoProfessional pharmacist = person("ph.nguyen");
            Browser.Page end = standInLogin(browser, client(), pharmacist);
            assertThat(client().issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            String userId = hospiconnectUser(pharmacist.idNat()).path("id").asText();
            String standInUserId = standInUser(pharmacist).path("id").asText();
            int pscSessions = admin.get("/admin/realms/esante-wallet/users/" + standInUserId + "/sessions").size();
            assertThat(pscSessions).isPositive();
            for (JsonNode session : admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")) {
                assertThat(admin.send("DELETE", "/admin/realms/hospiconnect/sessions/" + session.path("id").asText(), Map.of()))
                        .isEqualTo(204);
            }
            assertThat(admin.get("/admin/realms/hospiconnect/users/" + userId + "/sessions")).isEmpty();
            assertThat(admin.get("/admin/realms/esante-wallet/users/" + standInUserId + "/sessions")).hasSize(pscSessions);
        }

        @Test
        @DisplayName("only this establishment's activities are kept (FINESS list), with their structure ids")
        void activitiesAreFilteredByFiness() {
            OidcClient client = client();
            Browser browser = new Browser();
            DemoProfessional pharmacist = person("ph.nguyen");
            Browser.Page end = standInLogin(browser, client, pharmacist);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            JsonNode attributes = hospiconnectUser(pharmacist.idNat()).path("attributes");
            assertThat(attributes.path("structure").toString()).contains("F750712184").doesNotContain(PscStandIn.OTHER_FINESS);
            assertThat(attributes.path("psc_activity")).hasSize(1);
            assertThat(attributes.path("profession").toString()).contains("21");
        }

        @Test
        @DisplayName("a second login brings the names PSC holds now")
        void namesRefreshAtEachLogin() {
            DemoProfessional nurse = person("inf.lefevre");
            JsonNode rep = standInUser(nurse);
            String id = rep.path("id").asText();
            var changed = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(rep, Map.class);
            changed.put("lastName", "Lefèvre-Martin");
            changed.put("firstName", "Hélène-Marie");
            try {
                assertThat(admin.send("PUT", "/admin/realms/esante-wallet/users/" + id, changed)).isEqualTo(204);
                OidcClient client = client();
                Browser browser = new Browser();
                Browser.Page end = standInLogin(browser, client, nurse);
                assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
                JWTClaimsSet claims = client.idTokenClaims(browser, end.uri());
                assertThat(claims.getClaim("family_name")).isEqualTo("Lefèvre-Martin");
                assertThat(claims.getClaim("given_name")).isEqualTo("Hélène-Marie");
            } finally {
                changed.put("lastName", nurse.familyName());
                changed.put("firstName", nurse.givenName());
                admin.send("PUT", "/admin/realms/esante-wallet/users/" + id, changed);
            }
        }

        @Test
        @DisplayName("a signed userinfo (application/jwt) is verified and accepted")
        void signedUserInfoIsAccepted() {
            JsonNode pscClient = admin.get("/admin/realms/esante-wallet/clients?clientId=" + Stack.PSC_CLIENT_ID).get(0);
            String path = "/admin/realms/esante-wallet/clients/" + pscClient.path("id").asText();
            var rep = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(pscClient, Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = (Map<String, Object>) rep.get("attributes");
            attributes.put("user.info.response.signature.alg", "RS256");
            try {
                assertThat(admin.send("PUT", path, rep)).isEqualTo(204);
                OidcClient client = client();
                Browser browser = new Browser();
                DemoProfessional nurse = person("inf.lefevre");
                Browser.Page end = standInLogin(browser, client, nurse);
                assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
                assertThat(client.idTokenClaims(browser, end.uri()).getClaim("idnat_ps")).isEqualTo(nurse.idNat());
            } finally {
                attributes.remove("user.info.response.signature.alg");
                admin.send("PUT", path, rep);
            }
        }

        @Test
        @DisplayName("an explicit logout goes to the stand-in with id_token_hint, post_logout_redirect_uri and state, and ends its session")
        void logoutReachesTheStandIn() {
            OidcClient client = client();
            Browser browser = new Browser();
            DemoProfessional doctor = person("dr.martin");
            Browser.Page end = standInLogin(browser, client, doctor);
            String idToken = client.idToken(browser, end.uri());
            String standInUserId = standInUser(doctor).path("id").asText();
            assertThat(admin.get("/admin/realms/esante-wallet/users/" + standInUserId + "/sessions")).isNotEmpty();

            String standInLogout = PscStandIn.issuer(stack.keycloakUrl()) + "/protocol/openid-connect/logout";
            String after = stack.gatewayUrl() + "/logged-out";
            Browser.Page atPsc = browser.get(stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/logout"
                    + "?id_token_hint=" + enc(idToken) + "&post_logout_redirect_uri=" + enc(after),
                    u -> u.toString().startsWith(standInLogout));
            assertThat(atPsc.uri().toString()).as("redirected to PSC's logout: %s", atPsc.body()).startsWith(standInLogout);
            Map<String, String> query = OidcClient.query(atPsc.uri());
            assertThat(query).containsKeys("id_token_hint", "post_logout_redirect_uri", "state");

            Browser.Page back = browser.get(atPsc.uri().toString(), u -> u.toString().startsWith(after));
            assertThat(back.uri().toString()).startsWith(after);
            assertThat(admin.get("/admin/realms/esante-wallet/users/" + standInUserId + "/sessions")).isEmpty();
        }
    }

    /**
     * Someone at a colleague's unattended eidas2 session asks Keycloak to link "their" PSC account to it
     * ({@code kc_action=idp_link}): the colleague's account must keep its identity and gain no link.
     */
    @Nested
    @DisplayName("account linking from a signed-in session")
    class AccountLinking {

        /** A signed-in professional: password + TOTP (eidas2), with an idnat_ps and a profession. */
        private record Victim(String username, String idNat, Browser browser) {
        }

        private Victim signedInNurse() {
            String username = "victim-" + UUID.randomUUID().toString().substring(0, 8);
            String password = "Pw-" + UUID.randomUUID();
            String totp = "totp-" + UUID.randomUUID();
            String idNat = newIdNat();
            admin.createUser(username, password, totp, Map.of("idnat_ps", List.of(idNat), "profession", List.of("60")));
            // The realm's default roles, as an account created in the admin console has (partial import grants none):
            // they include account/manage-account, which Keycloak's linking asks for.
            JsonNode defaultRoles = admin.get("/admin/realms/hospiconnect/roles/default-roles-hospiconnect");
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(username)
                    + "/role-mappings/realm", List.of(defaultRoles))).isEqualTo(204);
            OidcClient client = client();
            Browser browser = new Browser();
            Browser.Page login = browser.get(client.authorizationUrl(), client.isCallback());
            Browser.Page otp = browser.submit(login, login.form("kc-form-login"),
                    Map.of("username", username, "password", password), client.isCallback());
            Browser.Page in = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(totp)), client.isCallback());
            assertThat(client.issuedCode(in)).as("eidas2 login: %s", in.body()).isTrue();
            return new Victim(username, idNat, browser);
        }

        /** A doctor known to PSC (CARD: eidas3) who has no account in this establishment. */
        private DemoProfessional doctorUnknownHere() {
            String idNat = newIdNat();
            DemoProfessional doctor = new DemoProfessional("att-" + idNat, idNat, "Alex", "Attaquant",
                    "att-" + idNat + "@test.hc-broker.fr", "10", "Médecin", "Pw-" + UUID.randomUUID(), "unused");
            assertThat(admin.send("POST", "/admin/realms/esante-wallet/users", PscStandIn.user(doctor))).isEqualTo(201);
            return doctor;
        }

        /** Asks to link PSC to the victim's session and, wherever the way is open, signs in at PSC as {@code at}. */
        private Browser.Page linkAttempt(Victim victim, DemoProfessional at) {
            OidcClient client = client();
            Browser.Page page = victim.browser().get(client.authorizationUrl(Map.of("kc_action", "idp_link:" + IDP)),
                    client.isCallback());
            if (page.body().contains("kc-continue")) {
                page = victim.browser().submit(page, page.form(null), Map.of("continue", ""), client.isCallback());
            }
            if (page.uri().toString().startsWith(PscStandIn.issuer(stack.keycloakUrl()))) {
                page = victim.browser().submit(page, Map.of("username", at.idNat(), "password", at.password()),
                        client.isCallback());
            }
            return page;
        }

        private void assertUnchanged(Victim victim) {
            String id = admin.userId(victim.username());
            JsonNode attributes = admin.get("/admin/realms/hospiconnect/users/" + id).path("attributes");
            assertThat(attributes.path("idnat_ps").toString()).isEqualTo("[\"" + victim.idNat() + "\"]");
            assertThat(attributes.path("profession").toString()).isEqualTo("[\"60\"]");
            assertThat(attributes.has("structure")).isFalse();
            assertThat(admin.get("/admin/realms/hospiconnect/users/" + id + "/federated-identity")).isEmpty();
        }

        @Test
        @DisplayName("the realm ships with Keycloak's idp_link action off, and kc_action=idp_link links nothing")
        void idpLinkIsOff() {
            assertThat(admin.get("/admin/realms/hospiconnect/authentication/required-actions/idp_link")
                    .path("enabled").asBoolean()).isFalse();
            Victim victim = signedInNurse();
            linkAttempt(victim, doctorUnknownHere());
            assertUnchanged(victim);
        }

        @Test
        @DisplayName("even with idp_link turned on, another professional's PSC identity is refused with a page, no link, no change")
        void anotherProfessionalsIdentityIsNeverLinked() {
            String path = "/admin/realms/hospiconnect/authentication/required-actions/idp_link";
            var action = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(admin.get(path), Map.class);
            action.put("enabled", true);
            try {
                assertThat(admin.send("PUT", path, action)).isEqualTo(204);
                Victim victim = signedInNurse();
                DemoProfessional doctor = doctorUnknownHere();
                Browser.Page end = linkAttempt(victim, doctor);
                assertRefused(end, "n'est pas celle du compte connecté");
                assertUnchanged(victim);
                assertThat(hospiconnectUser(doctor.idNat())).as("the doctor's idNat_PS is on no account").isNull();
            } finally {
                action.put("enabled", false);
                admin.send("PUT", path, action);
            }
        }
    }

    static Stream<Arguments> eidas3Requests() {
        return Stream.of(
                Arguments.of("the app's Minimum ACR value", EIDAS3_APP, Map.of()),
                Arguments.of("acr_values=eidas3", Stack.GATEWAY_CLIENT_ID, Map.of("acr_values", "eidas3")),
                Arguments.of("an essential acr claim", Stack.GATEWAY_CLIENT_ID,
                        Map.of("claims", "{\"id_token\":{\"acr\":{\"essential\":true,\"values\":[\"eidas3\"]}}}")));
    }

    private static OidcClient oidcClient(String clientId) {
        return EIDAS3_APP.equals(clientId) ? new OidcClient(stack, EIDAS3_APP, EIDAS3_SECRET) : client();
    }

    /**
     * Keycloak checks a required level only when a LoA condition ends the flow, which a login through
     * PSC never reaches: the PSC provider compares its level with the request's itself.
     */
    @Nested
    @DisplayName("a request that requires eidas3")
    class Eidas3Required {

        @ParameterizedTest(name = "{0}: a MOBILE login (eidas2) ends on an error page, no code")
        @MethodSource("fr.hcbroker.e2e.PscIT#eidas3Requests")
        void aMobileLoginIsRefused(String how, String clientId, Map<String, String> request) {
            Browser.Page end = standInLogin(new Browser(), oidcClient(clientId), person("inf.lefevre"), request);
            assertRefused(end, BELOW_REQUIRED_PAGE);
        }

        @ParameterizedTest(name = "{0}: a CARD login (eidas3) gets a code and an eidas3 token")
        @MethodSource("fr.hcbroker.e2e.PscIT#eidas3Requests")
        void aCardLoginGetsIn(String how, String clientId, Map<String, String> request) {
            OidcClient client = oidcClient(clientId);
            Browser browser = new Browser();
            DemoProfessional doctor = person("dr.martin");
            Browser.Page end = standInLogin(browser, client, doctor, request);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            assertThat(client.idTokenClaims(browser, end.uri()).getClaim("acr")).isEqualTo("eidas3");
            // The logout test counts the doctor's stand-in sessions: leave none behind.
            admin.send("POST", "/admin/realms/esante-wallet/users/" + standInUser(doctor).path("id").asText()
                    + "/logout", Map.of());
        }

        @Test
        @DisplayName("a step-up of an eidas2 PSC session through PSC again (MOBILE) is refused, no code")
        void aStepUpThroughPscThatStaysAtEidas2IsRefused() {
            Browser browser = new Browser();
            DemoProfessional nurse = person("inf.lefevre");
            Browser.Page first = standInLogin(browser, client(), nurse);
            assertThat(client().issuedCode(first)).as("eidas2 login: %s", first.body()).isTrue();
            Browser.Page stepUp = standInLogin(browser, oidcClient(EIDAS3_APP), nurse);
            assertRefused(stepUp, BELOW_REQUIRED_PAGE);
        }
    }

    /** A stand-in client answering as {@code variant}, and an instance of the provider in hospiconnect using it. */
    private static String standInVariant(PscStandIn.Variant variant, String unknownProfessional) {
        String alias = "psc-variant-" + variant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + "-" + unknownProfessional;
        if (admin.get("/admin/realms/hospiconnect/identity-provider/instances").toString().contains("\"" + alias + "\"")) {
            return alias;
        }
        // 32 bytes: the HS256 variant's realm key is this secret, and Keycloak keeps HMAC keys of fixed sizes only.
        String secret = UUID.randomUUID().toString().replace("-", "");
        if (variant == PscStandIn.Variant.HS256) {
            assertThat(admin.send("POST", "/admin/realms/esante-wallet/components", PscStandIn.hs256Key(secret)))
                    .isEqualTo(201);
        }
        assertThat(admin.send("POST", "/admin/realms/esante-wallet/clients",
                PscStandIn.variantClient(variant, alias, secret, stack.keycloakUrl()))).isEqualTo(201);
        addIdp(alias, Map.of("pscEnvironment", "Test", "pscCustomIssuer", PscStandIn.issuer(stack.keycloakUrl()),
                "pscMinimumLevel", "eidas2", "pscFiness", "750712184",
                "pscCreateAccounts", String.valueOf("create".equals(unknownProfessional))),
                alias, secret);
        return alias;
    }

    /**
     * A stand-in client authenticating the establishment as {@code standInAuth} says, and an instance of the
     * provider in hospiconnect using it with {@code idpAuth} (and {@code idpSecret} as its client secret).
     */
    private static String authenticatedStandIn(String name, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> standInAuth,
                                               Map<String, String> idpAuth, String idpSecret) {
        String alias = "psc-auth-" + name;
        if (admin.get("/admin/realms/hospiconnect/identity-provider/instances").toString().contains("\"" + alias + "\"")) {
            return alias;
        }
        com.fasterxml.jackson.databind.node.ObjectNode standInClient = PscStandIn.variantClient(PscStandIn.Variant.PSC, alias,
                "stand-in-secret-" + name, stack.keycloakUrl());
        standInAuth.accept(standInClient);
        assertThat(admin.send("POST", "/admin/realms/esante-wallet/clients", standInClient)).isEqualTo(201);
        Map<String, String> config = new java.util.HashMap<>(Map.of("pscEnvironment", "Test",
                "pscCustomIssuer", PscStandIn.issuer(stack.keycloakUrl()), "pscMinimumLevel", "eidas2", "pscFiness", "750712184"));
        config.putAll(idpAuth);
        addIdp(alias, config, alias, idpSecret);
        return alias;
    }

    /** The stand-in checks a JWT signed with a key it reads at {@code jwksRealm}'s JWKS URL (Keycloak's client-jwt). */
    private static java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> signedJwtWithKeysOf(String jwksRealm) {
        return client -> {
            client.put("clientAuthenticatorType", "client-jwt");
            ((com.fasterxml.jackson.databind.node.ObjectNode) client.path("attributes"))
                    .put("use.jwks.url", "true")
                    .put("jwks.url", stack.keycloakUrl() + "/realms/" + jwksRealm + "/protocol/openid-connect/certs")
                    .put("token.endpoint.auth.signing.alg", "RS256");
        };
    }

    private static final String ESTABLISHMENT_REFUSED_PAGE = "a refusé l'établissement";

    @Nested
    @DisplayName("client authentication toward PSC, enforced by the stand-in")
    class ClientAuthentication {

        @Test
        @DisplayName("private_key_jwt: a JWT signed with the realm's key, checked by the stand-in at the realm's JWKS URL, logs in")
        void privateKeyJwt() {
            String alias = authenticatedStandIn("jwt", signedJwtWithKeysOf("hospiconnect"),
                    Map.of("pscClientAuthentication", "private_key_jwt"), "unused-by-private-key-jwt");
            OidcClient client = client();
            Browser browser = new Browser();
            Browser.Page end = standInLogin(browser, client, person("dr.martin"), Map.of(), alias);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            assertThat(client.idTokenClaims(browser, end.uri()).getClaim("acr")).isEqualTo("eidas3");
        }

        @Test
        @DisplayName("private_key_jwt the stand-in cannot verify (it expects another realm's keys): a page says PSC refused the establishment")
        void privateKeyJwtWithUnknownKeysIsRefused() {
            String alias = authenticatedStandIn("jwt-foreign", signedJwtWithKeysOf("master"),
                    Map.of("pscClientAuthentication", "private_key_jwt"), "unused-by-private-key-jwt");
            assertRefused(standInLogin(new Browser(), client(), person("dr.martin"), Map.of(), alias), ESTABLISHMENT_REFUSED_PAGE);
        }

        @Test
        @DisplayName("client_secret_basic with a secret the stand-in does not hold: a page says PSC refused the establishment")
        void wrongSecretIsRefused() {
            String alias = authenticatedStandIn("wrong-secret", client -> { }, Map.of(), "not-the-stand-in-secret");
            Browser.Page end = standInLogin(new Browser(), client(), person("dr.martin"), Map.of(), alias);
            assertRefused(end, ESTABLISHMENT_REFUSED_PAGE);
            assertThat(end.body()).doesNotContain("Exception").doesNotContain("at fr.hcbroker");
        }
    }

    /**
     * The stand-in's own client answers as ANS's samples show PSC does (authMode in the userinfo and the access
     * token only; the tests above log in through it); these are the other answers PSC has been seen to give.
     */
    @Nested
    @DisplayName("stand-in variants of PSC's answers")
    class Variants {

        @Test
        @DisplayName("authMode nowhere: the level is the acr's, eidas1, refused under the eidas2 floor with a page")
        void noAuthModeIsRefused() {
            String alias = standInVariant(PscStandIn.Variant.NO_AUTH_MODE, "refuse");
            Browser.Page end = standInLogin(new Browser(), client(), person("dr.martin"), Map.of(), alias);
            assertRefused(end, LEVEL_PAGE);
        }

        @Test
        @DisplayName("no acr at all (read as eidas1): the card's authMode still gives eidas3")
        void noAcrIsEidas1AndAuthModeDecides() {
            String alias = standInVariant(PscStandIn.Variant.NO_ACR, "refuse");
            OidcClient client = client();
            Browser browser = new Browser();
            Browser.Page end = standInLogin(browser, client, person("dr.martin"), Map.of(), alias);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            assertThat(client.idTokenClaims(browser, end.uri()).getClaim("acr")).isEqualTo("eidas3");
        }

        @Test
        @DisplayName("ID tokens signed HS256 with the client secret are verified and accepted")
        void hs256IdTokens() {
            String alias = standInVariant(PscStandIn.Variant.HS256, "refuse");
            OidcClient client = client();
            Browser browser = new Browser();
            DemoProfessional nurse = person("inf.lefevre");
            Browser.Page end = standInLogin(browser, client, nurse, Map.of(), alias);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            assertThat(client.idTokenClaims(browser, end.uri()).getClaim("idnat_ps")).isEqualTo(nurse.idNat());
        }

        @Test
        @DisplayName("an identity made with ANS's test tool (SubjectNameID ANS + 14 digits) logs in on a test issuer, its case kept")
        void ansTestToolIdentity() {
            String alias = standInVariant(PscStandIn.Variant.PSC, "create");
            String idNat = "ANS2026" + String.format("%010d", NEXT_ID.getAndIncrement());
            DemoProfessional tester = new DemoProfessional("tool-" + idNat, idNat, "Testeur", "Outil",
                    "tool-" + idNat.toLowerCase(java.util.Locale.ROOT) + "@test.hc-broker.fr", "60", "Infirmier",
                    "Pw-" + UUID.randomUUID(), "unused");
            assertThat(admin.send("POST", "/admin/realms/esante-wallet/users", PscStandIn.user(tester))).isEqualTo(201);
            OidcClient client = client();
            Browser browser = new Browser();
            Browser.Page end = standInLogin(browser, client, tester, Map.of(), alias);
            assertThat(client.issuedCode(end)).as("login ends at the app: %s", end.body()).isTrue();
            assertThat(client.idTokenClaims(browser, end.uri()).getClaim("idnat_ps")).isEqualTo(idNat);
            assertThat(hospiconnectUser(idNat).path("attributes").path("rpps").size()).as("no RPPS").isZero();
        }

        @Test
        @DisplayName("an unknown authMode is refused with a page and the audit record names it; userinfo wins a disagreement, recorded in the audit")
        void unknownAuthModeIsNamedInTheAudit() throws Exception {
            String value = "ECPS_" + NEXT_ID.getAndIncrement();
            Browser.Page end = hostileLogin(HOSTILE, HostileOp.Answer.valid(newIdNat()).with(b -> b.userInfo("authMode", value)));
            assertRefused(end, LEVEL_PAGE);
            assertThat(auditRecord("identity_provider_login_error", value))
                    .as("a keycloak audit record names authMode %s", value)
                    .contains("\"psc_refusal\":\"Pro Santé Connect login refused (LEVEL_REFUSED)").contains(HOSTILE);

            String other = "IDT_" + NEXT_ID.getAndIncrement();
            Browser.Page in = hostileLogin(HOSTILE, HostileOp.Answer.valid(newIdNat())
                    .with(b -> b.authMode(other).userInfo("authMode", "MOBILE")));
            assertThat(in.uri().getPath()).as("userinfo's MOBILE wins: %s", in.body()).endsWith("/test-callback");
            JsonNode login = new com.fasterxml.jackson.databind.ObjectMapper().readTree(auditRecord("\"psc_disagreement\"", other));
            assertThat(login.path("event").asText()).as("the login's own record: %s", login).isEqualTo("login");
            assertThat(login.path("outcome").asText()).isEqualTo("success");
            assertThat(login.path("loa").asText()).as("the level of userinfo's MOBILE").isEqualTo("eidas2");
            assertThat(login.path("details").path("psc_disagreement").asText())
                    .isEqualTo("authMode: userinfo \"MOBILE\" kept, id token \"" + other + "\"");

            // Refused: the record of the refusal names the disagreement too.
            String refusedValue = "ECPS_" + NEXT_ID.getAndIncrement();
            String idTokenValue = "IDT_" + NEXT_ID.getAndIncrement();
            assertRefused(hostileLogin(HOSTILE, HostileOp.Answer.valid(newIdNat())
                    .with(b -> b.authMode(idTokenValue).userInfo("authMode", refusedValue))), LEVEL_PAGE);
            JsonNode refusal = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    auditRecord("identity_provider_login_error", idTokenValue));
            assertThat(refusal.path("details").path("psc_disagreement").asText())
                    .isEqualTo("authMode: userinfo \"" + refusedValue + "\" kept, id token \"" + idTokenValue + "\"");
        }

        /** The first keycloak audit line holding both fragments, waiting up to five seconds for it. */
        private String auditRecord(String fragment, String value) throws Exception {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (java.nio.file.Path file : AuditFiles.of(stack, "keycloak")) {
                    for (String line : java.nio.file.Files.readAllLines(file)) {
                        if (line.contains(fragment) && line.contains(value)) {
                            return line;
                        }
                    }
                }
                Thread.sleep(200);
            }
            return "";
        }
    }

    @Nested
    @DisplayName("the admin and discovery side")
    class Setup {

        @Test
        @DisplayName("the stand-in answers PSC's wallet discovery path; other realms do not have it")
        void walletDiscoveryPathOnlyOnTheStandIn() throws Exception {
            var http = java.net.http.HttpClient.newHttpClient();
            var wallet = http.send(java.net.http.HttpRequest.newBuilder(URI.create(PscStandIn.issuer(stack.keycloakUrl())
                    + "/.well-known/wallet-openid-configuration")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(wallet.statusCode()).isEqualTo(200);
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(wallet.body()).path("issuer").asText())
                    .isEqualTo(PscStandIn.issuer(stack.keycloakUrl()));
            var other = http.send(java.net.http.HttpRequest.newBuilder(URI.create(stack.keycloakUrl()
                    + "/realms/hospiconnect/.well-known/wallet-openid-configuration")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
        }

        @Test
        @DisplayName("as PSC, the authorization endpoint is on the wallet host, the others on the issuer's host; each host refuses the other's requests")
        void authorizationOnTheWalletHost() throws Exception {
            var http = java.net.http.HttpClient.newHttpClient();
            String issuer = PscStandIn.issuer(stack.keycloakUrl());
            JsonNode discovery = new com.fasterxml.jackson.databind.ObjectMapper().readTree(http.send(
                    java.net.http.HttpRequest.newBuilder(URI.create(issuer + "/.well-known/wallet-openid-configuration")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            String wallet = PscWallet.authorizationEndpoint(stack.settings().ports().keycloakHttp());
            assertThat(discovery.path("authorization_endpoint").asText()).isEqualTo(wallet);
            assertThat(URI.create(wallet).getHost()).isNotEqualTo(URI.create(issuer).getHost());
            assertThat(discovery.path("token_endpoint").asText()).startsWith(issuer);
            assertThat(discovery.path("userinfo_endpoint").asText()).startsWith(issuer);
            assertThat(discovery.path("jwks_uri").asText()).startsWith(issuer);

            String query = "?client_id=" + Stack.PSC_CLIENT_ID + "&response_type=code&scope=openid&state=s1"
                    + "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                    + "&redirect_uri=" + enc(stack.keycloakUrl() + "/realms/hospiconnect/broker/wallet-test/endpoint")
                    // a key a client makes up is replaced by the wallet, refused by the issuer's host
                    + "&hc_wallet=guessed";
            var direct = http.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(issuer + "/protocol/openid-connect/auth" + query)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(direct.statusCode()).as("an authorization request built from the issuer").isEqualTo(302);
            assertThat(direct.headers().firstValue("location").orElseThrow())
                    .contains("error=invalid_request").contains("wallet");

            var viaWallet = http.send(java.net.http.HttpRequest.newBuilder(URI.create(wallet + query)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(viaWallet.statusCode()).isEqualTo(302);
            String onward = viaWallet.headers().firstValue("location").orElseThrow();
            assertThat(onward).startsWith(issuer + "/protocol/openid-connect/auth?").doesNotContain("guessed");
            var login = http.send(java.net.http.HttpRequest.newBuilder(URI.create(onward)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as("the stand-in's login page: %s", login.body()).isEqualTo(200);
            assertThat(login.body()).contains("name=\"password\"");

            String walletRoot = wallet.substring(0, wallet.length() - PscWallet.PATH.length());
            for (String path : List.of("/realms/esante-wallet/protocol/openid-connect/token",
                    "/realms/esante-wallet/protocol/openid-connect/userinfo",
                    "/realms/esante-wallet/protocol/openid-connect/certs", "/realms/esante-wallet/protocol/openid-connect/auth")) {
                var refused = http.send(java.net.http.HttpRequest.newBuilder(URI.create(walletRoot + path))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=x"))
                        .header("content-type", "application/x-www-form-urlencoded").build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("%s on the wallet host", path).isEqualTo(404);
            }
        }

        @Test
        @DisplayName("a provider saved with the former psc.* names is stored under the current ones")
        void legacyNamesAreRewrittenOnSave() {
            JsonNode stored = admin.get("/admin/realms/hospiconnect/identity-provider/instances/" + HOSTILE).path("config");
            assertThat(stored.path("pscEnvironment").asText()).isEqualTo("Test");
            assertThat(stored.path("pscCustomIssuer").asText()).isEqualTo(hostile.issuer());
            assertThat(stored.path("pscCreateAccounts").asText()).isEqualTo("true");
            assertThat(stored.toString()).doesNotContain("\"psc.").doesNotContain("pscUnknownProfessional");
        }

        @Test
        @DisplayName("an enabled provider without a chosen environment, or with a FINESS placeholder left unset, is refused saying why")
        void unsafeSettingsAreRefusedWithTheReason() {
            var noEnvironment = admin.exchange("POST", "/admin/realms/hospiconnect/identity-provider/instances", Map.of(
                    "alias", "psc-no-environment", "providerId", IDP, "enabled", true,
                    "config", Map.of("pscFiness", "750712184", "clientId", "x", "clientSecret", "y")));
            assertThat(noEnvironment.statusCode()).isEqualTo(400);
            assertThat(noEnvironment.body()).contains("choose the environment").contains("before enabling");
            var placeholder = admin.exchange("POST", "/admin/realms/hospiconnect/identity-provider/instances", Map.of(
                    "alias", "psc-placeholder", "providerId", IDP, "enabled", true,
                    "config", Map.of("pscEnvironment", "BAS", "pscFiness", "${HC_PSC_FINESS}",
                            "clientId", "x", "clientSecret", "y")));
            assertThat(placeholder.statusCode()).isEqualTo(400);
            assertThat(placeholder.body()).contains("not a FINESS number");
            assertThat(admin.get("/admin/realms/hospiconnect/identity-provider/instances").toString())
                    .doesNotContain("psc-no-environment").doesNotContain("psc-placeholder");
        }

        @Test
        @DisplayName("the admin console offers the PSC settings, and refuses a provider whose settings do not parse")
        void adminConsoleSettings() {
            JsonNode factory = admin.get("/admin/realms/hospiconnect/identity-provider/providers/" + IDP);
            assertThat(factory.toString()).contains("pscEnvironment").contains("pscCustomIssuer")
                    .contains("pscMinimumLevel").contains("pscAuthModeLevels").contains("pscFiness")
                    .contains("pscCreateAccounts").doesNotContain("\"psc.").doesNotContain("pscUnknownProfessional");
            int status = admin.send("POST", "/admin/realms/hospiconnect/identity-provider/instances", Map.of(
                    "alias", "psc-misconfigured", "providerId", IDP, "enabled", true,
                    "config", Map.of("pscEnvironment", "Test", "pscCustomIssuer", "not a url",
                            "clientId", "x", "clientSecret", "y")));
            assertThat(status).isEqualTo(400);
        }
    }

    private static String newIdNat() {
        return IdNat.withLuhnDigit("99700" + String.format("%05d", NEXT_ID.getAndIncrement())).transform(d -> "8" + d);
    }

    /** A login through a hostile PSC; returns the page the person ends on. */
    private static Browser.Page hostileLogin(String alias, HostileOp.Answer answer) {
        hostile.answer(answer);
        OidcClient client = client();
        return new Browser().get(client.authorizationUrl(Map.of("kc_idp_hint", alias)), client.isCallback());
    }

    private static void assertRefused(Browser.Page page, String messageFragment) {
        assertThat(page.uri().getPath()).as("no code reaches the app").doesNotEndWith("/test-callback");
        assertThat(page.status()).as("an error page: %s", page.body()).isBetween(400, 599);
        assertThat(page.document().text()).contains(messageFragment);
    }

    private static final String TOKEN_PAGE = "la réponse reçue de Pro Santé Connect";
    private static final String LEVEL_PAGE = "niveau d";
    private static final String USERINFO_PAGE = "informations professionnelles";
    private static final String MISMATCH_PAGE = "ne correspondent pas";
    private static final String BELOW_REQUIRED_PAGE = "exige un niveau";

    static Stream<Arguments> forgedAnswers() {
        return Stream.<Object[]>of(
                new Object[] {"ID token signed by another key under PSC's kid", (UnaryOperator<HostileOp.Builder>) b -> b.signing(HostileOp.Signing.FOREIGN_KEY_SAME_KID), TOKEN_PAGE},
                new Object[] {"ID token HS256 with another secret", (UnaryOperator<HostileOp.Builder>) b -> b.signing(HostileOp.Signing.OTHER_SECRET_HS256), TOKEN_PAGE},
                new Object[] {"unsigned ID token (alg none)", (UnaryOperator<HostileOp.Builder>) b -> b.signing(HostileOp.Signing.NONE), TOKEN_PAGE},
                new Object[] {"wrong iss", (UnaryOperator<HostileOp.Builder>) b -> b.iss("https://auth.esw.esante.gouv.fr/auth/realms/other"), TOKEN_PAGE},
                new Object[] {"wrong aud", (UnaryOperator<HostileOp.Builder>) b -> b.aud("another-client"), TOKEN_PAGE},
                new Object[] {"expired ID token", (UnaryOperator<HostileOp.Builder>) b -> b.expOffsetSeconds(-600), TOKEN_PAGE},
                new Object[] {"nonce mismatch", (UnaryOperator<HostileOp.Builder>) b -> b.nonce("forged-nonce"), TOKEN_PAGE},
                new Object[] {"no acr and no authMode anywhere (eidas1)", (UnaryOperator<HostileOp.Builder>) b -> b.acr(null).authMode(null), LEVEL_PAGE},
                new Object[] {"unknown acr", (UnaryOperator<HostileOp.Builder>) b -> b.acr("eidas9"), LEVEL_PAGE},
                new Object[] {"acr below the minimum (eidas1, no authMode)", (UnaryOperator<HostileOp.Builder>) b -> b.acr("eidas1").authMode(null), LEVEL_PAGE},
                new Object[] {"unknown authMode", (UnaryOperator<HostileOp.Builder>) b -> b.authMode("PASSWORD"), LEVEL_PAGE},
                new Object[] {"userinfo JWT signed by another key", (UnaryOperator<HostileOp.Builder>) b -> b.userInfoAsJwt().userInfoForeignKey(), USERINFO_PAGE},
                new Object[] {"userinfo JWT for another client", (UnaryOperator<HostileOp.Builder>) b -> b.userInfoAsJwt().userInfoAud("another-client"), USERINFO_PAGE},
                new Object[] {"userinfo SubjectNameID differs from the token's", (UnaryOperator<HostileOp.Builder>) b -> b.userInfoIdNat(newIdNat()), MISMATCH_PAGE},
                new Object[] {"userinfo for another subject (sub)", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("sub", "f:hostile:someone-else"), MISMATCH_PAGE},
                new Object[] {"userinfo authMode unknown, ID token's MOBILE (userinfo wins)", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("authMode", "PASSWORD"), LEVEL_PAGE},
                new Object[] {"SubjectRefPro not an object", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("SubjectRefPro", "exercices"), USERINFO_PAGE},
                new Object[] {"SubjectRefPro exercices not a list", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("SubjectRefPro", Map.of("exercices", Map.of("codeProfession", "10"))), USERINFO_PAGE},
                new Object[] {"otherIds RPPS fails its Luhn check", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("otherIds", List.of(Map.of("identifiant", "810002813838", "origine", "RPPS"))), MISMATCH_PAGE},
                new Object[] {"otherIds RPPS is the 11-digit number, not the idNat", (UnaryOperator<HostileOp.Builder>) b -> b.userInfo("otherIds", List.of(Map.of("identifiant", "10002813839", "origine", "RPPS"))), MISMATCH_PAGE}
        ).map(a -> Arguments.of(a[0], a[1], a[2]));
    }

    static Stream<Arguments> genuineVariants() {
        return Stream.of(
                Arguments.of("ID token HS256 with the client secret", (UnaryOperator<HostileOp.Builder>) b -> b.signing(HostileOp.Signing.CLIENT_SECRET_HS256)),
                Arguments.of("userinfo as a JWT signed with PSC's key", (UnaryOperator<HostileOp.Builder>) b -> b.userInfoAsJwt()),
                Arguments.of("no acr anywhere (read as eidas1): authMode decides", (UnaryOperator<HostileOp.Builder>) b -> b.acr(null)),
                Arguments.of("authMode only in the userinfo", (UnaryOperator<HostileOp.Builder>) b -> b.authMode(null).userInfo("authMode", "MOBILE")),
                Arguments.of("userinfo's authMode wins over the ID token's unknown one", (UnaryOperator<HostileOp.Builder>) b -> b.authMode("PASSWORD").userInfo("authMode", "MOBILE")),
                Arguments.of("codeCivilite nested in the exercice, otherIds with the 12-character idNat", (UnaryOperator<HostileOp.Builder>) b -> b
                        .userInfo("SubjectRefPro", Map.of("exercices", List.of(Map.of("codeProfession", "60", "codeCivilite", "MME"))))
                        .userInfo("otherIds", List.of(Map.of("identifiant", b.idNat, "origine", "RPPS", "qualite", 1)))));
    }

    @Nested
    @DisplayName("a hostile PSC")
    class Hostile {

        @Test
        @DisplayName("a valid answer for an unknown professional creates the account (admin chose create), keyed on idNat_PS")
        void validAnswerCreatesTheAccount() {
            String idNat = newIdNat();
            Browser.Page page = hostileLogin(HOSTILE, HostileOp.Answer.valid(idNat));
            assertThat(page.uri().toString()).as("login ends at the app: %s", page.body()).contains("code=");
            JsonNode user = hospiconnectUser(idNat);
            assertThat(user).isNotNull();
            assertThat(user.path("attributes").path("profession").get(0).asText()).isEqualTo("60");
            JsonNode links = admin.get("/admin/realms/hospiconnect/users/" + user.path("id").asText() + "/federated-identity");
            assertThat(links.toString()).contains(HOSTILE).contains("\"userId\":\"" + idNat + "\"");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("fr.hcbroker.e2e.PscIT#genuineVariants")
        @DisplayName("genuine variants PSC may use are accepted: HS256 ID token with the client secret, signed userinfo")
        void genuineVariantsAreAccepted(String what, UnaryOperator<HostileOp.Builder> variant) {
            String idNat = newIdNat();
            Browser.Page end = hostileLogin(HOSTILE, HostileOp.Answer.valid(idNat).with(variant));
            assertThat(end.uri().getPath()).as("login ends at the app: %s", end.body()).endsWith("/test-callback");
            assertThat(hospiconnectUser(idNat)).isNotNull();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("fr.hcbroker.e2e.PscIT#forgedAnswers")
        @DisplayName("a forged answer is refused with a clear page; no account is created or linked")
        void forgedAnswerIsRefused(String what, UnaryOperator<HostileOp.Builder> forge, String page) {
            String idNat = newIdNat();
            Browser.Page end = hostileLogin(HOSTILE, HostileOp.Answer.valid(idNat).with(forge));
            assertRefused(end, page);
            assertThat(hospiconnectUser(idNat)).as("no account for %s", idNat).isNull();
        }

        @Test
        @DisplayName("a replayed state (the same callback twice) is refused; the second use issues nothing")
        void replayedStateIsRefused() {
            String idNat = newIdNat();
            hostile.answer(HostileOp.Answer.valid(idNat));
            OidcClient client = client();
            Browser browser = new Browser();
            String brokerEndpoint = stack.keycloakUrl() + "/realms/hospiconnect/broker/" + HOSTILE + "/endpoint";
            Browser.Page atCallback = browser.get(client.authorizationUrl(Map.of("kc_idp_hint", HOSTILE)),
                    u -> u.toString().startsWith(brokerEndpoint));
            URI callback = atCallback.uri();
            Browser.Page first = browser.get(callback.toString(), client.isCallback());
            assertThat(client.issuedCode(first)).as("first use logs in: %s", first.body()).isTrue();
            int exchanges = hostile.tokenRequests();

            Browser.Page replayByAnother = new Browser().get(callback.toString(), client.isCallback());
            assertThat(client.issuedCode(replayByAnother)).as("replay elsewhere issues no code").isFalse();
            assertThat(replayByAnother.status()).as("an error page: %s", replayByAnother.uri()).isBetween(400, 599);

            Browser.Page replayInSameBrowser = browser.get(callback.toString(), client.isCallback());
            assertThat(client.issuedCode(replayInSameBrowser)).as("replay issues no code: %s", replayInSameBrowser.uri())
                    .isFalse();
            if (client.isCallback().test(replayInSameBrowser.uri())) {
                assertThat(OidcClient.query(replayInSameBrowser.uri())).containsKey("error");
            } else {
                assertThat(replayInSameBrowser.status()).isBetween(400, 599);
            }
            assertThat(hostile.tokenRequests()).as("the replayed code is not even exchanged").isEqualTo(exchanges);
        }

        @Test
        @DisplayName("an unknown professional is refused with a page when the admin chose refuse")
        void unknownProfessionalIsRefused() {
            String idNat = newIdNat();
            assertRefused(hostileLogin(HOSTILE_REFUSING, HostileOp.Answer.valid(idNat)), "aucun compte de l");
            assertThat(hospiconnectUser(idNat)).isNull();
        }

        @Test
        @DisplayName("a local account with the same email but another idnat_ps is never linked, and no account is created")
        void sameEmailIsNeverLinked() {
            DemoProfessional doctor = person("dr.martin");
            String idNat = newIdNat();
            String doctorId = admin.userId(doctor.username());
            List<String> linksBefore = new ArrayList<>();
            admin.get("/admin/realms/hospiconnect/users/" + doctorId + "/federated-identity")
                    .forEach(l -> linksBefore.add(l.path("identityProvider").asText()));

            Browser.Page end = hostileLogin(HOSTILE, HostileOp.Answer.valid(idNat).with(b -> b.email(doctor.email())));
            assertRefused(end, "Aucun compte n");
            assertThat(hospiconnectUser(idNat)).isNull();
            List<String> linksAfter = new ArrayList<>();
            admin.get("/admin/realms/hospiconnect/users/" + doctorId + "/federated-identity")
                    .forEach(l -> linksAfter.add(l.path("identityProvider").asText()));
            assertThat(linksAfter).isEqualTo(linksBefore).doesNotContain(HOSTILE);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
