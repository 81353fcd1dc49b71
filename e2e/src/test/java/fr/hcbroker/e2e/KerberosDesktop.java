package fr.hcbroker.e2e;

import fr.hcbroker.stack.DebianPackages;
import fr.hcbroker.stack.directory.SambaDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * A domain workstation as the directory tests need one: MIT's {@code kinit} gets the person a ticket
 * from the domain controller's KDC into a credential cache of its own, then {@code curl --negotiate}
 * speaks SPNEGO to Keycloak as a browser would, keeping cookies in a jar. Each instance is one
 * person's session; nothing outside its directory (no /etc/krb5.conf, no default cache) is used.
 */
final class KerberosDesktop {

    private static final Pattern NEGOTIATE = Pattern.compile("(?m)^> Authorization: Negotiate (\\S+)\\r?$");

    /** Where curl ended: the status and URL of the last response, its body, and the SPNEGO tokens it sent. */
    record Response(int status, String url, String body, List<String> tokensSent) {
        Document document() {
            return Jsoup.parse(body, url);
        }
    }

    private final Path dir;
    private final Map<String, String> env;

    private KerberosDesktop(Path dir, Path krb5Conf) {
        this.dir = dir;
        this.env = Map.of("KRB5_CONFIG", krb5Conf.toString(), "KRB5CCNAME", "FILE:" + dir.resolve("ccache"));
    }

    /** A workstation where {@code account} has typed their password at Windows logon: a ticket-granting ticket. */
    static KerberosDesktop loggedOn(SambaDirectory directory, Path work, String account, String password) throws Exception {
        DebianPackages.ensure("krb5-user", "curl");
        KerberosDesktop desktop = new KerberosDesktop(Files.createTempDirectory(work, "desktop-"), directory.krb5Conf());
        String out = desktop.run(List.of("kinit", account + "@" + SambaDirectory.REALM), password + "\n");
        if (!desktop.run(List.of("klist", "-s"), "").isEmpty() || !Files.exists(desktop.dir.resolve("ccache"))) {
            throw new AssertionError("kinit " + account + ": " + out);
        }
        return desktop;
    }

    /** GET, following redirects, answering Negotiate challenges with the person's ticket. */
    Response get(String url, String... curlOptions) throws Exception {
        return curl(url, List.of(curlOptions));
    }

    /** POSTs a form's fields, following redirects (a 302 after a POST becomes a GET, as in browsers). */
    Response post(String url, Map<String, String> fields) throws Exception {
        List<String> options = new ArrayList<>();
        fields.forEach((name, value) -> options.addAll(List.of("--data-urlencode", name + "=" + value)));
        return curl(url, options);
    }

    private Response curl(String url, List<String> options) throws Exception {
        Path body = Files.createTempFile(dir, "body-", ".html");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "--negotiate", "-u", ":",
                // Keycloak and the gateway share a host name but not a port: curl keeps credentials to
                // the first origin unless told; an intranet browser's allow-list names both.
                "--location-trusted", "-L", "--max-redirs", "20", "--max-time", "60",
                "-b", dir.resolve("cookies").toString(), "-c", dir.resolve("cookies").toString(),
                "-o", body.toString(), "-w", "%{http_code} %{url_effective}", "-H", "Accept: text/html"));
        command.addAll(options);
        command.add(url);
        Process process = start(command);
        String verbose = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String written = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("curl " + url + " failed: " + verbose);
        }
        String[] statusAndUrl = written.split(" ", 2);
        List<String> tokens = new ArrayList<>();
        Matcher m = NEGOTIATE.matcher(verbose);
        while (m.find()) {
            tokens.add(m.group(1));
        }
        return new Response(Integer.parseInt(statusAndUrl[0]), statusAndUrl[1], Files.readString(body), tokens);
    }

    /** The first SPNEGO token a response's exchange carried, if any. */
    static Optional<String> firstToken(Response response) {
        return response.tokensSent().stream().findFirst();
    }

    private String run(List<String> command, String stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return process.exitValue() == 0 ? "" : "exit " + process.exitValue() + ": " + out;
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return builder.start();
    }
}
