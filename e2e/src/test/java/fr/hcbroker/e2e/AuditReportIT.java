package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.e2e.browser.Axe;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code audit report} over the real stack's trails after scripted logins: the CLI jar verifies the
 * gateway's and Keycloak's files, its figures match the records on disk, and the HTML is looked at
 * in Chromium (French and English, screenshots under target/screenshots/, no serious axe violation).
 */
@ExtendWith({StackExtension.class, BrowserExtension.class})
@DisplayName("The compliance report over the real stack's trails")
class AuditReportIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;
    private static ChromeDriver chromium;
    private static final List<String> people = new ArrayList<>();
    private static LocalDate today;

    /** Two people log in with password + TOTP through the gateway and open the demo app twice each. */
    @BeforeAll
    static void scriptedLogins(Stack running, ChromeDriver driver) throws Exception {
        stack = running;
        chromium = driver;
        AdminApi admin = new AdminApi(running);
        today = LocalDate.now(ZoneOffset.UTC);
        for (int i = 0; i < 2; i++) {
            String name = "rep-" + UUID.randomUUID().toString().substring(0, 8);
            String seed = "totp-" + UUID.randomUUID();
            admin.createUser(name, "Pw-" + name, seed);
            Browser browser = new Browser();
            Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", name, "password", "Pw-" + name), u -> false);
            Browser.Page echo = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(seed)), u -> false);
            assertThat(echo.status()).isEqualTo(200);
            assertThat(browser.get(stack.gatewayUrl() + "/echo").status()).isEqualTo(200);
            people.add(name);
        }
        // Allowed requests are group-committed and signed within a second: wait until both trails verify.
        assertThat(AuditFiles.verify(AuditFiles.of(stack, "gateway"))).startsWith("OK");
        assertThat(AuditFiles.verify(AuditFiles.of(stack, "keycloak"))).startsWith("OK");
    }

    private static String report(String format, String lang, Path output) throws Exception {
        List<String> args = new ArrayList<>(List.of("report", "--from", today.toString(), "--to", today.toString(),
                "--format", format, "--lang", lang, "--output", output.toString()));
        AuditFiles.of(stack, "gateway").forEach(f -> args.add(f.toString()));
        AuditFiles.of(stack, "keycloak").forEach(f -> args.add(f.toString()));
        return AuditFiles.cli(args);
    }

    /** The same figure counted straight from the records on disk, independently of the report's code. */
    private static long onDisk(String source, java.util.function.Predicate<JsonNode> match) throws Exception {
        long n = 0;
        for (Path file : AuditFiles.of(stack, source)) {
            for (String line : Files.readAllLines(file)) {
                JsonNode r = JSON.readTree(line);
                if (r.path("ts").asText().startsWith(today.toString()) && match.test(r)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void verifiesBothTrailsAndCountsWhatTheyHold() throws Exception {
        Path out = Files.createTempDirectory("hc-report-").resolve("report.json");
        String stderr = report("json", "fr", out);
        JsonNode report = JSON.readTree(out.toFile());
        assertThat(report.path("intact").asBoolean()).as(stderr).isTrue();
        assertThat(report.path("files")).isNotEmpty().allSatisfy(f -> assertThat(f.path("status").asText())
                .isIn("verified", "not_yet_proven"));
        JsonNode demo = null;
        JsonNode gatewayClient = null;
        for (JsonNode app : report.path("apps")) {
            if (app.path("kind").asText().equals("route") && app.path("app").asText().equals("demo-app")) {
                demo = app;
            }
            if (app.path("kind").asText().equals("client") && app.path("app").asText().equals("hc-gateway")) {
                gatewayClient = app;
            }
        }
        assertThat(demo).as(report.path("apps").toString()).isNotNull();
        assertThat(gatewayClient).isNotNull();
        assertThat(demo.path("accesses").asLong()).isEqualTo(onDisk("gateway", r -> r.path("event").asText().equals("access")
                && r.path("outcome").asText().equals("allow") && r.path("route").asText().equals("demo-app")))
                .isGreaterThanOrEqualTo(4);
        assertThat(gatewayClient.path("accesses").asLong()).isEqualTo(onDisk("keycloak", r -> r.path("event").asText().equals("login")
                && r.path("outcome").asText().equals("success") && r.path("details").path("client").asText().equals("hc-gateway")));
        assertThat(gatewayClient.at("/byMeans/password_totp/people").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(gatewayClient.at("/byLevel/eidas2/people").asInt()).isGreaterThanOrEqualTo(2);
        // Other classes share the stack (EmergencyIT may have run): the report counts what the trail holds.
        assertThat(report.at("/emergency/accesses").asLong()).isEqualTo(onDisk("keycloak",
                r -> r.path("event").asText().equals("emergency_access") && r.path("outcome").asText().equals("success")));
        assertThat(report.at("/people/passwordAlone").toString()).doesNotContain(people.get(0), people.get(1));
        assertThat(report.path("weeklyTrend")).hasSize(1);
    }

    @Test
    void theHtmlReadsInChromiumInFrenchAndEnglishAndLoadsNothing() throws Exception {
        Path dir = Files.createTempDirectory("hc-report-");
        for (String lang : List.of("fr", "en")) {
            Path html = dir.resolve("report-" + lang + ".html");
            report("html", lang, html);
            chromium.get(html.toUri().toString());
            assertThat(chromium.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo(lang);
            assertThat(chromium.findElement(By.id("integrity")).getAttribute("class")).isEqualTo("ok");
            assertThat(chromium.findElement(By.id("apps")).getText()).contains("demo-app", "hc-gateway");
            assertThat(chromium.findElements(By.cssSelector("svg rect"))).isNotEmpty();
            Object external = chromium.executeScript("return performance.getEntriesByType('resource').length");
            assertThat(((Number) external).intValue()).as("resources loaded").isZero();
            assertThat(Axe.seriousViolations(chromium)).as("serious axe violations, " + lang).isEmpty();
            BrowserExtension.screenshot(chromium, "audit-report-" + lang);
        }
        assertThat(Files.readString(dir.resolve("report-fr.html"))).contains("Rapport de conformité");
    }

    /** A fresh browser profile opens {@code path} at the gateway and logs in with password and TOTP. */
    private static void logIn(String path, String user, String seed) {
        chromium.executeCdpCommand("Network.clearBrowserCookies", Map.of());
        chromium.get(stack.gatewayUrl() + path);
        WebDriverWait wait = new WebDriverWait(chromium, java.time.Duration.ofSeconds(30));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        chromium.findElement(By.id("username")).sendKeys(user);
        chromium.findElement(By.id("password")).sendKeys("Pw-" + user);
        chromium.findElement(By.id("kc-login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("otp")));
        chromium.findElement(By.id("otp")).sendKeys(Totp.now(seed));
        chromium.findElement(By.id("kc-login")).click();
    }

    @Test
    void theItAdminReadsItThroughTheGateway() throws Exception {
        AdminApi admin = new AdminApi(stack);
        String itAdmin = "dsi-" + UUID.randomUUID().toString().substring(0, 8);
        String seed = "totp-" + UUID.randomUUID();
        admin.createUser(itAdmin, "Pw-" + itAdmin, seed);
        JsonNode role = admin.get("/admin/realms/hospiconnect/roles/hc-it-admin");
        assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(itAdmin) + "/role-mappings/realm",
                List.of(role))).isEqualTo(204);
        WebDriverWait wait = new WebDriverWait(chromium, java.time.Duration.ofSeconds(30));
        logIn("/.hc/compliance?from=" + today + "&to=" + today, itAdmin, seed);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("integrity")));
        assertThat(chromium.getCurrentUrl()).startsWith(stack.gatewayUrl() + "/.hc/compliance");
        assertThat(chromium.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("fr");
        assertThat(chromium.findElement(By.id("integrity")).getAttribute("class")).isEqualTo("ok");
        assertThat(chromium.findElement(By.id("apps")).getText()).contains("demo-app", "hc-gateway");
        assertThat(chromium.findElements(By.cssSelector("svg rect"))).isNotEmpty();
        assertThat(Axe.seriousViolations(chromium)).as("serious axe violations").isEmpty();
        BrowserExtension.screenshot(chromium, "compliance-page-fr");

        // Anyone else at the same browser, the security officer's role included, gets the refusal page.
        String nurse = "rep-" + UUID.randomUUID().toString().substring(0, 8);
        String nurseSeed = "totp-" + UUID.randomUUID();
        admin.createUser(nurse, "Pw-" + nurse, nurseSeed);
        logIn("/.hc/compliance", nurse, nurseSeed);
        wait.until(d -> d.getCurrentUrl().startsWith(stack.gatewayUrl() + "/.hc/compliance")
                && d.findElement(By.tagName("h1")).getText().contains("Accès refusé"));
        assertThat(chromium.findElements(By.id("integrity"))).isEmpty();
        BrowserExtension.screenshot(chromium, "compliance-page-refused-fr");
    }
}
