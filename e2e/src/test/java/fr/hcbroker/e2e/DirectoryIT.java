package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.psc.PscStandIn;
import fr.hcbroker.stack.directory.DirectoryFederation;
import fr.hcbroker.stack.directory.SambaDirectory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jsoup.nodes.Element;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Active Directory federation against a real Samba AD domain controller: the realm gets
 * realms/templates/ad-federation.json, a gateway of its own sends people to a ward route that needs
 * the realm role of an AD group. The cache and the access tokens live 10 s here, so that a person
 * disabled in AD loses access within the documented bound (cache life + token life) in the test.
 */
@ExtendWith({StackExtension.class, DirectoryExtension.class, BrowserExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Active Directory: the hospital's accounts, groups and their end")
class DirectoryIT {

    private static final String CLIENT = "hc-gateway-directory";
    private static final String REALM = "/admin/realms/hospiconnect";
    private static final String WARD_GROUP = "hc-ward-nurse";
    private static final Duration CACHE = Duration.ofSeconds(10);
    private static final Duration TOKEN = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static Stack stack;
    private static SambaDirectory directory;
    private static AdminApi admin;
    private static String providerId;
    private static Process gateway;
    private static int port;
    private static Path work;
    private static Path keytab;

    @BeforeAll
    static void start(Stack running, SambaDirectory dc) throws Exception {
        stack = running;
        directory = dc;
        admin = new AdminApi(stack);
        work = Path.of(System.getProperty("hc.work")).toAbsolutePath().resolveSibling("directory-it");
        Files.createDirectories(work);
        directory.addGroup(WARD_GROUP);
        // Keycloak's service principal: the host name in the URL browsers use for Keycloak.
        keytab = work.resolve("keycloak-http.keytab");
        Files.deleteIfExists(keytab);
        String principal = directory.servicePrincipal(URI.create(stack.keycloakUrl()).getHost(), keytab);
        providerId = DirectoryFederation.apply(admin, "hospiconnect", Path.of("..", "realms", "templates", "ad-federation.json"),
                Map.of("HC_AD_URL", directory.url(), "HC_AD_BIND_DN", directory.bindDn(),
                        "HC_AD_BIND_PASSWORD", directory.bindPassword(), "HC_AD_USERS_DN", SambaDirectory.USERS_DN,
                        "HC_AD_ROLES_DN", SambaDirectory.ROLES_DN, "HC_AD_CACHE_MILLIS", String.valueOf(CACHE.toMillis()),
                        "HC_AD_KERBEROS", "true", "HC_AD_KERBEROS_REALM", SambaDirectory.REALM,
                        "HC_AD_KERBEROS_PRINCIPAL", principal, "HC_AD_KEYTAB", keytab.toString()));

        port = GatewayProcess.freePort();
        String secret = "directory-" + UUID.randomUUID();
        ObjectNode client = (ObjectNode) admin.get(REALM + "/clients?clientId=" + Stack.GATEWAY_CLIENT_ID).get(0);
        client.remove(List.of("id", "secret"));
        client.put("clientId", CLIENT).put("secret", secret);
        client.set("redirectUris", JSON.createArrayNode().add("http://localhost:" + port + "/*"));
        ObjectNode attributes = (ObjectNode) client.get("attributes");
        attributes.remove(List.of("backchannel.logout.url", "post.logout.redirect.uris"));
        attributes.put("access.token.lifespan", String.valueOf(TOKEN.toSeconds()));
        for (JsonNode mapper : client.path("protocolMappers")) {
            ((ObjectNode) mapper).remove("id");
        }
        assertThat(admin.send("POST", REALM + "/clients", client)).isEqualTo(201);
        Path config = work.resolve("gateway.yaml");
        Files.writeString(config, """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: http://localhost:%d
                oidc: {issuer: %s/realms/hospiconnect, clientId: %s, clientSecretEnv: SECRET}
                audit: {dir: %s, groupCommitMillis: 50}
                routes:
                  - {id: ward, path: /ward, upstream: "%s", requiredRoles: [%s]}
                  - {id: app, path: /, upstream: "%s"}
                """.formatted(port, port, stack.keycloakUrl(), CLIENT, work.resolve("audit"), stack.demoAppUrl(),
                WARD_GROUP, stack.demoAppUrl()));
        gateway = GatewayProcess.start(config, work.resolve("gateway.log"), port, List.of(), secret);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        // Removing the provider removes the people it imported: the shared realm is as it was.
        if (providerId != null) {
            admin.send("DELETE", REALM + "/components/" + providerId, Map.of());
        }
    }

    /** A fresh RPPS idNat_PS in the test range. */
    private static String newIdNat() {
        return "8" + IdNat.withLuhnDigit("99" + String.format("%08d", RANDOM.nextInt(100_000_000)));
    }

    private static String fresh(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A person in AD: a fresh account name (AD allows 20 characters), an RPPS idNat_PS, a nurse of one structure. */
    private record Person(String account, String password, String idNat) {
        static Person create(boolean ward) {
            String account = "ad" + UUID.randomUUID().toString().substring(0, 8);
            String idNat = newIdNat();
            Person person = new Person(account, "Ward-" + UUID.randomUUID().toString().substring(0, 8) + "-Pw", idNat);
            directory.addUser(account, person.password(), "Anne", "Durand-" + account,
                    Map.of("employeeID", idNat, "employeeType", "60", "departmentNumber", "760021832"));
            if (ward) {
                directory.addMember(WARD_GROUP, account);
            }
            return person;
        }
    }

    @Test
    @DisplayName("password + TOTP through the gateway: the app sees the AD identity and the AD group's role")
    void passwordAndTotpBringTheDirectoryIdentity() throws Exception {
        Person nurse = Person.create(true);
        Browser browser = new Browser();
        String seed = enrolAndLogIn(browser, nurse);

        JsonNode seen = echo(browser, "/echo");
        assertThat(seen.path("x-hc-user").asText()).isEqualTo(nurse.account());
        assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(nurse.idNat());
        assertThat(seen.path("x-hc-rpps").asText()).isEqualTo(nurse.idNat().substring(1));
        assertThat(seen.path("x-hc-profession").asText()).isEqualTo("60");
        assertThat(seen.path("x-hc-structure").asText()).isEqualTo("760021832");
        assertThat(seen.path("x-hc-family-name").asText()).isEqualTo("Durand-" + nurse.account());
        assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
        assertThat(echo(browser, "/ward/echo").path("x-hc-roles").asText()).contains(WARD_GROUP);

        // The next login is password + TOTP, the password checked by AD.
        awaitNextTotpStep();
        Browser again = new Browser();
        Browser.Page form = loginForm(again);
        Browser.Page otp = again.submit(form, form.form("kc-form-login"),
                Map.of("username", nurse.account(), "password", nurse.password()), u -> false);
        Browser.Page landed = again.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(seed)), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        assertThat(JSON.readTree(landed.body()).path("x-hc-idnat").asText()).isEqualTo(nurse.idNat());

        // A wrong AD password is refused like any other.
        Browser wrong = new Browser();
        Browser.Page page = loginForm(wrong);
        Browser.Page refused = wrong.submit(page, page.form("kc-form-login"),
                Map.of("username", nurse.account(), "password", nurse.password() + "x"), u -> false);
        assertThat(refused.document().getElementById("kc-otp-login-form")).isNull();
        assertThat(refused.form("kc-form-login")).isNotNull();
    }

    @Test
    @DisplayName("a directory person outside the ward's AD group is refused the ward route")
    void theWardRouteNeedsTheAdGroup() throws Exception {
        Person clerk = Person.create(false);
        Browser browser = new Browser();
        enrolAndLogIn(browser, clerk);
        HttpResponse<String> ward = browser.send(HttpRequest.newBuilder(URI.create(url("/ward/echo"))).build());
        assertThat(ward.statusCode()).isEqualTo(403);
        assertThat(echo(browser, "/echo").path("x-hc-roles").asText()).doesNotContain(WARD_GROUP);
    }

    @Test
    @DisplayName("disabled in AD: the open session reaches no app past the bound, and the next login is refused")
    void disabledInTheDirectoryLosesAccess() throws Exception {
        Person nurse = Person.create(true);
        Browser browser = new Browser();
        String seed = enrolAndLogIn(browser, nurse);
        Instant disabled = Instant.now();
        directory.disable(nurse.account());

        Duration bound = CACHE.plus(TOKEN).plusSeconds(10);
        awaitRefused(browser, bound);
        System.out.printf("disabled in AD: refused after %d ms (bound %d ms)%n",
                Duration.between(disabled, Instant.now()).toMillis(), bound.toMillis());

        Browser again = new Browser();
        Browser.Page form = loginForm(again);
        Browser.Page refused = again.submit(form, form.form("kc-form-login"),
                Map.of("username", nurse.account(), "password", nurse.password()), u -> false);
        assertThat(refused.document().getElementById("kc-otp-login-form")).isNull();
        assertThat(refused.status()).isNotEqualTo(302);
        assertThat(seed).isNotBlank();
    }

    @Test
    @DisplayName("a malformed idNat_PS in AD is refused and not stored, whatever its shape")
    void aMalformedIdNatIsRefused() throws Exception {
        for (String hostile : List.of("81234567890", "812345678901", "8123456789O1", "8100028138 39", "x' OR 1=1",
                "9" + "1".repeat(11))) {
            String account = "ad" + UUID.randomUUID().toString().substring(0, 8);
            directory.addUser(account, "Ward-" + account + "-Pw", "Bad", "Id", Map.of("employeeID", hostile));
            Browser browser = new Browser();
            Browser.Page form = loginForm(browser);
            Browser.Page refused = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", account, "password", "Ward-" + account + "-Pw"), u -> false);
            assertThat(refused.document().getElementById("hc-enrol-form")).as(hostile).isNull();
            assertThat(refused.document().getElementById("kc-otp-login-form")).as(hostile).isNull();
            assertThat(stored(account)).as("%s is not stored", hostile).isFalse();
        }
    }

    @Test
    @DisplayName("in Chromium without a ticket: the ordinary login page (no prompt, no loop), the AD password, the TOTP, the app")
    void chromiumWalksThePasswordAndTotpLogin(ChromeDriver chromium) throws Exception {
        Person nurse = Person.create(true);
        String seed = enrolAndLogIn(new Browser(), nurse);
        awaitNextTotpStep();

        chromium.get(url("/echo"));
        // Keycloak's 401 "Negotiate" page posts itself back: Chromium lands on the ordinary form.
        awaitElement(chromium, By.id("username"));
        assertThat(chromium.getCurrentUrl()).startsWith(stack.keycloakUrl() + "/realms/hospiconnect/");
        BrowserExtension.screenshot(chromium, "directory-login-form");
        chromium.findElement(By.id("username")).sendKeys(nurse.account());
        chromium.findElement(By.id("password")).sendKeys(nurse.password());
        chromium.findElement(By.id("kc-login")).click();
        awaitElement(chromium, By.id("otp"));
        BrowserExtension.screenshot(chromium, "directory-second-factor");
        chromium.findElement(By.id("otp")).sendKeys(Totp.now(seed));
        chromium.findElement(By.id("kc-login")).click();
        new WebDriverWait(chromium, Duration.ofSeconds(30)).until(ExpectedConditions.urlToBe(url("/echo")));
        BrowserExtension.screenshot(chromium, "directory-password-totp-app");
        JsonNode seen = JSON.readTree(chromium.findElement(By.tagName("body")).getText());
        assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(nurse.idNat());
        assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
        assertThat(seen.path("x-hc-amr").asText()).contains("pwd").contains("otp");
    }

    private static void awaitElement(ChromeDriver chromium, By element) throws Exception {
        try {
            new WebDriverWait(chromium, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(element));
        } catch (org.openqa.selenium.TimeoutException e) {
            BrowserExtension.screenshot(chromium, "directory-failed-waiting");
            throw new AssertionError("no " + element + " at " + chromium.getCurrentUrl() + ":\n" + chromium.getPageSource(), e);
        }
    }

    @Test
    @DisplayName("Windows desktop SSO: the Kerberos ticket replaces the password, the TOTP is still asked, eidas2")
    void aKerberosTicketReplacesThePasswordOnly() throws Exception {
        Person nurse = Person.create(true);
        String seed = enrolAndLogIn(new Browser(), nurse);
        KerberosDesktop desktop = KerberosDesktop.loggedOn(directory, work, nurse.account(), nurse.password());
        awaitNextTotpStep();

        KerberosDesktop.Response otp = desktop.get(url("/echo"));
        assertThat(otp.tokensSent()).as("curl answered Keycloak's Negotiate challenge").isNotEmpty();
        assertThat(otp.status()).as(otp.body()).isEqualTo(200);
        assertThat(otp.document().getElementById("kc-form-login")).as("no password form").isNull();
        Element form = otp.document().getElementById("kc-otp-login-form");
        assertThat(form).as("Kerberos alone is level 1: the second factor is asked\n%s", otp.body()).isNotNull();

        KerberosDesktop.Response landed = desktop.post(form.absUrl("action"), Map.of("otp", Totp.now(seed)));
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        JsonNode seen = JSON.readTree(landed.body());
        assertThat(seen.path("x-hc-user").asText()).isEqualTo(nurse.account());
        assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(nurse.idNat());
        assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
        assertThat(List.of(seen.path("x-hc-amr").asText().split(","))).contains("wia", "otp", "mfa").doesNotContain("pwd");
    }

    @Test
    @DisplayName("an account made before the directory (by hand, then PSC's first login) becomes the AD entry's by idNat_PS: one account, AD's password and roles, PSC still logs it in")
    void anExistingAccountIsJoinedByIdNat() throws Exception {
        String idNat = newIdNat();
        String local = fresh("pre");
        String seed = "hc-join-" + UUID.randomUUID();
        String localPassword = "Local-" + UUID.randomUUID();
        admin.createUser(local, localPassword, seed, Map.of("idnat_ps", List.of(idNat)));
        String before = admin.userId(local);
        DemoProfessional professional = new DemoProfessional(local, idNat, "Anne", "Martin-" + local, local + "@test.hc-broker.fr",
                "60", "Infirmier", "Psc-" + UUID.randomUUID(), seed);
        assertThat(admin.send("POST", "/admin/realms/esante-wallet/users", PscStandIn.user(professional))).isEqualTo(201);
        assertThat(pscLogin(professional)).as("PSC's first login finds the account by idnat_ps").isEqualTo(before);

        // The same person appears in AD: another account name, other names, the same idNat_PS and email.
        String account = fresh("ad");
        String password = "Ward-" + UUID.randomUUID().toString().substring(0, 8) + "-Pw";
        directory.addUser(account, password, "Anne", "Durand-" + account, Map.of("employeeID", idNat,
                "mail", local + "@test.hc-broker.fr", "employeeType", "60", "departmentNumber", "760021832"));
        directory.addMember(WARD_GROUP, account);
        assertThat(admin.send("POST", REALM + "/user-storage/" + providerId + "/sync?action=triggerChangedUsersSync",
                Map.of())).isEqualTo(200);

        Browser browser = new Browser();
        Browser.Page form = loginForm(browser);
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", account, "password", password), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(seed)), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        JsonNode seen = JSON.readTree(landed.body());
        assertThat(seen.path("x-hc-user").asText()).isEqualTo(account);
        assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(idNat);
        assertThat(seen.path("x-hc-family-name").asText()).isEqualTo("Durand-" + account);
        assertThat(echo(browser, "/ward/echo").path("x-hc-roles").asText()).contains(WARD_GROUP);

        JsonNode holders = admin.get(REALM + "/users?briefRepresentation=false&q=idnat_ps:" + idNat);
        assertThat(holders).as("one account holds the idNat_PS").hasSize(1);
        JsonNode joined = holders.get(0);
        assertThat(joined.path("id").asText()).as("the account made before, not a new one").isEqualTo(before);
        assertThat(joined.path("username").asText()).isEqualTo(account);
        assertThat(joined.path("federationLink").asText()).isEqualTo(providerId);
        assertThat(admin.get(REALM + "/users/" + before + "/federated-identity").findValuesAsText("identityProvider"))
                .contains("pro-sante-connect");
        assertThat(admin.get(REALM + "/users/" + before + "/credentials").findValuesAsText("type"))
                .as("the second factor stays").contains("otp");
        assertThat(pscLogin(professional)).as("PSC logs the same account in").isEqualTo(before);
        assertThat(admin.get(REALM + "/users/" + before).path("lastName").asText())
                .as("the name AD holds stays AD's after the PSC login").isEqualTo("Durand-" + account);

        Browser old = new Browser();
        Browser.Page oldForm = loginForm(old);
        Browser.Page refused = old.submit(oldForm, oldForm.form("kc-form-login"),
                Map.of("username", account, "password", localPassword), u -> false);
        assertThat(refused.document().getElementById("kc-otp-login-form"))
                .as("the local password is gone, AD checks the password: the old one opens nothing").isNull();
        assertThat(refused.form("kc-form-login")).isNotNull();
    }

    @Test
    @DisplayName("an AD entry sharing only the email of an existing account is not joined to it: refused with a page, recorded, the account untouched")
    void aSharedEmailJoinsNothing() throws Exception {
        String local = fresh("mail");
        String localIdNat = newIdNat();
        admin.createUser(local, "Local-" + UUID.randomUUID(), null, Map.of("idnat_ps", List.of(localIdNat)));
        JsonNode before = admin.get(REALM + "/users/" + admin.userId(local));

        String account = fresh("ad");
        String password = "Ward-" + UUID.randomUUID().toString().substring(0, 8) + "-Pw";
        directory.addUser(account, password, "Test", local, Map.of("employeeID", newIdNat(), "mail", local + "@test.hc-broker.fr"));
        long recorded = refusalsRecorded();
        assertThat(admin.send("POST", REALM + "/user-storage/" + providerId + "/sync?action=triggerChangedUsersSync",
                Map.of())).isEqualTo(200);
        Browser browser = new Browser();
        Browser.Page form = loginForm(browser);
        Browser.Page refused = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", account, "password", password), u -> false);
        System.out.printf("AD entry sharing an account's email: HTTP %d%n%s%n", refused.status(), refused.document().text());
        assertThat(refused.document().getElementById("kc-otp-login-form")).isNull();
        assertThat(refused.document().getElementById("hc-enrol-form")).isNull();
        assertThat(refused.body()).doesNotContainIgnoringCase("exception");
        awaitRecorded(recorded + 1);

        JsonNode after = admin.get(REALM + "/users/" + before.path("id").asText());
        assertThat(after.path("username").asText()).isEqualTo(local);
        assertThat(after.path("federationLink").isMissingNode()).as("not joined to the directory").isTrue();
        assertThat(after.path("attributes").path("idnat_ps")).isEqualTo(before.path("attributes").path("idnat_ps"));
        assertThat(after.path("email").asText()).isEqualTo(before.path("email").asText());
        assertThat(stored(account)).as("the AD entry is not imported beside it").isFalse();
    }

    @Test
    @DisplayName("an AD entry sharing only the account name of an existing account is kept apart: nothing joined, the AD password opens nothing")
    void aSharedAccountNameJoinsNothing() throws Exception {
        String name = fresh("ad");
        String localIdNat = newIdNat();
        admin.createUser(name, "Local-" + UUID.randomUUID(), null, Map.of("idnat_ps", List.of(localIdNat)));
        JsonNode before = admin.get(REALM + "/users/" + admin.userId(name));

        String adIdNat = newIdNat();
        String password = "Ward-" + UUID.randomUUID().toString().substring(0, 8) + "-Pw";
        directory.addUser(name, password, "Other", "Person", Map.of("employeeID", adIdNat));
        assertThat(admin.send("POST", REALM + "/user-storage/" + providerId + "/sync?action=triggerChangedUsersSync",
                Map.of())).isEqualTo(200);
        Browser browser = new Browser();
        Browser.Page form = loginForm(browser);
        Browser.Page refused = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", password), u -> false);
        assertThat(refused.document().getElementById("kc-otp-login-form")).isNull();
        assertThat(refused.document().getElementById("hc-enrol-form")).isNull();
        assertThat(refused.form("kc-form-login")).isNotNull();

        JsonNode after = admin.get(REALM + "/users/" + before.path("id").asText());
        assertThat(after.path("federationLink").isMissingNode()).as("not joined to the directory").isTrue();
        assertThat(after.path("attributes").path("idnat_ps")).isEqualTo(before.path("attributes").path("idnat_ps"));
        assertThat(admin.get(REALM + "/users?briefRepresentation=true&q=idnat_ps:" + adIdNat)).as("the AD entry is not imported").isEmpty();
    }

    /** A Pro Santé Connect login (stand-in) of the realm's gateway client: the id of the account it logs in. */
    private static String pscLogin(DemoProfessional professional) throws Exception {
        OidcClient client = new OidcClient(stack, Stack.GATEWAY_CLIENT_ID, stack.gatewayClientSecret());
        Browser browser = new Browser();
        Browser.Page psc = browser.get(client.authorizationUrl(Map.of("kc_idp_hint", "pro-sante-connect")), client.isCallback());
        if (psc.status() == 401) {
            // Keycloak's Negotiate page, which posts itself back for a browser without a ticket.
            psc = browser.submit(psc, psc.form(null), Map.of(), client.isCallback());
        }
        assertThat(psc.uri().toString()).as(psc.body()).startsWith(PscStandIn.issuer(stack.keycloakUrl()));
        Browser.Page end = browser.submit(psc, Map.of("username", professional.idNat(), "password", professional.password()),
                client.isCallback());
        assertThat(client.issuedCode(end)).as("the PSC login ends with a code: %s", end.body()).isTrue();
        return client.idTokenClaims(browser, end.uri()).getSubject();
    }

    /** The three logins the benchmark compares, all through the gateway, each in a fresh browser. */
    private enum LoginKind {
        LOCAL("local account, password + TOTP"),
        DIRECTORY("AD account, AD password + TOTP"),
        KERBEROS("AD account, Kerberos ticket + TOTP");

        final String label;

        LoginKind(String label) {
            this.label = label;
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "hc.bench.directory", matches = "true")
    @DisplayName("benchmark (opt-in: -Dhc.bench.directory=true): Keycloak CPU per login, AD and Kerberos against a local account")
    void keycloakCpuPerLogin() throws Exception {
        int rounds = Integer.getInteger("hc.bench.rounds", 5);
        int block = Integer.getInteger("hc.bench.block", 10);
        int people = (rounds + 1) * block; // one more block of each kind: the warm-up
        Map<LoginKind, List<String[]>> accounts = new java.util.EnumMap<>(LoginKind.class);
        accounts.put(LoginKind.LOCAL, new java.util.ArrayList<>());
        accounts.put(LoginKind.DIRECTORY, new java.util.ArrayList<>());
        accounts.put(LoginKind.KERBEROS, new java.util.ArrayList<>());
        for (int i = 0; i < people; i++) {
            String local = fresh("bench");
            String seed = "bench-" + UUID.randomUUID();
            admin.createUser(local, "Pw-" + local, seed);
            accounts.get(LoginKind.LOCAL).add(new String[]{local, "Pw-" + local, seed});
            for (LoginKind kind : List.of(LoginKind.DIRECTORY, LoginKind.KERBEROS)) {
                Person person = Person.create(true);
                accounts.get(kind).add(new String[]{person.account(), person.password(), enrolAndLogIn(new Browser(), person)});
            }
        }
        awaitNextTotpStep(); // no code of the enrolments is used again

        ProcessHandle keycloak = ProcessHandle.of(stack.keycloak().pid()).orElseThrow();
        ProcessHandle samba = directory.process();
        Map<LoginKind, List<Double>> perLogin = new java.util.EnumMap<>(LoginKind.class);
        Map<LoginKind, List<Double>> directoryPerLogin = new java.util.EnumMap<>(LoginKind.class);
        Instant start = Instant.now();
        for (int round = 0; round <= rounds; round++) {
            List<LoginKind> order = new java.util.ArrayList<>(List.of(LoginKind.values()));
            java.util.Collections.rotate(order, round); // each kind goes first, second and last in turn
            for (LoginKind kind : order) {
                List<String[]> who = accounts.get(kind).subList(round * block, (round + 1) * block);
                List<KerberosDesktop> desktops = new java.util.ArrayList<>();
                if (kind == LoginKind.KERBEROS) {
                    for (String[] person : who) {
                        desktops.add(KerberosDesktop.loggedOn(directory, work, person[0], person[1]));
                    }
                }
                double before = cpuSeconds(keycloak);
                double directoryBefore = cpuSeconds(samba);
                for (int i = 0; i < block; i++) {
                    benchLogin(kind, who.get(i), kind == LoginKind.KERBEROS ? desktops.get(i) : null);
                }
                if (round > 0) {
                    perLogin.computeIfAbsent(kind, k -> new java.util.ArrayList<>()).add((cpuSeconds(keycloak) - before) * 1000 / block);
                    directoryPerLogin.computeIfAbsent(kind, k -> new java.util.ArrayList<>())
                            .add((cpuSeconds(samba) - directoryBefore) * 1000 / block);
                }
            }
        }
        Path report = Path.of("target", "bench", "directory-logins.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, benchReport(perLogin, directoryPerLogin, rounds, block, start));
        System.out.println(Files.readString(report));
        assertThat(perLogin.get(LoginKind.LOCAL)).hasSize(rounds);
    }

    /** One login of the benchmark, asserted to end at the app with the right person at eidas2. */
    private static void benchLogin(LoginKind kind, String[] person, KerberosDesktop desktop) throws Exception {
        String landed;
        if (kind == LoginKind.KERBEROS) {
            KerberosDesktop.Response otp = desktop.get(url("/echo"));
            Element form = otp.document().getElementById("kc-otp-login-form");
            assertThat(form).as(otp.body()).isNotNull();
            landed = desktop.post(form.absUrl("action"), Map.of("otp", Totp.now(person[2]))).body();
        } else {
            Browser browser = new Browser();
            Browser.Page form = loginForm(browser);
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", person[0], "password", person[1]), u -> false);
            landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(person[2])), u -> false).body();
        }
        JsonNode seen = JSON.readTree(landed);
        assertThat(seen.path("x-hc-user").asText()).isEqualTo(person[0]);
        assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
    }

    private static String benchReport(Map<LoginKind, List<Double>> perLogin, Map<LoginKind, List<Double>> directoryPerLogin,
                                      int rounds, int block, Instant start) {
        StringBuilder md = new StringBuilder("# Keycloak CPU per login: directory and Kerberos against a local account\n\n")
                .append(String.format("Run of %s: %d rounds of %d logins of each kind after a warm-up round, the kinds'"
                        + " order rotating each round; each login in a fresh browser through the gateway, the person"
                        + " reaching the app at eidas2. CPU is user + system time from /proc over each block, divided by"
                        + " its logins: Keycloak's, and the Samba domain controller's (LDAP binds and searches, Kerberos"
                        + " tickets: the work a directory login moves out of Keycloak).%n%n",
                        start.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), rounds, block))
                .append("| login | Keycloak CPU per login, mean of blocks | lowest – highest block | / local | domain controller CPU per login |\n")
                .append("|---|---|---|---|---|\n");
        double local = mean(perLogin.get(LoginKind.LOCAL));
        for (LoginKind kind : LoginKind.values()) {
            List<Double> blocks = perLogin.get(kind);
            md.append(String.format("| %s | %.1f ms | %.1f – %.1f ms | %.2f | %.1f ms |%n", kind.label, mean(blocks),
                    blocks.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    blocks.stream().mapToDouble(Double::doubleValue).max().orElseThrow(), mean(blocks) / local,
                    mean(directoryPerLogin.get(kind))));
        }
        return md.toString();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** User + system CPU seconds of a process and its children so far, from /proc (clock ticks of 1/100 s). */
    private static double cpuSeconds(ProcessHandle root) throws Exception {
        List<ProcessHandle> tree = new java.util.ArrayList<>(root.descendants().toList());
        tree.add(root);
        long ticks = 0;
        for (ProcessHandle process : tree) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            } catch (java.nio.file.NoSuchFileException exited) {
                continue; // a worker that just exited: nothing left to count
            }
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks / 100.0;
    }

    @Test
    @Order(Order.DEFAULT + 1) // changes the service's keys: after the other Kerberos logins
    @DisplayName("a garbage, replayed or foreign Negotiate token is refused and recorded, never a login; so is a ticket after the keys changed")
    void hostileNegotiateTokensAreRefused() throws Exception {
        Person nurse = Person.create(true);
        enrolAndLogIn(new Browser(), nurse);
        KerberosDesktop desktop = KerberosDesktop.loggedOn(directory, work, nurse.account(), nurse.password());
        // The token that logged the person in: curl's last. (An earlier one of the exchange never reached
        // the Kerberos step: unused, it is no replay, and Kerberos itself accepts it within its clock skew.)
        List<String> sent = desktop.get(url("/echo")).tokensSent();
        String used = sent.get(sent.size() - 1);
        byte[] noise = new byte[700];
        RANDOM.nextBytes(noise);
        // A ticket for another service of the domain: sealed with that service's keys, which Keycloak has not.
        String other = "other.hospital.test";
        directory.servicePrincipal(other, work.resolve("other-" + UUID.randomUUID() + ".keytab"));
        int kcPort = URI.create(stack.keycloakUrl()).getPort();
        URI authorize = new Browser().get(url("/echo"), u -> u.getPort() == kcPort).uri();
        String foreign = desktop.get(authorize.toString().replaceFirst("//localhost:", "//" + other + ":"),
                "--resolve", other + ":" + kcPort + ":127.0.0.1").tokensSent().stream().findFirst().orElseThrow();

        Map<String, String> hostile = new java.util.LinkedHashMap<>();
        hostile.put("replayed", "Negotiate " + used);
        hostile.put("another service's ticket", "Negotiate " + foreign);
        hostile.put("garbage", "Negotiate YIIBAAAAAAAA");
        hostile.put("random bytes", "Negotiate " + java.util.Base64.getEncoder().encodeToString(noise));
        hostile.put("not base64", "Negotiate %%%===");
        hostile.put("two tokens", "Negotiate " + used + " " + used);
        long before = refusalsRecorded();
        for (Map.Entry<String, String> attempt : hostile.entrySet()) {
            Browser browser = new Browser();
            Browser.Page toKeycloak = browser.get(url("/echo"), u -> u.getPort() == kcPort);
            HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(toKeycloak.uri())
                    .header("authorization", attempt.getValue()).header("accept", "text/html").build());
            assertRefused(attempt.getKey(), answer);
        }
        awaitRecorded(before + hostile.size());

        // The service account's keys change (a new password in AD) while Keycloak keeps the old keytab:
        // the person's new tickets cannot be read, and they are refused the same way.
        directory.setPassword(SambaDirectory.SPN_USER, "Rekeyed-" + UUID.randomUUID());
        KerberosDesktop fresh = KerberosDesktop.loggedOn(directory, work, nurse.account(), nurse.password());
        Browser browser = new Browser();
        Browser.Page toKeycloak = browser.get(url("/echo"), u -> u.getPort() == kcPort);
        KerberosDesktop.Response stale = fresh.get(toKeycloak.uri().toString());
        assertThat(stale.tokensSent()).isNotEmpty();
        assertThat(stale.document().getElementById("kc-otp-login-form")).as(stale.body()).isNull();
        assertThat(stale.document().getElementById("kc-form-login")).as("the password form instead").isNotNull();
        awaitRecorded(before + hostile.size() + 1);

        // What the admin guide says to do: export the new keys (Keycloak reads the keytab at each login).
        Files.delete(keytab);
        directory.exportKeytab(URI.create(stack.keycloakUrl()).getHost(), keytab);
        KerberosDesktop.Response again = fresh.get(url("/echo"));
        assertThat(again.document().getElementById("kc-otp-login-form")).as(again.body()).isNotNull();
    }

    @Test
    @Order(Order.DEFAULT + 2) // stops the domain controller: after every other test of the class
    @DisplayName("directory unreachable: the open session goes on past the cache and token lives; a new login gets a clear page and an audit record, no stack trace")
    void directoryUnreachable() throws Exception {
        Person nurse = Person.create(true);
        Browser open = new Browser();
        enrolAndLogIn(open, nurse);
        Person next = Person.create(true);
        enrolAndLogIn(new Browser(), next);
        long before = refusalsRecorded();
        directory.stop();
        try {
            // Past the cache's life and the access token's, the gateway refreshes: Keycloak cannot check the
            // account and answers "temporarily unavailable", and the open session goes on (docs/fr/annuaire.md §6).
            Instant until = Instant.now().plus(CACHE).plus(TOKEN).plusSeconds(10);
            int requests = 0;
            while (Instant.now().isBefore(until)) {
                assertThat(echo(open, "/echo").path("x-hc-user").asText()).isEqualTo(nurse.account());
                requests++;
                Thread.sleep(1000);
            }
            System.out.printf("directory down: the open session reached the app %d times over %d s%n", requests,
                    CACHE.plus(TOKEN).plusSeconds(10).toSeconds());

            Browser browser = new Browser();
            Browser.Page form = loginForm(browser);
            Browser.Page refused = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", next.account(), "password", next.password()), u -> false);
            System.out.printf("directory down, new login: HTTP %d%n%s%n", refused.status(), refused.document().text());
            assertThat(refused.document().getElementById("kc-otp-login-form")).isNull();
            assertThat(refused.body()).doesNotContainIgnoringCase("exception");
            assertThat(refused.document().text()).contains("annuaire de l'établissement ne répond pas");
            awaitRecorded(before + 1);
            assertThat(reasonsRecorded()).contains("directory_unavailable");
        } finally {
            directory.restart();
        }
        // The directory back: the next refresh succeeds and the session goes on.
        Instant until = Instant.now().plus(TOKEN).plusSeconds(35);
        while (Instant.now().isBefore(until)) {
            assertThat(echo(open, "/echo").path("x-hc-user").asText()).isEqualTo(nurse.account());
            Thread.sleep(2000);
        }
    }

    /** Refused: an error page, or the password form as for anyone without a ticket; never the second factor nor the app. */
    private static void assertRefused(String what, HttpResponse<String> answer) {
        assertThat(answer.headers().firstValue("location")).as(what).isEmpty();
        assertThat(answer.body()).as(what).doesNotContain("kc-otp-login-form").doesNotContain("hc-enrol-form");
        if (answer.statusCode() < 400) {
            assertThat(answer.body()).as("%s: %s", what, answer.body()).contains("kc-form-login");
        }
    }

    /** Keycloak's audit records of refused logins through this test's client. */
    private static long refusalsRecorded() throws Exception {
        long count = 0;
        for (Path file : AuditFiles.of(stack, "keycloak")) {
            for (String line : Files.readAllLines(file)) {
                JsonNode record = JSON.readTree(line);
                if (record.path("event").asText().equals("login_error") && CLIENT.equals(record.path("details").path("client").asText())) {
                    count++;
                }
            }
        }
        return count;
    }

    private static List<String> reasonsRecorded() throws Exception {
        List<String> reasons = new java.util.ArrayList<>();
        for (Path file : AuditFiles.of(stack, "keycloak")) {
            for (String line : Files.readAllLines(file)) {
                reasons.add(JSON.readTree(line).path("reason").asText());
            }
        }
        return reasons;
    }

    private static void awaitRecorded(long atLeast) throws Exception {
        Instant deadline = Instant.now().plusSeconds(5);
        while (refusalsRecorded() < atLeast && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertThat(refusalsRecorded()).as("refused logins recorded in Keycloak's audit trail").isGreaterThanOrEqualTo(atLeast);
    }

    /** Keycloak refuses a TOTP code twice: waits for the next 30-second step. */
    private static void awaitNextTotpStep() throws InterruptedException {
        Thread.sleep((30 - Instant.now().getEpochSecond() % 30 + 1) * 1000L);
    }

    /**
     * First login of a directory person: the admin imports them (a sync, as the periodic one would) and
     * opens their second-factor enrolment window; they log in with the AD password and enrol a TOTP.
     * Returns the TOTP seed.
     */
    private static String enrolAndLogIn(Browser browser, Person person) throws Exception {
        assertThat(admin.send("POST", REALM + "/user-storage/" + providerId + "/sync?action=triggerChangedUsersSync",
                Map.of())).isEqualTo(200);
        admin.openEnrolmentWindow(person.account(), Duration.ofMinutes(15));
        Browser.Page form = loginForm(browser);
        Browser.Page choice = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", person.account(), "password", person.password()), u -> false);
        Browser.Page setup = browser.submit(choice, choice.form("hc-enrol-form"), Map.of("method", "totp"), u -> false);
        String seed = setup.form("kc-totp-settings-form").selectFirst("input[name=totpSecret]").val();
        Browser.Page landed = browser.submit(setup, setup.form("kc-totp-settings-form"),
                Map.of("totp", Totp.now(seed), "userLabel", "phone"), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        return seed;
    }

    /**
     * Whether the realm holds an account of that name. The admin lookup asks the directory too, whose
     * refused import answers an error (Keycloak 26.7 says 400 "Cannot parse the JSON"): only a stored
     * account is found.
     */
    private static boolean stored(String account) {
        try {
            return !admin.get(REALM + "/users?exact=true&briefRepresentation=true&username=" + account).isEmpty();
        } catch (IllegalStateException refusedByTheDirectory) {
            assertThat(refusedByTheDirectory).hasMessageMatching("(?s).*: (400|500) .*");
            return false;
        }
    }

    /**
     * The login page as a browser without a Kerberos ticket reaches it: Keycloak first answers 401
     * "Negotiate" with a page that posts itself back (no browser prompt); the post gives the ordinary
     * login form.
     */
    private static Browser.Page loginForm(Browser browser) {
        Browser.Page challenge = browser.get(url("/echo"));
        assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
        assertThat(challenge.document().getElementById("kc-form-login")).isNull();
        Browser.Page form = browser.submit(challenge, challenge.form(null), Map.of(), u -> false);
        assertThat(form.status()).as(form.body()).isEqualTo(200);
        assertThat(form.document().getElementById("kc-form-login")).isNotNull();
        return form;
    }

    private static JsonNode echo(Browser browser, String path) throws Exception {
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url(path))).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Requests the app every 500 ms until the gateway sends the browser to log in again. */
    private static void awaitRefused(Browser browser, Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url("/echo"))).build());
            if (response.statusCode() != 200) {
                assertThat(response.statusCode()).isEqualTo(302);
                assertThat(response.headers().firstValue("location").orElseThrow())
                        .startsWith(stack.keycloakUrl() + "/realms/hospiconnect/");
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("still reaching the app " + within + " after the account was disabled in AD");
    }

    private static String url(String path) {
        return "http://localhost:" + port + path;
    }
}
