package fr.hcbroker.e2e.browser;

import fr.hcbroker.stack.DebianPackages;
import fr.hcbroker.stack.pki.IgcSanteTestPki;
import fr.hcbroker.stack.pki.TestCard;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium as a card holder's workstation. Each browser has a HOME of its own, whose
 * NSS database ({@code $HOME/.pki/nssdb}, where Chromium on Linux keeps certificates) trusts the test
 * server CA, as a hospital installs its CA, and holds at most one demo card, imported with NSS's own
 * tools ({@code certutil}, {@code pk12util}). The card proxy asks for a card at each new TLS
 * connection: Chromium's {@code AutoSelectCertificateForUrls} policy, for the card proxy's URL and
 * IGC-Santé FORT cards, answers with the card without a prompt (headless Chromium cannot show one).
 * Debian's Chromium reads policies only from {@code /etc/chromium/policies/managed/} (its
 * {@code --policy} switch is ignored on a stable build), so this writes one file there, named after
 * the card proxy's port, and removes it on {@link #close()}.
 */
public final class CardChromium implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path POLICIES = Path.of("/etc/chromium/policies/managed");
    private static final String CARD_ISSUER = "AC IGC-SANTE FORT PERSONNES";

    private final Path serverCaPem;
    private final Path policy;
    private final Path homes;
    private final List<ChromeDriver> browsers = new ArrayList<>();

    private CardChromium(Path serverCaPem, Path policy, Path homes) {
        this.serverCaPem = serverCaPem;
        this.policy = policy;
        this.homes = homes;
    }

    /** Browsers for the card proxy at {@code cardProxyUrl} whose server certificate {@code serverCaPem} issued. */
    public static CardChromium forCardProxy(String cardProxyUrl, Path serverCaPem, Path homes) throws IOException {
        DebianPackages.ensure("chromium", "chromium-driver", "libnss3-tools");
        URI proxy = URI.create(cardProxyUrl);
        String pattern = proxy.getScheme() + "://" + proxy.getHost() + ":" + proxy.getPort();
        // Each entry of the list is itself a JSON document (Chromium's format for this policy).
        String entry = "{\"pattern\":\"" + pattern + "\",\"filter\":{\"ISSUER\":{\"CN\":\"" + CARD_ISSUER + "\"}}}";
        String json = "{\"AutoSelectCertificateForUrls\":[\"" + entry.replace("\"", "\\\"") + "\"]}\n";
        Files.createDirectories(POLICIES);
        Path policy = POLICIES.resolve("hc-card-proxy-" + proxy.getPort() + ".json");
        Files.writeString(policy, json, StandardCharsets.UTF_8);
        Files.createDirectories(homes);
        return new CardChromium(serverCaPem, policy, homes);
    }

    /** A fresh browser named {@code name} (its HOME's folder) holding {@code card}, or no card when null. */
    public ChromeDriver browser(String name, TestCard card) throws IOException, InterruptedException {
        Path home = homes.resolve(name);
        Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
        String db = "sql:" + nssdb;
        run("certutil", "-N", "-d", db, "--empty-password");
        run("certutil", "-A", "-d", db, "-n", "hc-test-server-ca", "-t", "C,,", "-i", serverCaPem.toString());
        if (card != null) {
            run("pk12util", "-i", card.file().toString(), "-d", db, "-W", IgcSanteTestPki.CARD_PASSWORD);
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,900", "--lang=fr-FR",
                        "--user-data-dir=" + home.resolve("profile"));
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "fr-FR,fr"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withEnvironment(Map.of("HOME", home.toString())).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        browsers.add(driver);
        return driver;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** Ends every browser and removes the policy file. */
    @Override
    public void close() throws IOException {
        for (ChromeDriver browser : browsers) {
            browser.quit();
        }
        browsers.clear();
        Files.deleteIfExists(policy);
    }
}
