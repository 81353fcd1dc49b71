package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A shared clinical workstation in one Chromium profile: a nurse signed in through Pro Santé Connect
 * (the stand-in) leaves, a doctor sits down. "Changer d'utilisateur" ends the gateway's, Keycloak's
 * and PSC's sessions and shows a login that demands a new authentication; nothing of the first
 * person is left to the second. Screenshots under target/screenshots/switch-*.png.
 */
@ExtendWith({StackExtension.class, BrowserExtension.class})
@DisplayName("Change of user on a shared workstation, in a real Chromium")
class SwitchUserIT {

    private static final DemoProfessional NURSE = DemoProfessional.ALL.get(1);
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private static Stack stack;
    private static ChromeDriver browser;
    private static AdminApi admin;

    @BeforeAll
    static void setUp(Stack running, ChromeDriver driver) {
        stack = running;
        browser = driver;
        admin = new AdminApi(running);
    }

    @BeforeEach
    void freshProfile() {
        browser.executeCdpCommand("Network.clearBrowserCookies", Map.of());
        // Other classes sharing the stack log the nurse in too, at PSC and in the realm: counted here are
        // this test's sessions only.
        String id = admin.get("/admin/realms/esante-wallet/users?exact=true&username=" + NURSE.idNat()).get(0).path("id").asText();
        assertThat(admin.send("POST", "/admin/realms/esante-wallet/users/" + id + "/logout", Map.of())).isEqualTo(204);
        if (!admin.get("/admin/realms/hospiconnect/users?exact=true&username=" + NURSE.username()).isEmpty()) {
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(NURSE.username()) + "/logout",
                    Map.of())).isEqualTo(204);
        }
    }

    private static void waitFor(By element) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.presenceOfElementLocated(element));
    }

    private static void waitForUrl(String url) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlToBe(url));
    }

    private static String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    private static void signIn(String username, String password) {
        waitFor(By.id("username"));
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
    }

    /** The nurse signs in with the login page's Pro Santé Connect button (stand-in: e-CPS app, eidas2). */
    private static void nurseThroughProSanteConnect() {
        browser.get(stack.gatewayUrl() + "/");
        waitFor(By.cssSelector("a.hc-psc-button"));
        browser.findElement(By.cssSelector("a.hc-psc-button")).click();
        signIn(NURSE.idNat(), NURSE.password());
        waitForUrl(stack.gatewayUrl() + "/");
        assertThat(text()).contains(NURSE.username());
    }

    private static JsonNode standInSessions() {
        String id = admin.get("/admin/realms/esante-wallet/users?exact=true&username=" + NURSE.idNat()).get(0).path("id").asText();
        return admin.get("/admin/realms/esante-wallet/users/" + id + "/sessions");
    }

    private static JsonNode hospiconnectSessions(String username) {
        return admin.get("/admin/realms/hospiconnect/users/" + admin.userId(username) + "/sessions");
    }

    private static HttpResponse<String> echoWithCookie(String cookie) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                .header("cookie", "hc_session=" + cookie).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("A (through PSC) switches; B (password + TOTP) signs in; the app sees B only, A's cookie is refused,"
            + " Back shows nothing of A, PSC keeps no session for A")
    void theNextPersonFindsNothingOfThePrevious() throws Exception {
        nurseThroughProSanteConnect();
        browser.get(stack.gatewayUrl() + "/echo");
        assertThat(text()).contains(NURSE.username());
        String nurseCookie = browser.manage().getCookieNamed("hc_session").getValue();
        assertThat(standInSessions()).as("the nurse's PSC session").isNotEmpty();

        // The banner's and the app's links are plain GETs: they only ask.
        browser.get(stack.gatewayUrl() + "/.hc/switch");
        waitFor(By.id("hc-sign-out"));
        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("fr");
        assertThat(text()).contains("Changer d'utilisateur");
        BrowserExtension.screenshot(browser, "switch-confirmation-fr");
        assertThat(echoWithCookie(nurseCookie).statusCode()).as("a GET ended nothing").isEqualTo(200);

        browser.findElement(By.id("hc-sign-out")).click();
        // Gateway, then Keycloak, then PSC (RP-initiated, id_token_hint), then a login demanding a new authentication.
        waitFor(By.id("kc-login"));
        assertThat(browser.getCurrentUrl()).contains("/realms/hospiconnect/").contains("prompt=login");
        BrowserExtension.screenshot(browser, "switch-login-fr");
        assertThat(standInSessions()).as("PSC keeps no session for the nurse").isEmpty();
        assertThat(hospiconnectSessions(NURSE.username())).as("nor does Keycloak").isEmpty();
        assertThat(echoWithCookie(nurseCookie).statusCode()).as("the nurse's cookie, replayed, opens nothing").isEqualTo(302);

        String doctor = "sw-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(doctor, "Pw-" + doctor, totp);
        signIn(doctor, "Pw-" + doctor);
        waitFor(By.id("otp"));
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp));
        browser.findElement(By.id("kc-login")).click();
        waitForUrl(stack.gatewayUrl() + "/");
        assertThat(text()).contains(doctor).doesNotContain(NURSE.username()).doesNotContain(NURSE.idNat());
        BrowserExtension.screenshot(browser, "switch-next-person-fr");
        browser.get(stack.gatewayUrl() + "/echo");
        assertThat(text()).contains("x-hc-user").contains(doctor).doesNotContain(NURSE.username());

        // Back, through the whole history of the profile: none of the nurse's pages comes back, from any cache.
        for (int step = 0; step < 12; step++) {
            String before = browser.getCurrentUrl();
            browser.navigate().back();
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d ->
                    "complete".equals(((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.readyState")));
            assertThat(text()).as("Back, step %d: %s", step, browser.getCurrentUrl())
                    .doesNotContain(NURSE.username()).doesNotContain(NURSE.idNat());
            if (browser.getCurrentUrl().equals(before) && step > 0) {
                break;
            }
        }
        assertThat(standInSessions()).as("still no PSC session for the nurse").isEmpty();
    }

    @Test
    @DisplayName("a route with the banner: the person's name on top of the app's page, and its button switches user")
    void theBannerSwitchesUser() throws Exception {
        String person = "bn-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(person, "Pw-" + person, totp);
        browser.get(stack.gatewayUrl() + "/ward/");
        signIn(person, "Pw-" + person);
        waitFor(By.id("otp"));
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp));
        browser.findElement(By.id("kc-login")).click();
        waitForUrl(stack.gatewayUrl() + "/ward/");
        waitFor(By.id("hc-banner"));
        // The banner comes first in the page, and names the person as the app does.
        String shown = browser.findElement(By.cssSelector("#signed-in strong")).getText();
        assertThat(browser.findElement(By.cssSelector("body > :first-child")).getAttribute("id")).isEqualTo("hc-banner");
        assertThat(browser.findElement(By.id("hc-banner")).getText()).contains("Session de " + shown)
                .contains("Changer d'utilisateur", "Se déconnecter");
        BrowserExtension.screenshot(browser, "banner-fr");
        String cookie = browser.manage().getCookieNamed("hc_session").getValue();

        browser.findElement(By.id("hc-banner-switch")).click();
        waitFor(By.id("kc-login"));
        assertThat(browser.getCurrentUrl()).contains("/realms/hospiconnect/").contains("prompt=login");
        assertThat(hospiconnectSessions(person)).as("Keycloak keeps no session").isEmpty();
        assertThat(echoWithCookie(cookie).statusCode()).as("the old cookie, replayed, opens nothing").isEqualTo(302);
        browser.navigate().back();
        assertThat(text()).as("Back shows nothing of the page").doesNotContain(shown);
    }

    @Test
    @DisplayName("a cross-site GET or a POST without the confirmation's token ends no session")
    void noOtherPageCanEndTheSession() throws Exception {
        nurseThroughProSanteConnect();
        String cookie = browser.manage().getCookieNamed("hc_session").getValue();
        for (String path : List.of("/.hc/logout", "/.hc/switch")) {
            HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                    .header("cookie", "hc_session=" + cookie).header("sec-fetch-site", "cross-site").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as("GET %s: a confirmation page", path).isEqualTo(200);
            for (String body : List.of("", "token=", "token=" + cookie, "token=forged")) {
                HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                        .header("cookie", "hc_session=" + cookie).header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(post.statusCode()).as("POST %s with '%s'", path, body).isEqualTo(403);
            }
            assertThat(echoWithCookie(cookie).statusCode()).as("after %s, the session lives", path).isEqualTo(200);
        }
        assertThat(standInSessions()).isNotEmpty();

        // The gateway's own logout button: the confirmation page, then its button.
        browser.get(stack.gatewayUrl() + "/.hc/logout");
        waitFor(By.id("hc-sign-out"));
        browser.findElement(By.id("hc-sign-out")).click();
        // Keycloak's and PSC's sessions ended on the way, the gateway's "you are logged out" page.
        waitFor(By.cssSelector("a[href='/.hc/login']"));
        assertThat(browser.getCurrentUrl()).isEqualTo(stack.gatewayUrl() + "/.hc/logged-out");
        Cookie left = browser.manage().getCookieNamed("hc_session");
        assertThat(left == null ? null : left.getValue()).isNotEqualTo(cookie);
        assertThat(echoWithCookie(cookie).statusCode()).isEqualTo(302);
        assertThat(standInSessions()).as("an explicit logout ends the PSC session too").isEmpty();
    }
}
