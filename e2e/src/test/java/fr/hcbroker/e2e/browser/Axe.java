package fr.hcbroker.e2e.browser;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The axe-core accessibility engine (Deque, MPL-2.0) run in the page under test: fetched once from
 * the npm registry, checked against the registry's published SHA-512, kept under target/, never
 * committed. Only what axe tags as WCAG 2.0/2.1 A and AA is checked.
 */
public final class Axe {

    private static final String VERSION = "4.14.1";
    private static final String INTEGRITY =
            "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==";
    private static String source;

    private Axe() {
    }

    /** One violation of impact serious or critical, as "rule: target (help)". */
    public static List<String> seriousViolations(WebDriver driver) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript(source());
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')).join(', ')}))}))
                   .catch(e => done({error: String(e)}));
                """);
        if (result.containsKey("error")) {
            throw new IllegalStateException("axe-core failed: " + result.get("error"));
        }
        List<String> serious = new ArrayList<>();
        for (Object item : (List<?>) result.get("violations")) {
            Map<?, ?> v = (Map<?, ?>) item;
            if ("serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))) {
                serious.add(v.get("id") + ": " + v.get("targets") + " (" + v.get("help") + ")");
            }
        }
        return serious;
    }

    private static synchronized String source() throws Exception {
        if (source == null) {
            Path dir = Path.of("target", "axe-core-" + VERSION);
            Path script = dir.resolve("package/axe.min.js");
            if (!Files.exists(script)) {
                Files.createDirectories(dir);
                Path tarball = dir.resolve("axe-core.tgz");
                HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("https://registry.npmjs.org/axe-core/-/axe-core-" + VERSION + ".tgz")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IOException("npm registry answered " + response.statusCode() + " for axe-core " + VERSION);
                }
                try (InputStream in = response.body()) {
                    Files.copy(in, tarball);
                }
                String digest = Base64.getEncoder().encodeToString(
                        MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(tarball)));
                if (!INTEGRITY.equals(digest)) {
                    Files.delete(tarball);
                    throw new IOException("axe-core " + VERSION + " from the npm registry does not match its published SHA-512");
                }
                Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString(), "package/axe.min.js")
                        .inheritIO().start();
                if (tar.waitFor() != 0) {
                    throw new IOException("cannot unpack " + tarball);
                }
            }
            source = Files.readString(script);
        }
        return source;
    }
}
