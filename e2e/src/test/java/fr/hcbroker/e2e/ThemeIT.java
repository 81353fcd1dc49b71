package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.stack.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

@ExtendWith({StackExtension.class, BrowserExtension.class})
@DisplayName("hospiconnect login theme in a real Chromium")
class ThemeIT {

    private static Stack stack;
    private static ChromeDriver browser;

    @BeforeAll
    static void setUp(Stack running, ChromeDriver driver) {
        stack = running;
        browser = driver;
    }

    private static String loginUrl(String locale) {
        return stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/auth?client_id=account-console"
                + "&response_type=code&scope=openid"
                // The realm requires PKCE; the RFC 7636 example challenge is enough to render the page.
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&redirect_uri="
                + java.net.URLEncoder.encode(stack.keycloakUrl() + "/realms/hospiconnect/account/", java.nio.charset.StandardCharsets.UTF_8)
                + (locale == null ? "" : "&ui_locales=" + locale);
    }

    private static void waitForLoginForm() {
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20))
                .until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(By.id("username")));
    }

    @Test
    @DisplayName("the login page is French by default, with lang=fr and the theme's title")
    void frenchByDefault() throws Exception {
        browser.manage().deleteAllCookies();
        browser.get(loginUrl(null));
        waitForLoginForm();
        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("fr");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("Connexion à votre établissement");
        assertThat(browser.findElement(By.id("username"))).isNotNull();
        Path shot = BrowserExtension.screenshot(browser, "login-fr");
        assertThat(Files.size(shot)).isGreaterThan(1000);
    }

    @Test
    @DisplayName("ui_locales=en renders the English page with lang=en")
    void englishOnRequest() throws Exception {
        browser.manage().deleteAllCookies();
        browser.get(loginUrl("en"));
        waitForLoginForm();
        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("en");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("Sign in to your establishment");
        Path shot = BrowserExtension.screenshot(browser, "login-en");
        assertThat(Files.size(shot)).isGreaterThan(1000);
    }
}
