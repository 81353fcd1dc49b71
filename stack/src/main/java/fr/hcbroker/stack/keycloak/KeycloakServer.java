package fr.hcbroker.stack.keycloak;

import fr.hcbroker.stack.cardproxy.CardProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The real Keycloak distribution, run as a child process. The distribution is built once
 * ({@link KeycloakBuild}); each server gets its own copy of it so servers never share a database.
 */
public final class KeycloakServer implements AutoCloseable {

    /** About 30 s on an idle machine; a machine shared by parallel builds has taken over 4 minutes. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);

    private final KeycloakOptions options;
    private Process process;

    public KeycloakServer(KeycloakOptions options) {
        this.options = options;
    }

    public KeycloakOptions options() {
        return options;
    }

    public Path logFile() {
        return options.home().resolve("keycloak.log");
    }

    /** Builds if needed, lays out a fresh home, starts the server and waits until it is ready. */
    public void start() {
        KeycloakOptions.Cluster cluster = options.cluster();
        Path built = KeycloakBuild.ensureBuilt(options.distribution(),
                cluster == null ? KeycloakBuild.Profile.DEV : KeycloakBuild.Profile.PRODUCTION);
        Path home = freshHome(built);
        List<String> command = new ArrayList<>(List.of(
                home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                "--http-enabled=true",
                // This machine only (management port included): the demo's admin is admin/admin.
                "--http-host=127.0.0.1",
                "--http-port=" + options.httpPort(),
                "--https-port=" + options.httpsPort(),
                "--http-management-port=" + options.managementPort(),
                "--http-management-scheme=http",
                "--hostname-strict=false",
                "--import-realm"));
        KeycloakOptions.Tls tls = options.tls();
        command.add("--https-key-store-file=" + tls.keyStore());
        command.add("--https-key-store-type=PKCS12");
        command.add("--https-trust-store-file=" + tls.trustStore());
        command.add("--https-trust-store-type=PKCS12");
        // The browser's address in Keycloak's events (and so in its audit records) for card logins too:
        // X-Forwarded-For is believed from the card proxy alone, which connects from its own address.
        command.add("--proxy-headers=xforwarded");
        command.add("--proxy-trusted-addresses=" + CardProxy.SOURCE_ADDRESS);
        // A run-time option in Keycloak 26.7 (ignored by kc.sh build): a lone node has no JGroups ports to
        // collide with other servers on the machine; a cluster node uses Keycloak's Infinispan cluster.
        command.add(cluster == null ? "--cache=local" : "--cache=ispn");
        if (cluster != null) {
            command.add("--db-url=" + cluster.jdbcUrl());
            command.add("--db-username=" + cluster.dbUser());
            command.add("--cache-embedded-network-bind-address=127.0.0.1");
            command.add("--cache-embedded-network-bind-port=" + cluster.bindPort());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile().toFile());
        builder.environment().putAll(options.environment());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", options.adminUser());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", options.adminPassword());
        // Passwords for stores go through the environment, not the command line (visible in ps).
        builder.environment().put("KC_HTTPS_KEY_STORE_PASSWORD", tls.keyStorePassword());
        builder.environment().put("KC_HTTPS_TRUST_STORE_PASSWORD", tls.trustStorePassword());
        if (cluster != null) {
            builder.environment().put("KC_DB_PASSWORD", cluster.dbPassword());
        }
        builder.environment().putIfAbsent("JAVA_OPTS_KC_HEAP", "-Xms256m -Xmx1g");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new KeycloakStartException("cannot run " + command.get(0) + ": " + e.getMessage(), logFile());
        }
        awaitReady();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    private Path freshHome(Path built) {
        Path home = options.home();
        try {
            if (Files.exists(home)) {
                Tree.delete(home);
            }
            Tree.copy(built, home);
            Path imports = Files.createDirectories(home.resolve("data/import"));
            for (Path realm : options.realmFiles()) {
                Files.copy(realm, imports.resolve(realm.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Keycloak home " + home, e);
        }
        return home;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://localhost:" + options.managementPort() + "/health/ready");
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new KeycloakStartException("Keycloak exited with status " + process.exitValue()
                        + firstError().map(e -> ": " + e).orElse(""), logFile());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(ready).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KeycloakStartException("interrupted while waiting for Keycloak", logFile());
            }
            sleep(500);
        }
        stop();
        throw new KeycloakStartException("Keycloak was not ready within " + READY_TIMEOUT.toSeconds() + " s", logFile());
    }

    /**
     * The first ERROR line of the log, usually the one that says what is wrong (a bad realm file...),
     * or else the last line (the launcher's own complaints are not marked ERROR).
     */
    public Optional<String> firstError() {
        try (Stream<String> lines = Files.lines(logFile(), StandardCharsets.UTF_8)) {
            List<String> all = lines.map(String::strip).filter(l -> !l.isEmpty()).toList();
            return all.stream().filter(l -> l.contains("ERROR")).findFirst()
                    .or(() -> all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1)));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Stops the server and every process it started; waits for them to end. */
    public void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
