package fr.hcbroker.stack.keycloak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs {@code kc.sh build} on a distribution when its providers or build options changed, so that
 * servers start with {@code --optimized} (seconds) instead of re-augmenting at every start.
 */
public final class KeycloakBuild {

    /** Build-time options of the servers we run; runtime options are in {@link KeycloakServer}. */
    public enum Profile {
        /** One node with its own file database: the demo and most tests. */
        DEV("--db=dev-file"),
        /**
         * A node of a cluster: PostgreSQL, Keycloak's own Infinispan caches, members discovered
         * through the database (Keycloak's default jdbc-ping stack).
         */
        PRODUCTION("--db=postgres");

        private final List<String> options;

        Profile(String... own) {
            List<String> all = new java.util.ArrayList<>(List.of(own));
            all.addAll(List.of("--health-enabled=true", "--metrics-enabled=true",
                    // keycloak_user_events_total: the login-failure and OCSP alerts (monitoring/) count it.
                    "--event-metrics-user-enabled=true",
                    // Build-time since 26.x: the https port asks for (never requires) a CPS card certificate.
                    "--https-client-auth=request",
                    // Our lookup: direct TLS, or the card proxy's header when the proxy proves itself by mTLS.
                    "--spi-x509cert-lookup--provider=hc-card"));
            this.options = List.copyOf(all);
        }

        public List<String> options() {
            return options;
        }
    }

    private KeycloakBuild() {
    }

    /**
     * The distribution built for {@code profile}: the unpacked one itself for DEV, a copy beside it
     * ({@code <dist>-production}) for PRODUCTION, so both can serve in one test run.
     */
    public static Path ensureBuilt(Path distribution, Profile profile) {
        Path kcSh = distribution.resolve("bin/kc.sh");
        if (!Files.isExecutable(kcSh)) {
            throw new KeycloakStartException("no Keycloak distribution at " + distribution
                    + " (run the Maven build first)", distribution.resolve("build.log"));
        }
        Path target = profile == Profile.DEV ? distribution
                : distribution.resolveSibling(distribution.getFileName() + "-" + profile.name().toLowerCase(java.util.Locale.ROOT));
        try (FileChannel lockFile = FileChannel.open(distribution.resolve(".hc-build.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Path marker = target.resolve(".hc-build-fingerprint");
            String fingerprint = fingerprint(distribution, profile);
            if (Files.exists(marker) && Files.readString(marker).equals(fingerprint)) {
                return target;
            }
            if (!target.equals(distribution)) {
                if (Files.exists(target)) {
                    Tree.delete(target);
                }
                Tree.copy(distribution, target);
            }
            run(target, target.resolve("bin/kc.sh"), profile);
            Files.writeString(marker, fingerprint);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build Keycloak at " + target, e);
        }
    }

    private static void run(Path distribution, Path kcSh, Profile profile) throws IOException {
        Path log = distribution.resolve("build.log");
        List<String> command = new java.util.ArrayList<>(List.of(kcSh.toString(), "build"));
        command.addAll(profile.options());
        Process process = new ProcessBuilder(command)
                .directory(distribution.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int status = process.waitFor();
            if (status != 0) {
                String error;
                try (Stream<String> lines = Files.lines(log)) {
                    error = lines.filter(l -> l.contains("ERROR")).findFirst().orElse("exit status " + status);
                }
                throw new KeycloakStartException("kc.sh build failed: " + error.strip(), log);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KeycloakStartException("interrupted during kc.sh build", log);
        }
    }

    /**
     * Digest of the build options and of every provider jar's bytes and modification time: Keycloak
     * refuses to start when a jar is newer than its build, even with the same bytes (a rebuild that
     * changed nothing still copies the jars).
     */
    static String fingerprint(Path distribution, Profile profile) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
        digest.update(String.join(" ", profile.options()).getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(distribution.resolve("providers"))) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                digest.update(jar.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(jar));
                digest.update(Long.toString(Files.getLastModifiedTime(jar).toMillis()).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
