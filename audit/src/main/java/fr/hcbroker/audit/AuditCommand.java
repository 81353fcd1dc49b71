package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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

/** {@code audit verify}, {@code search}, {@code forward}, {@code report}, {@code retention}, {@code emergencies}, {@code review}. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify, search, forward, report on and review hc-broker audit logs.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Search.class, AuditCommand.Forward.class,
                fr.hcbroker.audit.report.ReportCommand.class, AuditCommand.RetentionRun.class,
                EmergencyReview.Emergencies.class, EmergencyReview.Review.class})
public final class AuditCommand {

    @Command(name = "verify", description = {"Say OK, or name the first altered, removed, inserted or reordered record.",
            "Exit 0: intact and every record under a signed checkpoint; 1: a fault; 2: intact, but the last records"
                    + " are not signed yet (a running writer signs within a second: verify again)."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--key", description = "Checkpoint public key, a copy kept away from the logs"
                + " (default: audit-signing-key.pub beside the first file, which proves nothing to whoever could rewrite both).")
        Path key;

        @Parameters(arity = "1..*", description = "Audit files, oldest first.")
        List<Path> files;

        @Override
        public Integer call() throws Exception {
            Path keyFile = key != null ? key : files.get(0).toAbsolutePath().resolveSibling(CheckpointKeys.PUBLIC);
            PublicKey publicKey = Files.exists(keyFile) ? CheckpointKeys.loadPublic(keyFile) : null;
            AuditVerifier.Result result = AuditVerifier.verify(files, publicKey);
            System.out.println(result.message());
            if (key == null) {
                System.err.println("note: the checkpoints were checked with " + keyFile + ", beside the log: whoever"
                        + " can rewrite the log can replace it too. Give --key with a copy kept elsewhere.");
            }
            return !result.ok() ? 1 : result.proven() ? 0 : 2;
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

        /** Files are read line by line (a day's file is gigabytes); a line that is not a record is named on stderr and skipped. */
        @Override
        public Integer call() throws Exception {
            int skipped = 0;
            for (Path file : files) {
                try (AuditVerifier.Lines lines = new AuditVerifier.Lines(file)) {
                    long n = 0;
                    for (String line = lines.next(); line != null; line = lines.next()) {
                        n++;
                        JsonNode node = record(line);
                        if (node == null) {
                            System.err.println(file.getFileName() + " line " + n + ": not a record, skipped"
                                    + (lines.atEnd() ? " (cut by a crash?)" : " (run verify)"));
                            skipped++;
                            continue;
                        }
                        Instant ts = Instant.parse(node.path("ts").asText());
                        if ((user == null || user.equals(node.path("user").asText()))
                                && (idnat == null || idnat.equals(node.path("idnat").asText()))
                                && (route == null || route.equals(node.path("route").asText()))
                                && (from == null || !ts.isBefore(from)) && (to == null || ts.isBefore(to))) {
                            System.out.println(line);
                        }
                    }
                }
            }
            return skipped == 0 ? 0 : 1;
        }

        private static JsonNode record(String line) {
            if (line == AuditVerifier.Lines.TORN || line == AuditVerifier.Lines.TOO_LONG || line == AuditVerifier.Lines.NOT_UTF8) {
                return null;
            }
            try {
                JsonNode node = AuditChain.JSON.readTree(line);
                Instant.parse(node.path("ts").asText());
                return node;
            } catch (IOException | RuntimeException notARecord) {
                return null;
            }
        }
    }

    @Command(name = "forward", description = "Forward a directory's audit files to a SIEM as RFC 5424 syslog over TCP or TLS"
            + " (JVM trust store, e.g. -Djavax.net.ssl.trustStore=...), resuming from the saved position after an outage;"
            + " runs until stopped.")
    static final class Forward implements Callable<Integer> {
        @Option(names = "--host", required = true) String host;
        @Option(names = "--port", defaultValue = "6514") int port;
        // Two plain flags: picocli's negatable option with a true default reads a bare --tls as false.
        @Option(names = "--tls", description = "TLS, checking the SIEM's certificate and host name (the default).") boolean tls;
        @Option(names = "--no-tls", description = "Plain TCP (a trusted network only: records name people).") boolean plain;
        @Option(names = "--prefix", defaultValue = "gateway", description = "File prefix: gateway or keycloak.") String prefix;
        @Parameters(index = "0", description = "The audit directory.") Path dir;

        @Override
        public Integer call() throws Exception {
            if (tls && plain) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--tls and --no-tls: choose one");
            }
            try (SyslogForwarder forwarder = new SyslogForwarder(dir, prefix, host, port, !plain)) {
                Thread.currentThread().join();
            }
            return 0;
        }
    }

    @Command(name = "retention", description = {"Archive (gzip, signed manifest) a writer's days older than the online period,"
            + " and delete archived days older than the retention period; each step is a record of the retention chain."
            + " Run daily, as the user that owns the audit directory.",
            "Exit 0: done; 1: some day was not archived (it does not verify, or the disk refused): it is named and kept."})
    static final class RetentionRun implements Callable<Integer> {
        @Option(names = "--prefix", defaultValue = "gateway", description = "Writer: gateway or keycloak.") String prefix;
        @Option(names = "--online-days", defaultValue = "183", description = "Days kept online (default 183, about 6 months).")
        int onlineDays;
        @Option(names = "--retention-days", defaultValue = "365", description = "Days kept in all, online then archived"
                + " (default 365).") int retentionDays;
        @Parameters(index = "0", description = "The audit directory (with audit-signing-key).") Path dir;

        @Override
        public Integer call() throws Exception {
            Retention.Outcome outcome = new Retention(dir, prefix, java.time.Duration.ofDays(onlineDays),
                    java.time.Duration.ofDays(retentionDays), java.time.Clock.systemUTC()).run();
            outcome.archived().forEach(f -> System.out.println("archived: " + f));
            outcome.purged().forEach(f -> System.out.println("purged: " + f));
            outcome.refused().forEach(f -> System.err.println(f));
            return outcome.refused().isEmpty() ? 0 : 1;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditCommand()).execute(args));
    }
}
