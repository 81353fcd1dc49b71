package fr.hcbroker.e2e.browser;

import fr.hcbroker.stack.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Debian Chromium per test class, injected as {@link ChromeDriver} into
 * {@code @BeforeAll}/test parameters. Packages come from scripts/ensure-packages.sh so a fresh
 * machine running {@code mvn -B verify} gets them; Selenium Manager is never used (no download).
 */
public final class BrowserExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BrowserExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        DebianPackages.ensure("chromium", "chromium-driver");
        Path profile = Files.createTempDirectory("hc-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,900", "--lang=fr-FR", "--user-data-dir=" + profile);
        // Keycloak's https port (the card proxy) has a certificate from the stack's own test CA.
        options.setAcceptInsecureCerts(true);
        // A French ward workstation: Accept-Language fr, as the hospital's browsers send it.
        options.setExperimentalOption("prefs", java.util.Map.of("intl.accept_languages", "fr-FR,fr"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        context.getStore(NS).put(ChromeDriver.class, driver);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ChromeDriver driver = context.getStore(NS).remove(ChromeDriver.class, ChromeDriver.class);
        if (driver != null) {
            driver.quit();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChromeDriver.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(ChromeDriver.class, ChromeDriver.class);
    }

    /** Saves the current page as target/screenshots/NAME.png and returns the file. */
    public static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }
}
