package fr.hcbroker.stack;

import fr.hcbroker.stack.keycloak.KeycloakStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hc-demo up|down}: the README's main command. */
@Command(name = "hc-demo", mixinStandardHelpOptions = true,
        description = "Runs the hc-broker demo stack: Keycloak, the PSC stand-in, the gateway and the demo app.",
        subcommands = {StackMain.Up.class, StackMain.Down.class, StackMain.Tls.class})
public final class StackMain implements Callable<Integer> {

    @Option(names = "--work-dir", defaultValue = "target/demo",
            description = "Where the run writes Keycloak's home, keys, cards, accounts and logs (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Override
    public Integer call() {
        return new CommandLine(new Up()).execute();
    }

    Path pidFile() {
        return workDir.resolve("stack.pid");
    }

    @Command(name = "up", description = "Start the stack in the foreground; Ctrl-C stops everything it started.")
    static final class Up implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain parent;

        @Option(names = "--keycloak-dist", description = "Unpacked Keycloak with our providers (default: stack/target/keycloak-dist/keycloak-*).")
        Path keycloakDist;

        @Option(names = "--realms", defaultValue = "realms", description = "Folder of realm templates (default: ${DEFAULT-VALUE}).")
        Path realms;

        @Option(names = "--gateway-jar", description = "The gateway's runnable jar (default: gateway/target/hc-gateway-*-app.jar).")
        Path gatewayJar;

        @Override
        public Integer call() {
            Path workDir = parent == null ? Path.of("target/demo") : parent.workDir;
            Path pidFile = workDir.resolve("stack.pid");
            Optional<ProcessHandle> running = runningStack(pidFile);
            if (running.isPresent()) {
                System.err.println("hc-demo: error: a stack is already running (pid " + running.get().pid()
                        + "); stop it with ./hc-demo down");
                return 1;
            }
            String adminUser = envOr("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            String adminPassword = envOr("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
            Stack stack;
            try {
                stack = new Stack(new StackSettings(
                        keycloakDist != null ? keycloakDist : single(Path.of("stack/target/keycloak-dist"), "keycloak-"),
                        realms, workDir,
                        Optional.of(gatewayJar != null ? gatewayJar : single(Path.of("gateway/target"), "hc-gateway-", "-app.jar")),
                        StackPorts.defaults(), adminUser, adminPassword, true));
            } catch (StackException e) {
                System.err.println("hc-demo: error: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stack.close();
                deleteQuietly(pidFile);
            }, "hc-demo-shutdown"));
            try {
                Files.createDirectories(workDir);
                Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
                System.out.println("hc-demo: starting Keycloak, the PSC stand-in, the demo app and the gateway...");
                stack.start();
            } catch (StackException | KeycloakStartException | IOException e) {
                System.err.println("hc-demo: error: " + e.getMessage());
                stack.close();
                deleteQuietly(pidFile);
                return 1;
            }
            System.out.printf("""
                    hc-broker demo is up.
                      Demo app through the gateway: %s/
                      Keycloak, for browsers:       %s/   (https only, through the card proxy: a CPS card
                                                    in the browser logs in at eidas3; cards: %s)
                      Keycloak admin console:       %s/admin/   (login %s / %s)
                      Realm hospiconnect:           %s/realms/hospiconnect/account/
                      PSC stand-in realm:           %s/realms/esante-wallet/
                      Test CA of %s (trust it in the browser): %s
                      Demo app, unprotected:        %s/
                      Demo accounts (passwords, TOTP seeds): %s
                      Logs and keys:                %s
                    Ctrl-C (or ./hc-demo down) stops everything.
                    """, stack.gatewayUrl(), stack.publicKeycloakUrl(), stack.cards().pki().cardsDir().toAbsolutePath(),
                    stack.publicKeycloakUrl(), adminUser,
                    adminPassword.equals("admin") ? "admin" : "(from KC_BOOTSTRAP_ADMIN_PASSWORD)",
                    stack.publicKeycloakUrl(), stack.publicKeycloakUrl(), stack.publicKeycloakUrl(),
                    stack.serverCaPem().toAbsolutePath(), stack.demoAppUrl(),
                    stack.accountsFile().toAbsolutePath(), workDir.toAbsolutePath());
            try {
                Thread.currentThread().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    @Command(name = "down", description = "Stop a stack started by 'up' and every process it started.")
    static final class Down implements Callable<Integer> {
        @CommandLine.ParentCommand
        StackMain parent;

        @Override
        public Integer call() throws InterruptedException {
            Path pidFile = parent.pidFile();
            Optional<ProcessHandle> running = runningStack(pidFile);
            if (running.isEmpty()) {
                System.out.println("hc-demo: no stack is running");
                deleteQuietly(pidFile);
                return 0;
            }
            ProcessHandle stack = running.get();
            stack.destroy();
            try {
                stack.onExit().get(90, TimeUnit.SECONDS);
                System.out.println("hc-demo: stopped (pid " + stack.pid() + ")");
                return 0;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.err.println("hc-demo: error: pid " + stack.pid() + " did not stop within 90 s");
                return 1;
            }
        }
    }

    @Command(name = "tls", description = "Write an evaluation TLS set for docker/compose.yaml (a test CA, localhost,"
            + " the card proxy's client certificate, test IGC-Sante roots) into DIR.")
    static final class Tls implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "DIR", description = "Where to write (docker/tls for the compose file).")
        Path dir;

        @Override
        public Integer call() throws IOException {
            fr.hcbroker.stack.pki.ServerTls tls = fr.hcbroker.stack.pki.ServerTls.generate(dir);
            Path pki = Files.createTempDirectory("hc-test-pki-");
            try {
                // Only the roots' names matter to the card proxy; the test cards made with them stay behind.
                Path roots = fr.hcbroker.stack.pki.IgcSanteTestPki.generate(pki, "http://127.0.0.1:1/ocsp",
                        "http://127.0.0.1:1/crl/").rootsPem();
                Files.copy(roots, dir.resolve("igc-sante-roots.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                try (Stream<Path> paths = Files.walk(pki)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            // Evaluation keys: the containers run as users of their own, so they must be able to read them.
            for (Path key : java.util.List.of(tls.serverKeyPem(), tls.proxyKeyPem())) {
                Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            System.out.println("hc-demo: evaluation TLS files written to " + dir.toAbsolutePath()
                    + "; browsers must trust " + tls.caPem().toAbsolutePath());
            return 0;
        }
    }

    /** The pid file counts only if its process is alive and is a Java process (pids are reused). */
    static Optional<ProcessHandle> runningStack(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static Path single(Path dir, String prefix) {
        return single(dir, prefix, "");
    }

    /** The one file in {@code dir} named prefix…suffix, or an error that says how to get it. */
    static Path single(Path dir, String prefix, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(suffix))
                    .findFirst()
                    .orElseThrow(() -> new StackException("nothing named " + prefix + "*" + suffix + " in " + dir
                            + " (run the Maven build first)"));
        } catch (IOException e) {
            throw new StackException(dir + " does not exist (run the Maven build first)", e);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort at shutdown
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StackMain()).execute(args));
    }
}
