package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.demo.DemoProfessional;
import fr.hcbroker.stack.postgres.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Debian packages (packaging/), as an admin uses them on this machine (root here, and in CI):
 * {@code dpkg -i}, secrets written by hand, both services started the way their systemd units start
 * them (no systemd runs here: the unit's ExecStart as its User, with its EnvironmentFile, read from the
 * installed unit file), a login through them; then a backup with {@code hc-backup}, the machine wiped
 * (packages purged, state deleted, database emptied), {@code hc-restore}, and the same person logs in
 * with the same second factor and the audit chain verifies; then {@code dpkg -r} and {@code dpkg --purge}.
 * Keycloak runs the production profile's database, PostgreSQL (Debian's, in a throw-away directory).
 */
@ExtendWith(StackExtension.class)
@DisplayName("The Debian packages")
class PackagesIT {

    private static final Path PACKAGES = Path.of(System.getProperty("hc.packages"));
    private static final Path GATEWAY_UNIT = Path.of("/lib/systemd/system/hc-gateway.service");
    private static final Path KEYCLOAK_UNIT = Path.of("/lib/systemd/system/hc-keycloak.service");
    private static final Path GATEWAY_SECRET = Path.of("/etc/hc-gateway/secrets/client-secret");

    private static Path work;
    private static PostgresServer postgres;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void fromAClean() throws Exception {
        assertThat(run("id", "-u").trim()).as("installing packages needs root").isEqualTo("0");
        purgeAll();
        work = Files.createTempDirectory(Path.of("/var/tmp"), "hc-packages-it-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        postgres = PostgresServer.start(GatewayProcess.freePort(), "keycloak", "keycloak");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
        purgeAll();
        run("rm", "-rf", work.toString(), "/var/lib/hc-gateway", "/var/lib/hc-keycloak");
    }

    @Test
    @DisplayName("install, refuse to start without a proper secret file, log a person in, keep configuration and audit on removal")
    void installStartLoginRemove(Stack stack) throws Exception {
        // The admin's Keycloak 26.7 directory (a copy of the distribution without our providers),
        // named in /etc/hc-keycloak/keycloak.env before the package is installed.
        Path home = work.resolve("keycloak");
        run("cp", "-a", System.getProperty("hc.keycloak.dist"), home.toString());
        run("sh", "-c", "rm -rf '" + home + "/data' && mkdir -p '" + home + "/data/import' && rm -f '" + home + "/providers/'*.jar");
        for (Path realm : stack.keycloak().options().realmFiles()) {
            if (realm.getFileName().toString().startsWith("hospiconnect")) {
                Files.copy(realm, home.resolve("data/import").resolve(realm.getFileName()));
            }
        }
        int keycloakPort = GatewayProcess.freePort();
        int gatewayPort = GatewayProcess.freePort();
        String keycloakUrl = "http://127.0.0.1:" + keycloakPort;
        String gatewayUrl = "http://127.0.0.1:" + gatewayPort;
        Files.createDirectories(Path.of("/etc/hc-keycloak"));
        Files.writeString(Path.of("/etc/hc-keycloak/keycloak.env"), keycloakEnvironment(stack, home, keycloakPort, gatewayUrl));

        run("dpkg", "-i", deb("hc-gateway").toString(), deb("hc-keycloak-providers").toString());
        assertThat(run("stat", "-c", "%U:%G %a", "/var/lib/hc-gateway/audit").trim()).isEqualTo("hc-gateway:hc-gateway 750");
        assertThat(run("stat", "-c", "%U:%G %a", "/etc/hc-gateway/gateway.yaml").trim()).isEqualTo("root:hc-gateway 640");
        assertThat(run("stat", "-c", "%U:%G %a", "/var/lib/hc-keycloak/audit").trim()).isEqualTo("hc-keycloak:hc-keycloak 750");
        assertThat(Files.readSymbolicLink(home.resolve("providers/hc-keycloak-extensions.jar")))
                .isEqualTo(Path.of("/usr/share/hc-keycloak/providers/hc-keycloak-extensions.jar"));
        assertThat(run("dpkg-query", "-W", "-f=${Version}", "hc-gateway")).isEqualTo(System.getProperty("hc.version"));
        run("chown", "-R", "hc-keycloak:hc-keycloak", home.toString());

        // Before its secret file is right, the gateway refuses to start with one line naming it.
        Files.writeString(Path.of("/etc/hc-gateway/gateway.yaml"), gatewayConfig(stack, keycloakUrl, gatewayPort));
        assertRefusal("secret file " + GATEWAY_SECRET + " (HC_GATEWAY_CLIENT_SECRET) is missing");
        String clientSecret = UUID.randomUUID().toString();
        writeSecret(GATEWAY_SECRET, clientSecret, "hc-gateway", "rw-r--r--");
        assertRefusal("secret file " + GATEWAY_SECRET + " (HC_GATEWAY_CLIENT_SECRET) is readable by others (mode 644): chmod 0640 " + GATEWAY_SECRET);
        writeSecret(GATEWAY_SECRET, "", "hc-gateway", "rw-r-----");
        assertRefusal("secret file " + GATEWAY_SECRET + " (HC_GATEWAY_CLIENT_SECRET) is empty");
        writeSecret(GATEWAY_SECRET, clientSecret + "\n", "hc-gateway", "rw-r-----");
        writeSecret(Path.of("/etc/hc-keycloak/secrets/gateway-client-secret"), clientSecret, "hc-keycloak", "rw-r-----");
        writeSecret(Path.of("/etc/hc-keycloak/secrets/admin-password"), "Admin-" + UUID.randomUUID(), "hc-keycloak", "rw-r-----");
        writeSecret(Path.of("/etc/hc-keycloak/secrets/db-password"), postgres.password(), "hc-keycloak", "rw-r-----");

        startLogInStop(keycloakUrl, gatewayUrl);
        List<Path> firstAudit = files("/var/lib/hc-gateway/audit", "gateway-");
        assertThat(Files.readString(firstAudit.get(0))).contains(helene().username());

        // Backup, then a machine as new: packages purged, state and Keycloak's data gone, database emptied.
        Path backup = work.resolve("backup");
        run("/usr/sbin/hc-backup", backup.toString());
        assertThat(backup.resolve("keycloak.dump")).exists();
        assertIncompleteBackupsRefused(backup);
        run("dpkg", "--purge", "hc-gateway", "hc-keycloak-providers");
        run("rm", "-rf", "/var/lib/hc-gateway", "/var/lib/hc-keycloak", home.resolve("data").toString());
        run("env", "PGPASSWORD=" + postgres.password(), "psql", "-h", "127.0.0.1", "-p", String.valueOf(port(postgres.jdbcUrl())),
                "-U", postgres.user(), "-v", "ON_ERROR_STOP=1", "-d", "keycloak",
                "-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public AUTHORIZATION keycloak");
        run("dpkg", "-i", deb("hc-gateway").toString(), deb("hc-keycloak-providers").toString());
        run("/usr/sbin/hc-restore", backup.toString());
        run("chown", "-R", "hc-keycloak:hc-keycloak", home.toString());

        // The same person, the same second factor (its seed came back with the database), and the
        // audit trail goes on from the restored chain.
        startLogInStop(keycloakUrl, gatewayUrl);
        for (String dir : List.of("/var/lib/hc-gateway/audit", "/var/lib/hc-keycloak/audit")) {
            List<String> verify = new ArrayList<>(List.of(javaExecutable(), "-jar", System.getProperty("hc.audit.jar"), "verify",
                    "--key", dir + "/audit-signing-key.pub"));
            files(dir, dir.contains("gateway") ? "gateway-" : "keycloak-").stream()
                    .filter(f -> f.toString().endsWith(".jsonl")).forEach(f -> verify.add(f.toString()));
            assertThat(run(verify.toArray(String[]::new))).startsWith("OK");
        }

        List<Path> gatewayAudit = files("/var/lib/hc-gateway/audit", "gateway-");
        List<Path> keycloakAudit = files("/var/lib/hc-keycloak/audit", "keycloak-");
        assertThat(Files.readString(keycloakAudit.get(0))).contains(helene().username());

        // Removal keeps configuration, secrets and the audit trail, and unlinks our providers.
        run("dpkg", "-r", "hc-gateway", "hc-keycloak-providers");
        assertThat(Path.of("/usr/share/hc-gateway/hc-gateway.jar")).doesNotExist();
        assertThat(home.resolve("providers/hc-keycloak-extensions.jar")).doesNotExist();
        assertThat(Files.readString(Path.of("/etc/hc-gateway/gateway.yaml"))).contains("port: " + gatewayPort);
        assertThat(GATEWAY_SECRET).exists();
        assertThat(Path.of("/etc/hc-keycloak/keycloak.env")).exists();
        assertThat(gatewayAudit).allSatisfy(f -> assertThat(f).exists());
        assertThat(keycloakAudit).allSatisfy(f -> assertThat(f).exists());

        // Purge removes configuration and secrets; the audit trail stays (legal retention).
        String purged = run("dpkg", "--purge", "hc-gateway", "hc-keycloak-providers");
        assertThat(Path.of("/etc/hc-gateway")).doesNotExist();
        assertThat(Path.of("/etc/hc-keycloak")).doesNotExist();
        assertThat(purged).contains("the audit trail is kept in /var/lib/hc-gateway/audit");
        assertThat(gatewayAudit).allSatisfy(f -> assertThat(f).exists());
        assertThat(keycloakAudit).allSatisfy(f -> assertThat(f).exists());
    }

    /** Starts Keycloak then the gateway as their units do, logs a person in through them, stops both. */
    private void startLogInStop(String keycloakUrl, String gatewayUrl) throws Exception {
        try {
            Process keycloak = startUnit(KEYCLOAK_UNIT, work.resolve("keycloak.log"));
            awaitOk(keycloakUrl + "/realms/hospiconnect/.well-known/openid-configuration", keycloak, Duration.ofMinutes(8),
                    work.resolve("keycloak.log"));
            Process gateway = startUnit(GATEWAY_UNIT, work.resolve("gateway.log"));
            awaitOk(gatewayUrl + "/healthz", gateway, Duration.ofMinutes(1), work.resolve("gateway.log"));
            assertThat(get(gatewayUrl + "/healthz")).isEqualTo("ok " + System.getProperty("hc.version") + "\n");

            DemoProfessional helene = helene();
            Browser browser = new Browser();
            Browser.Page form = browser.get(gatewayUrl + "/echo");
            assertThat(form.body()).contains("kc-form-login");
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", helene.username(), "password", helene.password()), u -> false);
            Browser.Page echo = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(helene.totpSecret())), u -> false);
            assertThat(echo.status()).isEqualTo(200);
            assertThat(echo.body()).containsIgnoringCase("x-hc-user").contains(helene.username());
        } finally {
            stopAll();
        }
    }

    /** hc-restore checks the whole backup before writing anything: one line names what is wrong. */
    private static void assertIncompleteBackupsRefused(Path backup) throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("keycloak.dump", "has no Keycloak database (keycloak.dump or keycloak-h2.tar.gz): incomplete backup");
        cases.put("files.tar.gz", "files.tar.gz is missing: incomplete backup");
        cases.put("SHA256SUMS", "SHA256SUMS is missing: not a complete backup");
        for (Map.Entry<String, String> missing : cases.entrySet()) {
            Path partial = work.resolve("partial-" + missing.getKey());
            run("cp", "-a", backup.toString(), partial.toString());
            Files.delete(partial.resolve(missing.getKey()));
            assertRestoreRefused(partial, missing.getValue());
        }
        Path altered = work.resolve("altered");
        run("cp", "-a", backup.toString(), altered.toString());
        Files.write(altered.resolve("files.tar.gz"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertRestoreRefused(altered, "files.tar.gz: FAILED");
    }

    private static void assertRestoreRefused(Path backup, String line) throws Exception {
        Process restore = new ProcessBuilder("/usr/sbin/hc-restore", backup.toString()).redirectErrorStream(true).start();
        String output = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(restore.waitFor()).isEqualTo(1);
        assertThat(output).startsWith("hc-restore: ").endsWith(line).doesNotContain("\n");
        // Nothing was written: the audit trail and configuration are as they were.
        assertThat(Path.of("/var/lib/hc-gateway/audit")).isNotEmptyDirectory();
    }

    private static int port(String jdbcUrl) {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static DemoProfessional helene() {
        return DemoProfessional.ALL.get(1);
    }

    /** What an admin writes for a lone Keycloak on its file database, importing the realm at start. */
    private static String keycloakEnvironment(Stack stack, Path home, int port, String gatewayUrl) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(stack.keycloak().options().environment());
        env.remove("HC_GATEWAY_CLIENT_SECRET");
        env.put("HC_GATEWAY_URL", gatewayUrl);
        env.put("KEYCLOAK_HOME", home.toString());
        env.put("HC_SECRET_FILES", "HC_GATEWAY_CLIENT_SECRET=/etc/hc-keycloak/secrets/gateway-client-secret"
                + " KC_BOOTSTRAP_ADMIN_PASSWORD=/etc/hc-keycloak/secrets/admin-password"
                + " KC_DB_PASSWORD=/etc/hc-keycloak/secrets/db-password");
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_DB", "postgres");
        env.put("KC_DB_URL", postgres.jdbcUrl());
        env.put("KC_DB_USERNAME", postgres.user());
        env.put("KC_CACHE", "local");
        env.put("KC_HTTP_ENABLED", "true");
        env.put("KC_HTTP_HOST", "127.0.0.1");
        env.put("KC_HTTP_PORT", String.valueOf(port));
        env.put("KC_HTTP_MANAGEMENT_PORT", String.valueOf(GatewayProcess.freePort()));
        env.put("KC_HOSTNAME_STRICT", "false");
        env.put("KC_HEALTH_ENABLED", "true");
        env.put("KC_METRICS_ENABLED", "true");
        env.put("KC_EVENT_METRICS_USER_ENABLED", "true");
        env.put("KC_SPI_EVENTS_LISTENER__HC_AUDIT__DIR", "/var/lib/hc-keycloak/audit");
        env.put("JAVA_OPTS_KC_HEAP", "-Xms256m -Xmx768m");
        env.put("HC_KEYCLOAK_ARGS", "--import-realm");
        StringBuilder file = new StringBuilder("# Written by PackagesIT as an admin would.\n");
        env.forEach((name, value) -> file.append(name).append('=').append(value).append('\n'));
        return file.toString();
    }

    private static String gatewayConfig(Stack stack, String keycloakUrl, int port) {
        return """
                listen:
                  host: 127.0.0.1
                  port: %d
                publicUrl: http://127.0.0.1:%d
                oidc:
                  issuer: %s/realms/hospiconnect
                  clientId: hc-gateway
                  clientSecretEnv: HC_GATEWAY_CLIENT_SECRET
                audit:
                  dir: /var/lib/hc-gateway/audit
                routes:
                  - id: demo-app
                    path: /
                    upstream: %s
                """.formatted(port, port, keycloakUrl, stack.demoAppUrl());
    }

    private void assertRefusal(String line) throws Exception {
        Path log = work.resolve("refused.log");
        Process process = startUnit(GATEWAY_UNIT, log);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(78);
        assertThat(Files.readString(log).strip()).isEqualTo("hc-gateway: " + line);
        started.remove(process);
    }

    /**
     * Starts a unit as systemd would: its ExecStart, as its User, in its WorkingDirectory, with only
     * the variables of its EnvironmentFile (and a PATH), all read from the installed unit file.
     */
    private Process startUnit(Path unit, Path log) throws IOException {
        Map<String, String> service = service(unit);
        List<String> command = new ArrayList<>(List.of("runuser", "-u", service.get("User"), "--"));
        command.addAll(List.of(service.get("ExecStart").split(" ")));
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of(service.get("WorkingDirectory")).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().putAll(environmentFile(Path.of(service.get("EnvironmentFile"))));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** The [Service] section's settings (the last value of a repeated key). */
    private static Map<String, String> service(Path unit) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        boolean inService = false;
        for (String line : Files.readAllLines(unit)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("[")) {
                inService = trimmed.equals("[Service]");
            } else if (inService && !trimmed.startsWith("#") && trimmed.contains("=")) {
                settings.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
            }
        }
        return settings;
    }

    /** systemd's EnvironmentFile: NAME=value lines, comments and blank lines ignored. */
    private static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains("=")) {
                env.put(trimmed.substring(0, trimmed.indexOf('=')), trimmed.substring(trimmed.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static void writeSecret(Path file, String content, String group, String mode) throws Exception {
        Files.writeString(file, content);
        run("chown", "root:" + group, file.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private void stopAll() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : started) {
            try {
                // Keycloak and the gateway sign their last audit checkpoint on the way out: let them.
                process.onExit().get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        started.clear();
    }

    private void awaitOk(String url, Process process, Duration patience, Path log) throws Exception {
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("exited early; log %s:%n%s", log, Files.exists(log) ? Files.readString(log) : "").isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " not answering after " + patience + " (log " + log + ")");
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<Path> files(String dir, String prefix) throws IOException {
        try (var listed = Files.list(Path.of(dir))) {
            List<Path> found = listed.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
            assertThat(found).as("audit files in %s", dir).isNotEmpty();
            return found;
        }
    }

    private static Path deb(String name) throws IOException {
        try (var listed = Files.list(PACKAGES)) {
            return listed.filter(p -> p.getFileName().toString().startsWith(name + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + name + " package in " + PACKAGES));
        }
    }

    private static void purgeAll() throws Exception {
        run("dpkg", "--purge", "hc-gateway", "hc-keycloak-providers");
    }

    /** Runs a command to its end; fails with its output unless it exits 0. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s:%n%s", String.join(" ", command), output).isZero();
        return output;
    }
}
