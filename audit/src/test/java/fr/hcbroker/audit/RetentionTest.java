package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Retention: days archived, then purged, the trail still verifying")
class RetentionTest {

    static final Duration ONLINE = Duration.ofDays(30);
    static final Duration KEPT = Duration.ofDays(90);

    @TempDir
    Path dir;

    static Clock at(String day) {
        return Clock.fixed(Instant.parse(day + "T03:00:00Z"), ZoneOffset.UTC);
    }

    static void writeDay(Path dir, String day, int records) {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 1000, Duration.ofHours(1), at(day))) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                acks.add(writer.append(AuditTrailTest.record(i), false));
            }
            acks.forEach(CompletableFuture::join);
        }
    }

    @BeforeEach
    void threeDays() {
        writeDay(dir, "2026-01-01", 5);
        writeDay(dir, "2026-01-02", 7);
        writeDay(dir, "2026-03-01", 3);
    }

    PublicKey key() throws Exception {
        return CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC));
    }

    Path archive() {
        return dir.resolve(Retention.ARCHIVE);
    }

    List<String> names(Path in) throws IOException {
        try (Stream<Path> files = Files.list(in)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void daysPastTheOnlinePeriodAreArchivedAndTheWholePeriodStillVerifies() throws Exception {
        Retention.Outcome outcome = new Retention(dir, "gateway", ONLINE, KEPT, at("2026-03-05")).run();
        assertThat(outcome.archived()).containsExactly("gateway-2026-01-01.jsonl", "gateway-2026-01-02.jsonl");
        assertThat(outcome.refused()).isEmpty();
        assertThat(names(dir)).doesNotContain("gateway-2026-01-01.jsonl", "gateway-2026-01-01.jsonl.checkpoints")
                .contains("gateway-2026-03-01.jsonl");
        assertThat(names(archive())).containsExactly("gateway-2026-01-01.jsonl.checkpoints.gz", "gateway-2026-01-01.jsonl.gz",
                "gateway-2026-01-02.jsonl.checkpoints.gz", "gateway-2026-01-02.jsonl.gz", "manifest.jsonl");
        assertThat(Retention.verifyManifest(archive(), key())).isNull();

        AuditVerifier.Result whole = AuditVerifier.verify(List.of(archive().resolve("gateway-2026-01-01.jsonl.gz"),
                archive().resolve("gateway-2026-01-02.jsonl.gz"), dir.resolve("gateway-2026-03-01.jsonl")), key());
        assertThat(whole.proven()).as(whole.message()).isTrue();
        assertThat(whole.records()).isEqualTo(15);

        Path retention = dir.resolve("retention-2026-03-05.jsonl");
        AuditVerifier.Result trail = AuditVerifier.verify(List.of(retention), key());
        assertThat(trail.proven()).as(trail.message()).isTrue();
        assertThat(Files.readString(retention)).contains("\"event\":\"retention-archive\"", "gateway-2026-01-02.jsonl");
    }

    @Test
    void archivedDaysPastTheRetentionPeriodArePurgedAndThePurgeIsARecord() throws Exception {
        new Retention(dir, "gateway", ONLINE, KEPT, at("2026-03-05")).run();
        Retention.Outcome later = new Retention(dir, "gateway", ONLINE, KEPT, at("2026-04-01")).run();
        assertThat(later.purged()).containsExactly("gateway-2026-01-01.jsonl");
        assertThat(later.archived()).containsExactly("gateway-2026-03-01.jsonl");
        assertThat(names(archive())).doesNotContain("gateway-2026-01-01.jsonl.gz", "gateway-2026-01-01.jsonl.checkpoints.gz")
                .contains("gateway-2026-01-02.jsonl.gz", "gateway-2026-03-01.jsonl.gz");
        assertThat(Files.readString(dir.resolve("retention-2026-04-01.jsonl")))
                .contains("\"event\":\"retention-purge\"", "gateway-2026-01-01.jsonl", "retention period of 90 days over");
        AuditVerifier.Result trail = AuditVerifier.verify(List.of(dir.resolve("retention-2026-03-05.jsonl"),
                dir.resolve("retention-2026-04-01.jsonl")), key());
        assertThat(trail.proven()).as(trail.message()).isTrue();
        // The manifest keeps the purged day's signed line: what was archived stays on record.
        assertThat(Files.readString(archive().resolve("manifest.jsonl"))).contains("gateway-2026-01-01.jsonl");
        assertThat(Retention.verifyManifest(archive(), key())).isNull();
    }

    @Test
    void aDiskThatFillsUpDuringTheArchiveDeletesNothing() throws Exception {
        Retention.Output fullAfter100Bytes = file -> new FilterOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (file.getFileName().toString().startsWith("gateway-2026-01-02") && ++written > 100) {
                    throw new IOException("No space left on device");
                }
                super.write(b);
            }
        };
        Retention.Outcome outcome = new Retention(dir, "gateway", ONLINE, KEPT, at("2026-03-05"), fullAfter100Bytes).run();
        assertThat(outcome.archived()).containsExactly("gateway-2026-01-01.jsonl");
        assertThat(outcome.refused()).singleElement().asString()
                .startsWith("gateway-2026-01-02.jsonl: not archived, nothing deleted").contains("No space left");
        assertThat(names(dir)).contains("gateway-2026-01-02.jsonl", "gateway-2026-01-02.jsonl.checkpoints");
        assertThat(names(archive())).noneMatch(n -> n.startsWith("gateway-2026-01-02") || n.endsWith(".tmp"));
        AuditVerifier.Result rest = AuditVerifier.verify(List.of(archive().resolve("gateway-2026-01-01.jsonl.gz"),
                dir.resolve("gateway-2026-01-02.jsonl"), dir.resolve("gateway-2026-03-01.jsonl")), key());
        assertThat(rest.proven()).as(rest.message()).isTrue();
    }

    @Test
    void aDayThatDoesNotVerifyIsNeitherArchivedNorDeleted() throws Exception {
        Path day = dir.resolve("gateway-2026-01-01.jsonl");
        Files.writeString(day, Files.readString(day).replace("\"user1\"", "\"mallory\""));
        Retention.Outcome outcome = new Retention(dir, "gateway", ONLINE, KEPT, at("2026-03-05")).run();
        assertThat(outcome.refused()).singleElement().asString().startsWith("gateway-2026-01-01.jsonl: not archived, it does not verify");
        assertThat(day).exists();
    }

    @Test
    void anArchiveThatNoLongerMatchesItsSignedManifestIsNamed() throws Exception {
        new Retention(dir, "gateway", ONLINE, KEPT, at("2026-03-05")).run();
        Path gz = archive().resolve("gateway-2026-01-02.jsonl.gz");
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("{\"forged\":true}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(Retention.verifyManifest(archive(), key())).isEqualTo(
                "gateway-2026-01-02.jsonl.gz: differs from the SHA-256 its manifest line signs");
        Files.delete(archive().resolve("manifest.jsonl"));
        assertThat(Retention.verifyManifest(archive(), key())).endsWith(": not in the signed manifest");
    }
}
