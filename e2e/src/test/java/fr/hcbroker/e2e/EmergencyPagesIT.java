package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fr.hcbroker.e2e.browser.Axe;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Totp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The emergency-access pages walked as a person does, in a real Chromium, French and English. */
@ExtendWith({StackExtension.class, BrowserExtension.class})
@DisplayName("Emergency access pages in a real Chromium")
class EmergencyPagesIT {

    private static Stack stack;
    private static ChromeDriver browser;
    private static AdminApi admin;

    @BeforeAll
    static void setUp(Stack running, ChromeDriver driver) {
        stack = running;
        browser = driver;
        admin = new AdminApi(running);
        EmergencyIT.enable(running, admin, 0);
    }

    @AfterAll
    static void tearDown() {
        EmergencyIT.stopGateway();
    }

    @BeforeEach
    void freshBrowser() {
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    private static void waitFor(By element) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(element));
    }

    private static void reviewPage(String name, String lang) throws Exception {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d ->
                "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo(lang);
        assertThat(Axe.seriousViolations(browser)).as("serious or critical axe violations on %s", name).isEmpty();
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(loaded).allMatch(url -> List.of("localhost", "127.0.0.1").contains(URI.create(url).getHost()));
        BrowserExtension.screenshot(browser, name + "-" + lang);
    }

    @ParameterizedTest(name = "in {0}")
    @ValueSource(strings = {"fr", "en"})
    @DisplayName("password, the emergency page, a reason and words; then another app refuses the session")
    void walk(String lang) throws Exception {
        String user = "urg-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createUser(user, "Pw-" + user, null);
        // The redirect on a public path: a protected one would send Chromium on to a gateway login at once.
        OidcClient app = new OidcClient(stack, stack.keycloakUrl(), EmergencyIT.CLIENT, EmergencyIT.SECRET, "/public/test-callback");
        browser.get(app.authorizationUrl(Map.of("ui_locales", lang)));
        waitFor(By.id("username"));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys("Pw-" + user);
        browser.findElement(By.id("kc-login")).click();
        waitFor(By.id("hc-emergency-form"));
        reviewPage("emergency", lang);
        String body = browser.findElement(By.tagName("body")).getText();
        assertThat(body).contains("fr".equals(lang) ? "Accès d'urgence (bris de glace)" : "Emergency access (break-glass)",
                "Urgence vitale", "Continuité des soins");
        browser.findElement(By.id("hc-emergency-reason-continuite-des-soins")).click();
        browser.findElement(By.id("hc-emergency-note")).sendKeys("Patient transféré, carte oubliée");
        browser.findElement(By.id("hc-emergency-open")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .withMessage(() -> "still at " + browser.getCurrentUrl() + ": " + browser.findElement(By.tagName("body")).getText())
                .until(d -> d.getCurrentUrl().startsWith(stack.gatewayUrl()));
        assertThat(OidcClient.query(URI.create(browser.getCurrentUrl()))).containsKey("code");

        OidcClient other = new OidcClient(stack, "hc-gateway", stack.gatewayClientSecret());
        browser.get(other.authorizationUrl(Map.of("ui_locales", lang)));
        waitFor(By.id("hc-emergency-refused"));
        reviewPage("emergency-refused", lang);
        assertThat(browser.findElement(By.id("hc-emergency-refusal")).getText()).isEqualTo("fr".equals(lang)
                ? "Cette application n'accepte pas les accès d'urgence. Utilisez votre second facteur ou votre carte CPS, "
                + "ou passez par une application prévue pour l'urgence."
                : "This application does not accept emergency access. Use your second factor or your CPS card, "
                + "or go through an application meant for emergencies.");
    }

    @Test
    @DisplayName("through the gateway, in French: the app shows the emergency headers, another app's route shows the gateway's refusal page; the security officer reviews the access")
    void walkThroughTheGateway() throws Exception {
        String base = EmergencyIT.gateway();
        String user = "urg-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createUser(user, "Pw-" + user, null);
        browser.get(base + "/dpi/echo");
        waitFor(By.id("username"));
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys("Pw-" + user);
        browser.findElement(By.id("kc-login")).click();
        waitFor(By.id("hc-emergency-form"));
        browser.findElement(By.id("hc-emergency-reason-urgence-vitale")).click();
        browser.findElement(By.id("hc-emergency-open")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().equals(base + "/dpi/echo"));
        // The demo app's echo is pretty-printed JSON: compared without white space.
        String echo = browser.findElement(By.tagName("body")).getText().replaceAll("\\s", "");
        assertThat(echo).contains("\"x-hc-emergency\":\"true\"", "\"x-hc-emergency-reason\":\"urgence-vitale\"",
                "\"x-hc-loa\":\"eidas1\"", user);

        browser.get(base + "/echo");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d ->
                "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
        reviewPage("gateway-emergency-refused", "fr");
        assertThat(browser.getTitle() + " " + browser.findElement(By.tagName("body")).getText())
                .contains("Accès d'urgence non accepté", "Cette application n'accepte pas les accès d'urgence (bris de glace).")
                .doesNotContain("x-hc-user");

        // The security officer sits down, opens the review page, and marks the access justified.
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
        String officer = "rssi-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(officer, "Pw-" + officer, totp);
        JsonNode role = admin.get("/admin/realms/hospiconnect/roles/hc-security-officer");
        assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(officer) + "/role-mappings/realm",
                List.of(role))).isEqualTo(204);
        browser.get(base + "/.hc/emergencies");
        waitFor(By.id("username"));
        browser.findElement(By.id("username")).sendKeys(officer);
        browser.findElement(By.id("password")).sendKeys("Pw-" + officer);
        browser.findElement(By.id("kc-login")).click();
        waitFor(By.id("otp"));
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp));
        browser.findElement(By.id("kc-login")).click();
        waitFor(By.id("hc-emergencies"));
        reviewPage("emergency-review", "fr");
        WebElement row = browser.findElements(By.cssSelector("#hc-emergencies tbody tr")).stream()
                .filter(r -> r.getText().contains(user)).findFirst().orElseThrow();
        assertThat(row.getText()).contains("urgence-vitale", "route:emergency-dpi", "à revoir");
        String session = row.getAttribute("data-session");
        new org.openqa.selenium.support.ui.Select(row.findElement(By.name("verdict"))).selectByValue("justified");
        row.findElement(By.name("comment")).sendKeys("Arrêt cardiaque, exercice");
        row.findElement(By.tagName("button")).click();
        // The form's post reloads the page under the wait: a cell read as it goes is stale, not an answer.
        new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector(
                "#hc-emergencies tr[data-session='" + session + "'] .hc-status")).stream()
                .anyMatch(cell -> cell.getText().startsWith("justifié")));
        assertThat(browser.findElement(By.cssSelector("#hc-emergencies tr[data-session='" + session + "'] .hc-status"))
                .getText()).isEqualTo("justifié (" + officer + ") : Arrêt cardiaque, exercice");
        reviewPage("emergency-review-recorded", "fr");

        // The verdict is an audit record: the CLI lists it too.
        List<String> trails = new java.util.ArrayList<>(List.of("emergencies"));
        AuditFiles.of(stack, "keycloak").forEach(f -> trails.add(f.toString()));
        try (var files = java.nio.file.Files.list(EmergencyIT.gatewayAudit())) {
            files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).forEach(f -> trails.add(f.toString()));
        }
        assertThat(AuditFiles.cli(trails).lines().filter(l -> l.contains("\t" + session + "\t")).toList()).singleElement()
                .asString().endsWith("\tjustified\tArrêt cardiaque, exercice\t" + officer);
    }
}
