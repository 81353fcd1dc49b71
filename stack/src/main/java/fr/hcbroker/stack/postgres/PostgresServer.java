package fr.hcbroker.stack.postgres;

import fr.hcbroker.stack.DebianPackages;
import fr.hcbroker.stack.StackException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server from Debian's package, for Keycloak's production profile in tests:
 * its own data directory and port on loopback, one database and one password-protected role.
 * PostgreSQL refuses to run as root, so as root its programs run as the package's postgres user.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    private PostgresServer(Path bin, Path dir, int port, String database, String user) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.database = database;
        this.user = user;
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        this.password = HexFormat.of().formatHex(secret);
    }

    /** Installs the package if needed, creates a cluster in a fresh directory and starts it on {@code port}. */
    public static PostgresServer start(int port, String database, String user) {
        DebianPackages.ensure("postgresql");
        try {
            Path dir = Files.createTempDirectory("hc-postgres-");
            PostgresServer server = new PostgresServer(binaries(), dir, port, database, user);
            server.initAndStart();
            return server;
        } catch (IOException e) {
            throw new StackException("cannot prepare a PostgreSQL directory: " + e.getMessage(), e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    private void initAndStart() throws IOException {
        if (asRoot()) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        Path data = dir.resolve("data");
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-E", "UTF8",
                "--auth-local=trust", "--auth-host=scram-sha-256"), true);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("postgres.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "-w", "-t", "60", "start"), true);
        // The role's password is hex: nothing in it needs quoting.
        run(List.of(bin.resolve("psql").toString(), "-h", dir.toString(), "-p", String.valueOf(port), "-U", "postgres",
                "-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'",
                "-c", "CREATE DATABASE " + database + " OWNER " + user), true);
    }

    @Override
    public void close() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                    "stop"), true);
        } catch (StackException | IOException e) {
            System.err.println("PostgreSQL did not stop cleanly: " + e.getMessage());
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    private void run(List<String> command, boolean asPostgres) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres && asRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new StackException(Path.of(command.get(0)).getFileName() + " failed: " + output.strip()
                        .replace(password, "***"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0));
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed major version's programs. */
    private static Path binaries() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new StackException("no PostgreSQL server programs under /usr/lib/postgresql"));
        }
    }
}
