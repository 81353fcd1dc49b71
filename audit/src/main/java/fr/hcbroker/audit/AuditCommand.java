package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code audit verify FILES...} and {@code audit search ... FILES...}. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and search hc-broker audit logs.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Search.class, AuditCommand.Forward.class})
public final class AuditCommand {

    @Command(name = "verify", description = "Say OK, or name the first altered, removed, inserted or reordered record.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--key", description = "Checkpoint public key (default: audit-signing-key.pub beside the first file).")
        Path key;

        @Parameters(arity = "1..*", description = "Audit files, oldest first.")
        List<Path> files;

        @Override
        public Integer call() throws Exception {
            Path keyFile = key != null ? key : files.get(0).toAbsolutePath().resolveSibling(CheckpointKeys.PUBLIC);
            PublicKey publicKey = Files.exists(keyFile) ? CheckpointKeys.loadPublic(keyFile) : null;
            AuditVerifier.Result result = AuditVerifier.verify(files, publicKey);
            System.out.println(result.message());
            return result.ok() ? 0 : 1;
        }
    }

    @Command(name = "search", description = "Print the records that match every filter given.")
    static final class Search implements Callable<Integer> {
        @Option(names = "--user") String user;
        @Option(names = "--idnat") String idnat;
        @Option(names = "--route") String route;
        @Option(names = "--from", description = "RFC 3339 instant, inclusive.") Instant from;
        @Option(names = "--to", description = "RFC 3339 instant, exclusive.") Instant to;
        @Parameters(arity = "1..*") List<Path> files;

        @Override
        public Integer call() throws Exception {
            for (Path file : files) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode node = AuditChain.JSON.readTree(line);
                    Instant ts = Instant.parse(node.path("ts").asText());
                    if ((user == null || user.equals(node.path("user").asText()))
                            && (idnat == null || idnat.equals(node.path("idnat").asText()))
                            && (route == null || route.equals(node.path("route").asText()))
                            && (from == null || !ts.isBefore(from)) && (to == null || ts.isBefore(to))) {
                        System.out.println(line);
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "forward", description = "Forward a directory's audit files to a SIEM as RFC 5424 syslog over TCP or TLS"
            + " (JVM trust store, e.g. -Djavax.net.ssl.trustStore=...), resuming from the saved position after an outage;"
            + " runs until stopped.")
    static final class Forward implements Callable<Integer> {
        @Option(names = "--host", required = true) String host;
        @Option(names = "--port", defaultValue = "6514") int port;
        @Option(names = "--tls", negatable = true, defaultValue = "true", description = "TLS (default) or plain TCP.") boolean tls;
        @Option(names = "--prefix", defaultValue = "gateway", description = "File prefix: gateway or keycloak.") String prefix;
        @Parameters(index = "0", description = "The audit directory.") Path dir;

        @Override
        public Integer call() throws Exception {
            try (SyslogForwarder forwarder = new SyslogForwarder(dir, prefix, host, port, tls)) {
                Thread.currentThread().join();
            }
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditCommand()).execute(args));
    }
}
