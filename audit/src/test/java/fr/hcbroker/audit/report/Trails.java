package fr.hcbroker.audit.report;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Writes trails with known content through the real writer (chain, signed checkpoints). */
final class Trails {

    private Trails() {
    }

    static AuditRecord gateway(String ts, String outcome, String user, String loa, List<String> amr, String route) {
        return new AuditRecord(ts, "gateway", outcome.equals("allow") ? "access" : "deny", outcome, "policy", user, null, loa,
                amr, "s", route, "GET", "/", 200, "10.0.0.1", "r", Map.of());
    }

    static AuditRecord keycloak(String ts, String event, String outcome, String user, String loa, List<String> amr,
                                String client, String idp) {
        Map<String, String> details = idp == null ? Map.of("client", client) : Map.of("client", client, "identity_provider", idp);
        return new AuditRecord(ts, "keycloak", event, outcome, null, user, null, loa, amr, "ks", null, null, null, null,
                "10.0.0.2", null, details);
    }

    /** Writes records to {@code <prefix>-<day>.jsonl} in dir, continuing the chain already there; returns the file. */
    static Path write(Path dir, String prefix, String day, List<AuditRecord> records) throws IOException {
        Clock clock = Clock.fixed(Instant.parse(day + "T12:00:00Z"), ZoneOffset.UTC);
        try (AuditWriter writer = new AuditWriter(dir, prefix, Duration.ofMillis(5), 1000, Duration.ofHours(1), clock)) {
            List<java.util.concurrent.CompletableFuture<Void>> acks = records.stream().map(r -> writer.append(r, false)).toList();
            acks.forEach(java.util.concurrent.CompletableFuture::join);
        }
        Path file = dir.resolve(prefix + "-" + day + ".jsonl");
        if (!Files.exists(file)) {
            throw new IllegalStateException("writer did not make " + file);
        }
        return file;
    }
}
