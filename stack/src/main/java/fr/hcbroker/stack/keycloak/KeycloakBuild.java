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

    /** Build-time options of every server we run; runtime options are in {@link KeycloakServer}. */
    public static final List<String> BUILD_OPTIONS = List.of(
            "--db=dev-file",
            // One node: no JGroups ports to collide with other servers on the machine.
            "--cache=local",
            "--health-enabled=true",
            "--metrics-enabled=true",
            // Build-time since 26.x: the https port asks for (never requires) a CPS card certificate.
            "--https-client-auth=request");

    private KeycloakBuild() {
    }

    public static void ensureBuilt(Path distribution) {
        Path kcSh = distribution.resolve("bin/kc.sh");
        if (!Files.isExecutable(kcSh)) {
            throw new KeycloakStartException("no Keycloak distribution at " + distribution
                    + " (run the Maven build first)", distribution.resolve("build.log"));
        }
        try (FileChannel lockFile = FileChannel.open(distribution.resolve(".hc-build.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Path marker = distribution.resolve(".hc-build-fingerprint");
            String fingerprint = fingerprint(distribution);
            if (Files.exists(marker) && Files.readString(marker).equals(fingerprint)) {
                return;
            }
            run(distribution, kcSh);
            Files.writeString(marker, fingerprint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build Keycloak at " + distribution, e);
        }
    }

    private static void run(Path distribution, Path kcSh) throws IOException {
        Path log = distribution.resolve("build.log");
        List<String> command = new java.util.ArrayList<>(List.of(kcSh.toString(), "build"));
        command.addAll(BUILD_OPTIONS);
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

    /** Digest of the build options and of every provider jar's bytes. */
    static String fingerprint(Path distribution) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
        digest.update(String.join(" ", BUILD_OPTIONS).getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(distribution.resolve("providers"))) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                digest.update(jar.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(jar));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
