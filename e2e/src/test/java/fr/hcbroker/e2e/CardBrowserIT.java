package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.e2e.browser.CardChromium;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.StackPorts;
import fr.hcbroker.stack.StackSettings;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.pki.TestCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The CPS card in a real Chromium, through the demo's one public URL for people: a stack set up as
 * {@code ./hc-demo} sets it up (Keycloak's hostname is the card proxy's https URL, the gateway's
 * issuer too, the gateway calling Keycloak's http port as its back channel), on free ports. Each
 * browser has its own NSS database trusting the test server CA (no certificate error is ignored)
 * and holding at most one demo card, chosen by policy without a prompt. Screenshots go to
 * target/screenshots/card-*.png.
 *
 * <p>This class starts a Keycloak of its own: the shared stack of the other classes lets Keycloak
 * name itself after the URL each request came to, which they rely on.
 */
@DisplayName("The CPS card in a real Chromium, through the https public URL")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CardBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DemoProfessional DOCTOR = DemoProfessional.ALL.get(0);
    private static final DemoProfessional NURSE = DemoProfessional.ALL.get(1);
    private static final DemoProfessional PHARMACIST = DemoProfessional.ALL.get(2);

    private static Stack stack;
    private static CardChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Path work = Path.of(System.getProperty("hc.work")).resolveSibling("e2e-card-stack");
        deleteTree(work);
        stack = new Stack(new StackSettings(Path.of(System.getProperty("hc.keycloak.dist")),
                Path.of(System.getProperty("hc.realms")), work,
                Optional.of(Path.of(System.getProperty("hc.gateway.jar"))), StackPorts.free(), "admin", "admin-e2e",
                true));
        try {
            stack.start();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        chromium = CardChromium.forCardProxy(stack.keycloakHttpsUrl(), stack.serverCaPem(), work.resolve("browsers"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("a card in the browser logs in through the gateway at eidas3 before any form")
    void cardAtTheFirstConnection() throws Exception {
        TestCard card = stack.cards().pki().card(DOCTOR.username());
        ChromeDriver browser = chromium.browser("card-doctor", card);
        browser.get(stack.gatewayUrl() + "/");
        awaitUrl(browser, stack.gatewayUrl() + "/");
        BrowserExtension.screenshot(browser, "card-login-eidas3-demo-app");

        JsonNode headers = echo(browser, "/echo");
        assertThat(headers.path("x-hc-user").asText()).isEqualTo(DOCTOR.username());
        assertThat(headers.path("x-hc-idnat").asText()).isEqualTo(DOCTOR.idNat());
        assertThat(headers.path("x-hc-loa").asText()).isEqualTo("eidas3");
        assertThat(headers.path("x-hc-amr").asText()).contains("sc").doesNotContain("pwd");
        // Keycloak saw this very card, through the card proxy.
        String serial = card.certificate().getSerialNumber().toString(16);
        JsonNode login = awaitKeycloakRecord(r -> r.path("event").asText().equals("login")
                && r.path("details").path("cert_serial").asText().equals(serial));
        assertThat(login.path("loa").asText()).isEqualTo("eidas3");

        // The level-3 route needs nothing more.
        browser.get(stack.gatewayUrl() + "/high/echo");
        assertThat(JSON.readTree(browser.findElement(By.tagName("body")).getText()).path("x-hc-loa").asText())
                .isEqualTo("eidas3");
    }

    @Test
    @Order(2)
    @DisplayName("without a card: the ordinary choices at the https URL with no certificate error, then password and TOTP")
    void withoutACard() throws Exception {
        ChromeDriver browser = chromium.browser("no-card", null);
        browser.get(stack.gatewayUrl() + "/");
        waitFor(browser, By.id("username"));
        assertThat(browser.getCurrentUrl()).startsWith(stack.keycloakHttpsUrl() + "/realms/hospiconnect/");
        // The choices: password, Pro Santé Connect, the card (Chromium would show its interstitial
        // instead of the page had the certificate not been trusted).
        assertThat(browser.getPageSource()).contains("kc-form-login").contains("pro-sante-connect");
        BrowserExtension.screenshot(browser, "card-none-login-choices");

        passwordAndTotp(browser, NURSE);
        awaitUrl(browser, stack.gatewayUrl() + "/");
        BrowserExtension.screenshot(browser, "card-none-password-totp-demo-app");
        JsonNode headers = echo(browser, "/echo");
        assertThat(headers.path("x-hc-user").asText()).isEqualTo(NURSE.username());
        assertThat(headers.path("x-hc-loa").asText()).isEqualTo("eidas2");
        assertThat(headers.path("x-hc-amr").asText()).contains("pwd").contains("otp");
    }

    @Test
    @Order(3)
    @DisplayName("an eidas2 session steps up on /high with the card alone")
    void stepUpWithTheCard() throws Exception {
        ChromeDriver withoutCard = chromium.browser("step-up-before-card", null);
        withoutCard.get(stack.gatewayUrl() + "/");
        waitFor(withoutCard, By.id("username"));
        passwordAndTotp(withoutCard, PHARMACIST);
        awaitUrl(withoutCard, stack.gatewayUrl() + "/");
        assertThat(echo(withoutCard, "/echo").path("x-hc-loa").asText()).isEqualTo("eidas2");

        // /high without the card: Keycloak asks for it, and for nothing else.
        withoutCard.get(stack.gatewayUrl() + "/high/");
        waitFor(withoutCard, By.id("hc-cps-card-required"));
        assertThat(withoutCard.findElements(By.id("password"))).isEmpty();
        BrowserExtension.screenshot(withoutCard, "card-step-up-card-required");

        // The card goes in. Chromium takes a new card in its store only when the OS tells it (a reader
        // event); here the same session continues in a browser that holds the card: its cookies move over.
        ChromeDriver withCard = chromium.browser("step-up-with-card", stack.cards().pki().card(PHARMACIST.username()));
        moveCookies(withoutCard, withCard);
        withCard.get(stack.gatewayUrl() + "/high/");
        awaitUrl(withCard, stack.gatewayUrl() + "/high/");
        BrowserExtension.screenshot(withCard, "card-step-up-eidas3-demo-app");
        JsonNode headers = echo(withCard, "/high/echo");
        assertThat(headers.path("x-hc-user").asText()).isEqualTo(PHARMACIST.username());
        assertThat(headers.path("x-hc-loa").asText()).isEqualTo("eidas3");
        assertThat(headers.path("x-hc-amr").asText()).as("the password's and the card's methods").contains("pwd", "sc");
    }

    @Test
    @Order(4)
    @DisplayName("a revoked card gets its own refusal page")
    void revokedCard() throws Exception {
        TestCard card = stack.cards().pki().card("revoked");
        ChromeDriver browser = chromium.browser("card-revoked", card);
        try {
            browser.get(stack.gatewayUrl() + "/");
            waitFor(browser, By.id("hc-cps-card-refused"));
            assertThat(browser.getCurrentUrl()).startsWith(stack.keycloakHttpsUrl() + "/realms/hospiconnect/");
            assertThat(browser.getPageSource()).contains("révoquée");
            BrowserExtension.screenshot(browser, "card-refused-revoked");
            // The other ways in, with the card still in the reader: the password form, not the refusal again.
            browser.findElement(By.id("hc-cps-other-ways")).click();
            waitFor(browser, By.id("kc-form-login"));
            assertThat(browser.findElements(By.id("hc-cps-card-refused"))).isEmpty();
            BrowserExtension.screenshot(browser, "card-refused-revoked-other-ways");
            String serial = card.certificate().getSerialNumber().toString(16);
            JsonNode refusal = awaitKeycloakRecord(r -> r.path("details").path("cert_serial").asText().equals(serial));
            assertThat(refusal.path("outcome").asText()).isEqualTo("failure");
            assertThat(refusal.path("reason").asText()).isEqualTo("cps_certificate_revoked");
        } finally {
            // The revoked card is the doctor's: its failure must not count towards locking the doctor out.
            AdminApi admin = new AdminApi(stack);
            admin.send("DELETE", "/admin/realms/hospiconnect/attack-detection/brute-force/users/"
                    + admin.userId(DOCTOR.username()), Map.of());
        }
    }

    /**
     * Chromium never offers a certificate outside its validity period (its certificate store leaves
     * it out), so an expired card in the reader is, to the server, no card at all: the person gets the
     * ordinary choices, with no TLS error. The expired card's own page is for browsers that do send it
     * ({@code CpsCardIT} sends it through the card proxy).
     */
    @Test
    @Order(5)
    @DisplayName("an expired card is not offered by Chromium: the ordinary choices come, with no TLS error")
    void expiredCard() throws Exception {
        TestCard card = stack.cards().pki().card("expired");
        ChromeDriver browser = chromium.browser("card-expired", card);
        browser.get(stack.gatewayUrl() + "/");
        waitFor(browser, By.id("username"));
        assertThat(browser.getCurrentUrl()).startsWith(stack.keycloakHttpsUrl() + "/realms/hospiconnect/");
        assertThat(browser.getPageSource()).contains("kc-form-login").contains("pro-sante-connect");
        BrowserExtension.screenshot(browser, "card-expired-not-offered-login-choices");
        String serial = card.certificate().getSerialNumber().toString(16);
        assertThat(keycloakRecords(r -> r.path("details").path("cert_serial").asText().equals(serial)))
                .as("Keycloak never saw the expired card").isEmpty();
    }

    @Test
    @Order(6)
    @DisplayName("Pro Santé Connect (the stand-in, behind the same public URL) logs in through the gateway")
    void proSanteConnect() throws Exception {
        ChromeDriver browser = chromium.browser("psc", null);
        browser.get(stack.gatewayUrl() + "/");
        waitFor(browser, By.cssSelector("a.hc-psc-button"));
        browser.findElement(By.cssSelector("a.hc-psc-button")).click();
        waitFor(browser, By.id("username"));
        assertThat(browser.getCurrentUrl()).startsWith(stack.keycloakHttpsUrl() + "/realms/esante-wallet/");
        browser.findElement(By.id("username")).sendKeys(NURSE.idNat());
        browser.findElement(By.id("password")).sendKeys(NURSE.password());
        browser.findElement(By.id("kc-login")).click();
        awaitUrl(browser, stack.gatewayUrl() + "/");
        BrowserExtension.screenshot(browser, "card-none-psc-demo-app");
        JsonNode headers = echo(browser, "/echo");
        assertThat(headers.path("x-hc-user").asText()).isEqualTo(NURSE.username());
        assertThat(headers.path("x-hc-loa").asText()).as("the stand-in's MOBILE login").isEqualTo("eidas2");
    }

    private static void passwordAndTotp(ChromeDriver browser, DemoProfessional person) throws Exception {
        browser.findElement(By.id("username")).sendKeys(person.username());
        browser.findElement(By.id("password")).sendKeys(person.password());
        browser.findElement(By.id("kc-login")).click();
        waitFor(browser, By.id("otp"));
        BrowserExtension.screenshot(browser, "card-none-second-factor-" + person.username());
        browser.findElement(By.id("otp")).sendKeys(Totp.now(person.totpSecret()));
        browser.findElement(By.id("kc-login")).click();
    }

    /** Every cookie of the first browser, every site, set in the second. */
    @SuppressWarnings("unchecked")
    private static void moveCookies(ChromeDriver from, ChromeDriver to) {
        List<Map<String, Object>> cookies = (List<Map<String, Object>>) from.executeCdpCommand(
                "Network.getAllCookies", Map.of()).get("cookies");
        List<Map<String, Object>> copies = new ArrayList<>();
        for (Map<String, Object> cookie : cookies) {
            Map<String, Object> copy = new java.util.HashMap<>();
            for (String field : List.of("name", "value", "domain", "path", "secure", "httpOnly", "sameSite")) {
                if (cookie.get(field) != null) {
                    copy.put(field, cookie.get(field));
                }
            }
            if (!Boolean.TRUE.equals(cookie.get("session")) && cookie.get("expires") != null) {
                copy.put("expires", cookie.get("expires"));
            }
            copies.add(copy);
        }
        assertThat(copies).as("the session's cookies").isNotEmpty();
        to.executeCdpCommand("Network.setCookies", Map.of("cookies", copies));
    }

    private static JsonNode echo(ChromeDriver browser, String path) throws Exception {
        browser.get(stack.gatewayUrl() + path);
        return JSON.readTree(browser.findElement(By.tagName("body")).getText());
    }

    private static void awaitUrl(ChromeDriver browser, String url) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlToBe(url));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("still at " + browser.getCurrentUrl() + ": "
                    + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    private static void waitFor(ChromeDriver browser, By element) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(element));
        } catch (org.openqa.selenium.TimeoutException e) {
            try {
                BrowserExtension.screenshot(browser, "card-failed-waiting-for-" + element.toString().replaceAll("\\W+", "-"));
            } catch (java.io.IOException ignored) {
                // the assertion below says what went wrong
            }
            throw new AssertionError("no " + element + " at " + browser.getCurrentUrl() + ": "
                    + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    private static JsonNode awaitKeycloakRecord(Predicate<JsonNode> match) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            List<JsonNode> found = keycloakRecords(match);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            assertThat(System.currentTimeMillis()).as("a matching Keycloak audit record").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static List<JsonNode> keycloakRecords(Predicate<JsonNode> match) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (Path file : AuditFiles.of(stack, "keycloak")) {
            for (String line : Files.readAllLines(file)) {
                JsonNode record = JSON.readTree(line);
                if (match.test(record)) {
                    found.add(record);
                }
            }
        }
        return found;
    }

    private static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
