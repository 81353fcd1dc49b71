package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.e2e.browser.Axe;
import fr.hcbroker.e2e.browser.BrowserExtension;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.keycloak.psc.PscLevelPolicy;
import fr.hcbroker.keycloak.psc.PscSettings;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.psc.PscStandIn;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * The hospiconnect login theme in Debian's Chromium, through the real Keycloak and gateway: every
 * page a person meets is checked with axe-core (no serious or critical WCAG 2.1 A/AA violation),
 * loads nothing from another host, and is saved as a screenshot under target/screenshots/ in French
 * and English; the logins work as a person does them (password + TOTP, WebAuthn with Chromium's
 * virtual authenticator, Pro Santé Connect through the stand-in, step-up to the card).
 */
@ExtendWith({StackExtension.class, BrowserExtension.class})
@DisplayName("hospiconnect login theme in a real Chromium")
class ThemeIT {

    private static Stack stack;
    private static ChromeDriver browser;
    private static AdminApi admin;
    private static boolean fetchesRecorded;

    @BeforeAll
    static void setUp(Stack running, ChromeDriver driver) {
        stack = running;
        browser = driver;
        admin = new AdminApi(running);
    }

    @BeforeEach
    void freshBrowser() {
        clearCookies();
        if (!fetchesRecorded) {
            // Records the account console's API answers, so a failure says which call failed and why.
            browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source",
                    "window.__hc=[];const f=window.fetch;window.fetch=async function(i,o){const r=await f(i,o);"
                            + "try{let a='';try{const h=o&&o.headers;a=(h&&(h.get?h.get('authorization'):(h.Authorization||h.authorization)))||'';"
                            + "a=a?atob(a.split('.')[1].replace(/-/g,'+').replace(/_/g,'/')):'';}catch(x){}"
                            + "const t=await r.clone().text();window.__hc.push([String(i.url||i),r.status,t.substring(0,300),a]);}"
                            + "catch(e){}return r;};"));
            fetchesRecorded = true;
        }
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    /** Every cookie of every site and path (Selenium's deleteAllCookies sees only the current page's). */
    private static void clearCookies() {
        browser.executeCdpCommand("Network.clearBrowserCookies", java.util.Map.of());
    }

    /** Keycloak's authorization page for the account console, in {@code locale} (null: the browser's, French). */
    private static String loginUrl(String locale, String extra) {
        return stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/auth?client_id=account-console"
                + "&response_type=code&scope=openid"
                // The realm requires PKCE; the RFC 7636 example challenge is enough to render the pages.
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&redirect_uri="
                + URLEncoder.encode(stack.keycloakUrl() + "/realms/hospiconnect/account/", StandardCharsets.UTF_8)
                + (locale == null ? "" : "&ui_locales=" + locale) + extra;
    }

    private static void waitFor(By element) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(element));
    }

    private static String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    /**
     * The checks every page gets: the language attribute, no serious accessibility violation, nothing
     * loaded from another host, and a screenshot for review.
     */
    private static void reviewPage(String name, String lang) throws Exception {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d ->
                "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
        assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).as("lang of %s", name).isEqualTo(lang);
        assertThat(Axe.seriousViolations(browser)).as("serious or critical axe violations on %s", name).isEmpty();
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(loaded).as("resources of %s", name)
                .allMatch(url -> List.of("localhost", "127.0.0.1").contains(URI.create(url).getHost()));
        BrowserExtension.screenshot(browser, name + "-" + lang);
    }

    private static String newUser(boolean withTotp, String[] totp) {
        String name = "th-" + UUID.randomUUID().toString().substring(0, 8);
        totp[0] = "totp-" + UUID.randomUUID();
        admin.createUser(name, "Pw-" + name, withTotp ? totp[0] : null);
        if (!withTotp) {
            admin.openEnrolmentWindow(name, Duration.ofMinutes(15));
        }
        return name;
    }

    private static void password(String username) {
        waitFor(By.id("username"));
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys("Pw-" + username);
        browser.findElement(By.id("kc-login")).click();
    }

    @ParameterizedTest(name = "in {0}")
    @ValueSource(strings = {"fr", "en"})
    @DisplayName("the login page: Pro Santé Connect, the CPS card and the password, accessible, also on a ward tablet")
    void theLoginPage(String lang) throws Exception {
        browser.get(loginUrl(lang, ""));
        waitFor(By.id("username"));
        assertThat(text()).contains(lang.equals("fr") ? "Connexion à votre établissement" : "Sign in to your establishment")
                .contains("Pro Santé Connect").contains(lang.equals("fr") ? "Carte CPS" : "CPS card")
                .contains(lang.equals("fr") ? "Elle est peut-être expirée" : "It may have expired");
        assertThat(browser.findElement(By.cssSelector("a.hc-psc-button")).getAttribute("href")).contains("/broker/pro-sante-connect/");
        pscButtonAsTheAnsDrawsIt(lang);
        reviewPage("login", lang);

        // Keyboard: the form first, then the other ways in.
        browser.findElement(By.tagName("body")).click();
        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 30 && order.size() < 5; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            String id = browser.switchTo().activeElement().getAttribute("id");
            if ("social-pro-sante-connect".equals(id)) {
                assertThat(((JavascriptExecutor) browser).executeScript("const s = getComputedStyle(arguments[0]);"
                        + " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
                        browser.switchTo().activeElement())).as("a visible focus ring on the PSC button").isEqualTo(true);
            }
            if (List.of("username", "password", "kc-login", "social-pro-sante-connect", "hc-cps-card").contains(id)
                    && !order.contains(id)) {
                order.add(id);
            }
        }
        assertThat(order).containsExactly("username", "password", "kc-login", "social-pro-sante-connect", "hc-cps-card");

        browser.manage().window().setSize(new Dimension(768, 1024));
        assertThat((Boolean) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
                .as("no sideways scrolling on a ward tablet").isTrue();
        BrowserExtension.screenshot(browser, "login-tablet-" + lang);
    }

    /**
     * The PSC button: its words as the ANS words it ("Se connecter avec Pro Santé Connect"), as its
     * accessible name too; white on blue with at least 4.5:1 contrast; a touch target of 48 px or more
     * that fits the form; the "Qu'est-ce que Pro Santé Connect ?" link beside it, saying it opens a window.
     */
    private static void pscButtonAsTheAnsDrawsIt(String lang) {
        WebElement button = browser.findElement(By.cssSelector("a.hc-psc-button"));
        String label = lang.equals("fr") ? "Se connecter avec Pro Santé Connect" : "Sign in with Pro Santé Connect";
        assertThat(button.getAccessibleName()).isEqualTo(label);
        assertThat(button.getText().replaceAll("\\s+", " ").trim()).isEqualTo(label);
        @SuppressWarnings("unchecked")
        Map<String, Object> look = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript("""
                const b = arguments[0], s = getComputedStyle(b), r = b.getBoundingClientRect();
                const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
                const lum = c => { const [R, G, B] = rgb(c).map(v => { v /= 255;
                    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                    return 0.2126 * R + 0.7152 * G + 0.0722 * B; };
                const [hi, lo] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
                return {contrast: (hi + 0.05) / (lo + 0.05), height: r.height, width: r.width,
                        room: b.closest('#hc-ways-in').getBoundingClientRect().width,
                        background: s.backgroundColor, color: s.color};
                """, button);
        assertThat(look.get("background")).isEqualTo("rgb(0, 0, 145)");
        assertThat(look.get("color")).isEqualTo("rgb(255, 255, 255)");
        assertThat(((Number) look.get("contrast")).doubleValue()).as("text contrast").isGreaterThanOrEqualTo(4.5);
        assertThat(((Number) look.get("height")).doubleValue()).as("touch target height").isGreaterThanOrEqualTo(48);
        assertThat(((Number) look.get("width")).doubleValue()).as("fits the form")
                .isLessThanOrEqualTo(((Number) look.get("room")).doubleValue());
        WebElement about = browser.findElement(By.id("hc-psc-about"));
        assertThat(about.getAccessibleName()).isEqualTo(lang.equals("fr")
                ? "Qu'est-ce que Pro Santé Connect ? (nouvelle fenêtre)" : "What is Pro Santé Connect? (new window)");
        assertThat(about.getAttribute("target")).isEqualTo("_blank");
        assertThat(about.getAttribute("rel")).contains("noopener");
        assertThat(about.getAttribute("href")).startsWith("https://");
    }

    @ParameterizedTest(name = "in {0}")
    @ValueSource(strings = {"fr", "en"})
    @DisplayName("second-factor pages: enrolment choice, TOTP setup, code, card required")
    void theSecondFactorPages(String lang) throws Exception {
        String[] totp = new String[1];
        browser.get(loginUrl(lang, ""));
        password(newUser(false, totp));
        waitFor(By.id("hc-enrol-form"));
        reviewPage("enrol-choice", lang);
        browser.findElement(By.id("hc-enrol-totp")).click();
        waitFor(By.id("kc-totp-settings-form"));
        reviewPage("totp-setup", lang);

        clearCookies();
        browser.get(loginUrl(lang, "&acr_values=eidas3"));
        String withTotp = newUser(true, totp);
        password(withTotp);
        waitFor(By.id("otp"));
        assertThat(text()).contains(lang.equals("fr") ? "code à 6 chiffres" : "6-digit code")
                .contains(lang.equals("fr") ? "Téléphone perdu" : "Lost or changed your phone");
        reviewPage("otp", lang);
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp[0]));
        browser.findElement(By.id("kc-login")).click();
        waitFor(By.id("hc-cps-card-required"));
        reviewPage("cps-card-required", lang);
    }

    @Test
    @DisplayName("password + TOTP through the gateway reaches the demo app with the identity headers")
    void passwordAndTotpThroughTheGateway() throws Exception {
        String[] totp = new String[1];
        String username = newUser(true, totp);
        browser.get(stack.gatewayUrl() + "/");
        password(username);
        waitFor(By.id("otp"));
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp[0]));
        browser.findElement(By.id("kc-login")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlToBe(stack.gatewayUrl() + "/"));
        assertThat(text()).contains("x-hc-user").contains(username).contains("eidas2");
        assertThat(browser.findElement(By.id("signed-in")).getText()).contains("Test " + username).contains("eidas2");
        BrowserExtension.screenshot(browser, "demo-app-fr");

        // Step-up: a level-3 route sends the session back to Keycloak, which asks for the card only.
        browser.get(stack.gatewayUrl() + "/high/");
        waitFor(By.id("hc-cps-card-required"));
        assertThat(browser.findElements(By.id("password"))).isEmpty();
        // Cancel leaves Keycloak for the gateway.
        browser.findElement(By.id("hc-cancel")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(stack.gatewayUrl()));
        BrowserExtension.screenshot(browser, "step-up-cancelled-fr");

        // The demo app's logout link, then the gateway's confirmation, end the session: the app asks for a login again.
        browser.get(stack.gatewayUrl() + "/");
        waitFor(By.id("logout"));
        browser.findElement(By.id("logout")).click();
        waitFor(By.id("hc-sign-out"));
        browser.findElement(By.id("hc-sign-out")).click();
        // Gateway, then Keycloak's end-session, then "vous êtes déconnecté": leaving earlier would cut the chain.
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(stack.gatewayUrl() + "/.hc/logged-out"));
        browser.get(stack.gatewayUrl() + "/");
        waitFor(By.id("username"));
    }

    @Test
    @DisplayName("WebAuthn with Chromium's virtual authenticator: chosen at enrolment, then used at the next login")
    void webAuthnWithAVirtualAuthenticator() throws Exception {
        VirtualAuthenticator key = browser.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.USB)
                .setHasUserVerification(true).setIsUserVerified(true).setIsUserConsenting(true));
        try {
            String username = newUser(false, new String[1]);
            browser.get(stack.gatewayUrl() + "/");
            password(username);
            waitFor(By.id("hc-enrol-webauthn"));
            browser.findElement(By.id("hc-enrol-webauthn")).click();
            waitFor(By.id("registerWebAuthn"));
            reviewPage("webauthn-register", "fr");
            browser.findElement(By.id("registerWebAuthn")).click();
            // Keycloak asks for a label for the new key in a prompt.
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.alertIsPresent());
            browser.switchTo().alert().sendKeys("Clé de test");
            browser.switchTo().alert().accept();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlToBe(stack.gatewayUrl() + "/"));
            assertThat(text()).contains(username).contains("hwk");
            assertThat(key.getCredentials()).hasSize(1);

            clearCookies();
            browser.get(stack.gatewayUrl() + "/");
            password(username);
            waitFor(By.id("authenticateWebAuthnButton"));
            reviewPage("webauthn-authenticate", "fr");
            browser.findElement(By.id("authenticateWebAuthnButton")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlToBe(stack.gatewayUrl() + "/"));
            assertThat(text()).contains(username).contains("eidas2");
        } finally {
            browser.removeVirtualAuthenticator(key);
        }
    }

    @Test
    @DisplayName("Pro Santé Connect: the button leads to the stand-in and back to the app at eidas2 (e-CPS app)")
    void proSanteConnectThroughTheStandIn() throws Exception {
        DemoProfessional nurse = DemoProfessional.ALL.get(1);
        browser.get(stack.gatewayUrl() + "/");
        waitFor(By.cssSelector("a.hc-psc-button"));
        browser.findElement(By.cssSelector("a.hc-psc-button")).click();
        waitFor(By.id("username"));
        assertThat(browser.getCurrentUrl()).contains("/realms/esante-wallet/");
        password(nurse.idNat(), nurse.password());
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlToBe(stack.gatewayUrl() + "/"));
        assertThat(text()).contains(nurse.username()).contains("eidas2").contains("swk");
        BrowserExtension.screenshot(browser, "demo-app-after-psc-fr");
    }

    /** Signs in at the stand-in from the login page's Pro Santé Connect button. */
    private static void viaProSanteConnect(String lang, DemoProfessional p) {
        browser.get(loginUrl(lang, ""));
        waitFor(By.cssSelector("a.hc-psc-button"));
        browser.findElement(By.cssSelector("a.hc-psc-button")).click();
        waitFor(By.id("username"));
        password(p.idNat(), p.password());
    }

    @ParameterizedTest(name = "in {0}")
    @ValueSource(strings = {"fr", "en"})
    @DisplayName("Pro Santé Connect refusals are pages that say what to do: unknown professional, insufficient level")
    void proSanteConnectRefusalPages(String lang) throws Exception {
        String idNat = "8" + IdNat.withLuhnDigit("99702" + String.format("%05d", new java.util.Random().nextInt(100_000)));
        DemoProfessional stranger = new DemoProfessional("stranger-" + idNat, idNat, "Inès", "Étrangère",
                "ines." + idNat + "@example.org", "60", "Infirmier", "Pw-" + UUID.randomUUID(), "unused");
        assertThat(admin.send("POST", "/admin/realms/esante-wallet/users", PscStandIn.user(stranger))).isEqualTo(201);
        viaProSanteConnect(lang, stranger);
        waitFor(By.id("kc-error-message"));
        assertThat(text()).contains(lang.equals("fr") ? "aucun compte de l'établissement" : "no account");
        reviewPage("psc-unknown-professional", lang);

        String idp = "/admin/realms/hospiconnect/identity-provider/instances/pro-sante-connect";
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode) admin.get(idp);
        com.fasterxml.jackson.databind.node.ObjectNode original = config.deepCopy();
        // The current setting, as the realm stores it: a former name (psc.level.mobile) next to it is ignored, and
        // the e-CPS login would then succeed. The stand-in logs ph.nguyen in with the e-CPS app (MOBILE).
        assertThat(PscStandIn.authMode(DemoProfessional.ALL.get(2))).isEqualTo(PscLevelPolicy.MOBILE);
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("config"))
                .put(PscSettings.AUTH_MODE_LEVELS, "CARD=eidas3,MOBILE=eidas1");
        assertThat(admin.send("PUT", idp, config)).isEqualTo(204);
        try {
            clearCookies();
            viaProSanteConnect(lang, DemoProfessional.ALL.get(2));
            waitFor(By.id("kc-error-message"));
            // The refusal's own message (hcPscLevelRefused), not just any error page in the right language.
            assertThat(text()).contains(lang.equals("fr")
                    ? "Connexion Pro Santé Connect refusée : le niveau d'authentification est absent, inconnu ou inférieur"
                    : "Pro Santé Connect sign-in refused: the authentication level is missing, unknown or below");
            reviewPage("psc-level-refused", lang);

            // The language switcher's choice wins over ui_locales: started in the other language, switched to this one.
            clearCookies();
            browser.get(loginUrl(lang.equals("fr") ? "en" : "fr", ""));
            waitFor(By.id("login-select-toggle"));
            Select switcher = new Select(browser.findElement(By.id("login-select-toggle")));
            switcher.selectByValue(switcher.getOptions().stream().map(o -> o.getAttribute("value"))
                    .filter(url -> url.contains("kc_locale=" + lang)).findFirst().orElseThrow());
            // The language switch reloads the page under the wait: an element found as it goes can be stale.
            new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> lang.equals(d.findElement(By.tagName("html")).getAttribute("lang")));
            waitFor(By.cssSelector("a.hc-psc-button"));
            browser.findElement(By.cssSelector("a.hc-psc-button")).click();
            waitFor(By.id("username"));
            password(DemoProfessional.ALL.get(2).idNat(), DemoProfessional.ALL.get(2).password());
            waitFor(By.id("kc-error-message"));
            assertThat(text()).contains(lang.equals("fr")
                    ? "Connexion Pro Santé Connect refusée : le niveau d'authentification est absent, inconnu ou inférieur"
                    : "Pro Santé Connect sign-in refused: the authentication level is missing, unknown or below");
            assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).as("lang after the switcher").isEqualTo(lang);
        } finally {
            assertThat(admin.send("PUT", idp, original)).isEqualTo(204);
        }
    }



    @Test
    @DisplayName("the CPS card settings page in the admin console shows the stored settings in French and saves them under their own names")
    void theCardSettingsPageInTheAdminConsole() throws Exception {
        String master = "/admin/realms/master";
        com.fasterxml.jackson.databind.node.ObjectNode masterRealm = (com.fasterxml.jackson.databind.node.ObjectNode) admin.get(master);
        com.fasterxml.jackson.databind.node.ObjectNode original = masterRealm.deepCopy();
        masterRealm.put("internationalizationEnabled", true).put("defaultLocale", "en");
        masterRealm.putArray("supportedLocales").add("en").add("fr");
        assertThat(admin.send("PUT", master, masterRealm)).isEqualTo(204);
        String configPath = "/admin/realms/hospiconnect/authentication/config/" + cardConfigId();
        com.fasterxml.jackson.databind.JsonNode before = admin.get(configPath);
        try {
            browser.get(stack.keycloakUrl() + "/admin/master/console/#/hospiconnect/authentication");
            waitFor(By.id("username"));
            password("admin", stack.settings().adminPassword());
            waitFor(By.linkText("hc browser"));
            browser.findElement(By.linkText("hc browser")).click();
            By cardSettings = By.xpath("//tr[contains(., 'CPS')]//button[@aria-label='Paramètres' or @aria-label='Settings']");
            waitFor(cardSettings);
            browser.findElement(cardSettings).click();
            By timeout = By.id("config." + fr.hcbroker.keycloak.cps.CpsConfig.TIMEOUT_MS);
            waitFor(timeout);
            BrowserExtension.screenshot(browser, "admin-cps-card-settings-fr");
            assertThat(text()).contains("Racines de confiance IGC-Santé (fichier PEM)")
                    .contains("Délai d'attente de la vérification de révocation (ms)");
            assertThat(Axe.seriousViolations(browser)).as("serious or critical axe violations on the settings page").isEmpty();
            for (String name : List.of(fr.hcbroker.keycloak.cps.CpsConfig.TRUST_ANCHORS, fr.hcbroker.keycloak.cps.CpsConfig.OCSP_URL,
                    fr.hcbroker.keycloak.cps.CpsConfig.TIMEOUT_MS)) {
                assertThat(browser.findElement(By.id("config." + name)).getAttribute("value"))
                        .as("%s as shown against the REST representation", name)
                        .isEqualTo(before.path("config").path(name).asText());
            }
            browser.findElement(timeout).sendKeys(Keys.chord(Keys.CONTROL, "a"), "3500");
            browser.findElement(By.xpath("//div[@role='dialog']//button[@type='submit' or @data-testid='save']")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d ->
                    "3500".equals(admin.get(configPath).path("config").path(fr.hcbroker.keycloak.cps.CpsConfig.TIMEOUT_MS).asText()));
            com.fasterxml.jackson.databind.JsonNode after = admin.get(configPath).path("config");
            List<String> declared = fr.hcbroker.keycloak.cps.CpsConfig.LEGACY_NAMES.keySet().stream().toList();
            after.fieldNames().forEachRemaining(name -> assertThat(declared).as("stored setting name %s", name).contains(name));
            assertThat(after.path(fr.hcbroker.keycloak.cps.CpsConfig.TRUST_ANCHORS).asText())
                    .isEqualTo(before.path("config").path(fr.hcbroker.keycloak.cps.CpsConfig.TRUST_ANCHORS).asText());
        } finally {
            admin.send("PUT", configPath, before);
            admin.send("PUT", master, original);
        }
    }

    @Test
    @DisplayName("the Pro Santé Connect settings page in the admin console shows the stored settings in French and saves under the same names")
    void theProSanteConnectSettingsPageInTheAdminConsole() throws Exception {
        String master = "/admin/realms/master";
        com.fasterxml.jackson.databind.node.ObjectNode masterRealm = (com.fasterxml.jackson.databind.node.ObjectNode) admin.get(master);
        com.fasterxml.jackson.databind.node.ObjectNode original = masterRealm.deepCopy();
        masterRealm.put("internationalizationEnabled", true).put("defaultLocale", "en");
        masterRealm.putArray("supportedLocales").add("en").add("fr");
        assertThat(admin.send("PUT", master, masterRealm)).isEqualTo(204);
        String idpPath = "/admin/realms/hospiconnect/identity-provider/instances/pro-sante-connect";
        com.fasterxml.jackson.databind.JsonNode before = admin.get(idpPath);
        com.fasterxml.jackson.databind.JsonNode stored = before.path("config");
        String changedFiness = stored.path(fr.hcbroker.keycloak.psc.PscSettings.FINESS).asText() + ",130781234";
        try {
            browser.get(stack.keycloakUrl() + "/admin/master/console/#/hospiconnect/identity-providers/pro-sante-connect/pro-sante-connect/settings");
            waitFor(By.id("username"));
            password("admin", stack.settings().adminPassword());
            By finess = By.id("config." + fr.hcbroker.keycloak.psc.PscSettings.FINESS);
            waitFor(finess);
            BrowserExtension.screenshot(browser, "admin-psc-settings-fr");
            assertThat(text()).contains("Environnement Pro Santé Connect").contains("Émetteur de test")
                    .contains("Niveau de chaque authMode").contains("Numéros FINESS de l'établissement")
                    .contains("Créer un compte pour un professionnel qui n'en a pas")
                    .doesNotContain("hcPsc").doesNotContain("config.").doesNotContain("🍺").doesNotContain("SANDBOX_BAS");
            // Keycloak's own select component names its toggle by the field's label while showing the value:
            // axe's label-content-name-mismatch names Keycloak's fields as well (syncMode, first login flow).
            // What is ours is the name a screen reader reads: the translated label, never the setting's key.
            assertThat(Axe.seriousViolations(browser)).as("serious or critical axe violations on the PSC settings page")
                    .filteredOn(v -> !v.startsWith("label-content-name-mismatch:")).isEmpty();
            assertThat(browser.findElement(By.id(fr.hcbroker.keycloak.psc.PscSettings.ENVIRONMENT)).getAttribute("aria-label"))
                    .isEqualTo("Environnement Pro Santé Connect");
            assertThat(browser.findElement(By.id(fr.hcbroker.keycloak.psc.PscSettings.CLIENT_AUTHENTICATION)).getAttribute("aria-label"))
                    .isEqualTo("Authentification du client auprès de Pro Santé Connect");
            for (String name : List.of(fr.hcbroker.keycloak.psc.PscSettings.CUSTOM_ISSUER, fr.hcbroker.keycloak.psc.PscSettings.FINESS,
                    fr.hcbroker.keycloak.psc.PscSettings.AUTH_MODE_LEVELS)) {
                assertThat(browser.findElement(By.id("config." + name)).getAttribute("value"))
                        .as("%s as shown against the REST representation", name).isEqualTo(stored.path(name).asText());
            }
            // Lists show the stored value as their toggle's text; the switch shows the boolean.
            assertThat(browser.findElement(By.id(fr.hcbroker.keycloak.psc.PscSettings.ENVIRONMENT)).getText())
                    .isEqualTo(stored.path(fr.hcbroker.keycloak.psc.PscSettings.ENVIRONMENT).asText()).isEqualTo("Test");
            assertThat(browser.findElement(By.id(fr.hcbroker.keycloak.psc.PscSettings.MINIMUM_LEVEL)).getText())
                    .isEqualTo(stored.path(fr.hcbroker.keycloak.psc.PscSettings.MINIMUM_LEVEL).asText());
            assertThat(String.valueOf(browser.findElement(By.id(fr.hcbroker.keycloak.psc.PscSettings.CREATE_ACCOUNTS)).isSelected()))
                    .isEqualTo(stored.path(fr.hcbroker.keycloak.psc.PscSettings.CREATE_ACCOUNTS).asText("false"));
            browser.findElement(finess).sendKeys(Keys.chord(Keys.CONTROL, "a"), changedFiness);
            browser.findElement(By.cssSelector("[data-testid='idp-details-save']")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> changedFiness.equals(
                    admin.get(idpPath).path("config").path(fr.hcbroker.keycloak.psc.PscSettings.FINESS).asText()));
            com.fasterxml.jackson.databind.JsonNode after = admin.get(idpPath).path("config");
            List<String> declared = List.of(fr.hcbroker.keycloak.psc.PscSettings.ENVIRONMENT,
                    fr.hcbroker.keycloak.psc.PscSettings.CUSTOM_ISSUER, fr.hcbroker.keycloak.psc.PscSettings.MINIMUM_LEVEL,
                    fr.hcbroker.keycloak.psc.PscSettings.AUTH_MODE_LEVELS, fr.hcbroker.keycloak.psc.PscSettings.FINESS,
                    fr.hcbroker.keycloak.psc.PscSettings.CREATE_ACCOUNTS, fr.hcbroker.keycloak.psc.PscSettings.CLIENT_AUTHENTICATION,
                    fr.hcbroker.keycloak.psc.PscSettings.CLIENT_CERTIFICATE,
                    fr.hcbroker.keycloak.psc.PscSettings.CLIENT_CERTIFICATE_PASSWORD);
            after.fieldNames().forEachRemaining(name -> {
                assertThat(name).as("stored setting name").doesNotContain("🍺").doesNotContain(".");
                if (name.startsWith("psc")) {
                    assertThat(declared).as("stored PSC setting %s", name).contains(name);
                }
            });
            for (String name : declared) {
                // Settings the realm left unset may be saved with the default the console showed.
                if (!name.equals(fr.hcbroker.keycloak.psc.PscSettings.FINESS) && stored.has(name)) {
                    assertThat(after.path(name).asText()).as("%s unchanged by the save", name).isEqualTo(stored.path(name).asText());
                }
            }
        } finally {
            admin.send("PUT", idpPath, before);
            admin.send("PUT", master, original);
        }
    }

    /** The id of the realm's cps-card settings (one configuration shared by the flow's two card steps). */
    private static String cardConfigId() {
        for (com.fasterxml.jackson.databind.JsonNode execution : admin.get(
                "/admin/realms/hospiconnect/authentication/flows/hc%20browser/executions")) {
            if ("cps-card".equals(execution.path("providerId").asText()) && execution.hasNonNull("authenticationConfig")) {
                return execution.path("authenticationConfig").asText();
            }
        }
        throw new AssertionError("no configured cps-card step in the hc browser flow");
    }

    /** Waits for the account console's personal info and checks every call to the account API succeeded. */
    private static void accountConsoleShows(String lastName) throws Exception {
        By field = By.id("lastName");
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> !d.findElements(field).isEmpty() && lastName.equals(d.findElement(field).getAttribute("value")));
        } catch (org.openqa.selenium.TimeoutException e) {
            BrowserExtension.screenshot(browser, "account-console-failed");
            throw new AssertionError("account console at " + browser.getCurrentUrl() + " shows: " + text()
                    + "\nresources: " + ((JavascriptExecutor) browser).executeScript(
                    "return performance.getEntriesByType('resource').map(e => e.name + ' ' + e.responseStatus).join('\\n')")
                    + "\nfetches: " + ((JavascriptExecutor) browser).executeScript("return JSON.stringify(window.__hc)"), e);
        }
        assertThat(text()).doesNotContain("Quelque chose s'est mal passé").doesNotContain("Something went wrong");
        @SuppressWarnings("unchecked")
        List<String> failed = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/realms/hospiconnect/account/')"
                        + " && e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus)");
        assertThat(failed).as("account API calls that failed").isEmpty();
    }

    @ParameterizedTest(name = "on Keycloak''s {0} port")
    @ValueSource(strings = {"http", "https"})
    @DisplayName("the account console works after password + TOTP, on both Keycloak ports")
    void theAccountConsoleAfterPasswordAndTotp(String port) throws Exception {
        String base = port.equals("https") ? stack.keycloakHttpsUrl() : stack.keycloakUrl();
        String[] totp = new String[1];
        String username = newUser(true, totp);
        browser.get(base + "/realms/hospiconnect/account/");
        password(username);
        waitFor(By.id("otp"));
        assertThat(text()).contains("6 chiffres").contains("support informatique");
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp[0]));
        browser.findElement(By.id("kc-login")).click();
        accountConsoleShows(username);
        BrowserExtension.screenshot(browser, "account-console-" + port + "-fr");
    }

    @Test
    @DisplayName("the account console works after Pro Santé Connect (the stand-in)")
    void theAccountConsoleAfterProSanteConnect() throws Exception {
        DemoProfessional nurse = DemoProfessional.ALL.get(1);
        browser.get(stack.keycloakUrl() + "/realms/hospiconnect/account/");
        waitFor(By.cssSelector("a.hc-psc-button"));
        browser.findElement(By.cssSelector("a.hc-psc-button")).click();
        waitFor(By.id("username"));
        password(nurse.idNat(), nurse.password());
        accountConsoleShows(nurse.familyName());
        BrowserExtension.screenshot(browser, "account-console-after-psc-fr");
    }

    @Test
    @DisplayName("in the account console a person adds a second authenticator app and removes the first one")
    void addingAndRemovingASecondFactorInTheAccountConsole() throws Exception {
        String[] totp = new String[1];
        String username = newUser(true, totp);
        browser.get(stack.keycloakUrl() + "/realms/hospiconnect/account/account-security/signing-in");
        password(username);
        waitFor(By.id("otp"));
        browser.findElement(By.id("otp")).sendKeys(Totp.now(totp[0]));
        browser.findElement(By.id("kc-login")).click();
        By create = By.cssSelector("[data-testid='otp/create']");
        try {
            waitFor(create);
        } catch (org.openqa.selenium.TimeoutException e) {
            BrowserExtension.screenshot(browser, "account-console-signing-in-failed");
            throw new AssertionError("signing-in page at " + browser.getCurrentUrl() + " shows: " + text(), e);
        }
        BrowserExtension.screenshot(browser, "account-console-signing-in-fr");
        browser.findElement(create).click();

        waitFor(By.id("mode-manual"));
        browser.findElement(By.id("mode-manual")).click();
        waitFor(By.id("kc-totp-secret-key"));
        String secret = new String(base32(browser.findElement(By.id("kc-totp-secret-key")).getText()), StandardCharsets.UTF_8);
        browser.findElement(By.id("totp")).sendKeys(Totp.now(secret));
        browser.findElement(By.id("userLabel")).sendKeys("Deuxième téléphone");
        browser.findElement(By.id("saveTOTPBtn")).click();
        waitFor(By.cssSelector("[data-testrole='remove']"));
        assertThat(admin.get("/admin/realms/hospiconnect/users/" + admin.userId(username) + "/credentials"))
                .filteredOn(c -> c.path("type").asText().equals("otp")).hasSize(2);

        browser.findElements(By.cssSelector("[data-testrole='remove']")).get(0).click();
        waitFor(By.id("kc-accept"));
        reviewPage("delete-credential", "fr");
        browser.findElement(By.id("kc-accept")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> admin.get("/admin/realms/hospiconnect/users/"
                + admin.userId(username) + "/credentials").findValues("type").stream().filter(t -> t.asText().equals("otp")).count() == 1);
    }

    /** RFC 4648 base32, as Keycloak shows a TOTP key to type in by hand (groups of four, spaces between). */
    private static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.replaceAll("[\\s=]", "").toUpperCase(java.util.Locale.ROOT).toCharArray()) {
            buffer = (buffer << 5) | alphabet.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    private static void password(String username, String password) {
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
    }
}
