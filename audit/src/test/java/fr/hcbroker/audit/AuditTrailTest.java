package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The audit trail")
class AuditTrailTest {

    @TempDir
    Path dir;

    static AuditRecord record(int i) {
        return new AuditRecord(AuditRecord.timestamp(Instant.now()), "gateway", "access", "allow", "policy satisfied",
                "user" + i, "899700000013", "eidas2", List.of("pwd", "otp", "mfa"), "s" + i, "demo-app", "GET",
                "/echo/" + i, 200, "127.0.0.1", "r" + i, Map.of());
    }

    static Path write(Path dir, int n, Clock clock) {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(20), 5, Duration.ofHours(1), clock)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                acks.add(writer.append(record(i), i % 7 == 0));
            }
            acks.forEach(CompletableFuture::join);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static PublicKey key(Path dir) throws Exception {
        return CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC));
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        Path file = write(dir, 23, Clock.systemUTC());
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.records()).isEqualTo(23);
        // Every 5 records, and one at close for the last 3.
        assertThat(Files.readAllLines(file.resolveSibling(file.getFileName() + ".checkpoints")))
                .hasSize(5).last().asString().contains("\"count\":23");
    }

    @Test
    void aQuietWriterVouchesForItsLastRecordsWithinTheInterval() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 1000, Duration.ofMillis(200),
                Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                writer.append(record(i), false).join();
            }
            Path file;
            try (Stream<Path> files = Files.list(dir)) {
                file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
            }
            Path checkpoints = file.resolveSibling(file.getFileName() + ".checkpoints");
            // Far fewer records than the count, and no more coming: the time alone brings the checkpoint.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!(Files.exists(checkpoints) && Files.readString(checkpoints).contains("\"count\":3"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readAllLines(checkpoints)).hasSize(1).first().asString().contains("\"count\":3");
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Files.write(file, lines.subList(0, 2), StandardCharsets.UTF_8);
            assertThat(AuditVerifier.verify(List.of(file), key(dir)).message())
                    .contains("truncated: a signed checkpoint vouches for 3 records, the file has 2");
        }
    }

    @Test
    void aRestartedWriterContinuesTheChain() throws Exception {
        write(dir, 6, Clock.systemUTC());
        Path file = write(dir, 6, Clock.systemUTC());
        assertThat(Files.readAllLines(file)).hasSize(12);
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).ok()).isTrue();
    }

    @Test
    void aNewDayStartsANewFileLinkedToThePreviousOne() throws Exception {
        Clock day1 = Clock.fixed(Instant.parse("2026-11-21T23:59:00Z"), ZoneOffset.UTC);
        Clock day2 = Clock.fixed(Instant.parse("2026-11-22T00:01:00Z"), ZoneOffset.UTC);
        write(dir, 4, day1);
        write(dir, 4, day2);
        Path first = dir.resolve("gateway-2026-11-21.jsonl");
        Path second = dir.resolve("gateway-2026-11-22.jsonl");
        assertThat(AuditVerifier.verify(List.of(first, second), key(dir)).message())
                .startsWith("OK: 8 records").contains("from the first record ever written");
        assertThat(AuditVerifier.verify(List.of(second), key(dir)).message())
                .startsWith("OK: 4 records").contains("continuing a chain");
        AuditVerifier.Result reversed = AuditVerifier.verify(List.of(second, first), key(dir));
        assertThat(reversed.ok()).isFalse();
        assertThat(reversed.message()).contains("previous file");
    }

    @Test
    void aBatchSpanningMidnightPutsEachRecordInItsOwnDaysFile() throws Exception {
        // Each reading of this clock is one minute later: the one batch below crosses midnight.
        Clock ticking = new Clock() {
            private Instant now = Instant.parse("2026-11-21T23:56:30Z");

            @Override
            public synchronized Instant instant() {
                now = now.plusSeconds(60);
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(500), 2, Duration.ofHours(1), ticking)) {
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                acks.add(writer.append(record(i), false));
            }
            acks.forEach(CompletableFuture::join);
        }
        Path first = dir.resolve("gateway-2026-11-21.jsonl");
        Path second = dir.resolve("gateway-2026-11-22.jsonl");
        assertThat(Files.readAllLines(first)).isNotEmpty();
        assertThat(Files.readAllLines(first).size() + Files.readAllLines(second).size()).isEqualTo(8);
        AuditVerifier.Result result = AuditVerifier.verify(List.of(first, second), key(dir));
        assertThat(result.ok()).as(result.message()).isTrue();
    }

    static Stream<Arguments> tampering() {
        return Stream.of(
                Arguments.of("edit a field", (UnaryOperator<List<String>>) lines -> {
                    lines.set(9, lines.get(9).replace("\"user9\"", "\"someone-else\""));
                    return lines;
                }, "line 10: record altered"),
                Arguments.of("add a field", (UnaryOperator<List<String>>) lines -> {
                    lines.set(3, lines.get(3).replace("{\"ts\"", "{\"token\":\"x\",\"ts\""));
                    return lines;
                }, "line 4: record altered"),
                Arguments.of("delete a line", (UnaryOperator<List<String>>) lines -> {
                    lines.remove(6);
                    return lines;
                }, "line 7: does not follow"),
                Arguments.of("swap two lines", (UnaryOperator<List<String>>) lines -> {
                    String a = lines.get(11);
                    lines.set(11, lines.get(12));
                    lines.set(12, a);
                    return lines;
                }, "line 12: does not follow"),
                Arguments.of("insert a line", (UnaryOperator<List<String>>) lines -> {
                    lines.add(4, lines.get(2));
                    return lines;
                }, "line 5: does not follow"),
                Arguments.of("truncate after a checkpoint", (UnaryOperator<List<String>>) lines ->
                        new ArrayList<>(lines.subList(0, 17)), "truncated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampering")
    void verifyNamesTheFirstFault(String what, UnaryOperator<List<String>> tamper, String expected) throws Exception {
        Path file = write(dir, 23, Clock.systemUTC());
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        Files.write(file, tamper.apply(lines), StandardCharsets.UTF_8);
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).contains(expected);
    }

    /** Rewrites records 1..n after {@code from} into a chain of their own, as someone without the key can. */
    private static List<String> rechained(List<String> lines, int from) throws IOException {
        List<String> out = new ArrayList<>(lines.subList(0, from));
        String prev = from == 0 ? AuditChain.GENESIS
                : AuditChain.JSON.readTree(lines.get(from - 1)).get("hash").asText();
        for (String line : lines.subList(from, lines.size())) {
            AuditChain.Written record = AuditChain.written(AuditChain.JSON.readTree(line));
            String hash = AuditChain.hash(prev, record);
            out.add(AuditChain.line(record, prev, hash));
            prev = hash;
        }
        return out;
    }

    @Test
    void aRecordEditedAndRechainedWithItsCheckpointsRemovedIsNotProven() throws Exception {
        Path file = write(dir, 12, Clock.systemUTC());
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(2, lines.get(2).replace("\"user2\"", "\"someone-else\""));
        Files.write(file, rechained(lines, 2), StandardCharsets.UTF_8);
        Files.delete(file.resolveSibling(file.getFileName() + ".checkpoints"));
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(result.proven()).isFalse();
        assertThat(result.unsignedTail()).isEqualTo(12);
        assertThat(result.message()).startsWith("NOT YET PROVEN").contains("line 1 on");
    }

    @Test
    void aLeftFileWithoutCheckpointsOrWithRecordsAddedAfterItsLastIsAFault() throws Exception {
        Clock day1 = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
        Clock day2 = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
        write(dir, 6, day1);
        write(dir, 3, day2);
        Path first = dir.resolve("gateway-2026-11-21.jsonl");
        Path second = dir.resolve("gateway-2026-11-22.jsonl");
        Path firstCheckpoints = first.resolveSibling(first.getFileName() + ".checkpoints");
        String checkpoints = Files.readString(firstCheckpoints);
        List<String> lines = Files.readAllLines(first, StandardCharsets.UTF_8);

        // A made-up record after the left file's last checkpoint, chained to it, and the next day's
        // file rechained onto it: every link holds.
        List<String> added = new ArrayList<>(lines);
        added.add(lines.get(5).replace("\"user5\"", "\"dr.innocent\""));
        added = rechained(added, 6);
        Files.write(first, added, StandardCharsets.UTF_8);
        String lastHash = AuditChain.JSON.readTree(added.get(6)).get("hash").asText();
        List<String> next = new ArrayList<>(Files.readAllLines(second, StandardCharsets.UTF_8));
        AuditChain.Written firstOfDay2 = AuditChain.written(AuditChain.JSON.readTree(next.get(0)));
        next.set(0, AuditChain.line(firstOfDay2, lastHash, AuditChain.hash(lastHash, firstOfDay2)));
        Files.write(second, rechained(next, 1), StandardCharsets.UTF_8);
        AuditVerifier.Result result = AuditVerifier.verify(List.of(first, second), key(dir));
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).contains("gateway-2026-11-21.jsonl line 7: records after the last signed checkpoint");

        Files.write(first, lines, StandardCharsets.UTF_8);
        Files.delete(firstCheckpoints);
        result = AuditVerifier.verify(List.of(first, second), key(dir));
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).contains("gateway-2026-11-21.jsonl line 1: no signed checkpoint covers this file");

        Files.writeString(firstCheckpoints, checkpoints);
        assertThat(AuditVerifier.verify(List.of(first, second), key(dir)).message()).contains("previous file");
    }

    @Test
    void recordsAppendedAfterTheWriterStoppedAreNotProven() throws Exception {
        Path file = write(dir, 5, Clock.systemUTC());
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).proven()).isTrue();
        lines.add(lines.get(4).replace("\"/echo/4\"", "\"/patients/celebrity\""));
        Files.write(file, rechained(lines, 5), StandardCharsets.UTF_8);
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(result.ok()).isTrue();
        assertThat(result.proven()).isFalse();
        assertThat(result.unsignedTail()).isEqualTo(1);
        assertThat(result.message()).contains("line 6 on are under no signed checkpoint");
    }

    @Test
    void aRestartedWriterSignsWhatACrashLeftUnsigned() throws Exception {
        Path file = write(dir, 7, Clock.systemUTC());
        Path checkpoints = file.resolveSibling(file.getFileName() + ".checkpoints");
        List<String> signed = Files.readAllLines(checkpoints);
        // The crash: the last checkpoint (made at close) never written, and half a record at the end.
        Files.write(checkpoints, signed.subList(0, signed.size() - 1));
        Files.writeString(file, "{\"ts\":\"2026-", java.nio.file.StandardOpenOption.APPEND);
        AuditVerifier.Result crashed = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(crashed.ok()).isTrue();
        assertThat(crashed.proven()).isFalse();
        assertThat(crashed.unsignedTail()).isEqualTo(3);
        assertThat(crashed.message()).contains("the 3 from " + file.getFileName() + " line 6 on")
                .contains("cut mid-record by a crash");
        new AuditWriter(dir, "gateway", Duration.ofMillis(5), 5, Duration.ofHours(1), Clock.systemUTC()).close();
        AuditVerifier.Result restarted = AuditVerifier.verify(List.of(file), key(dir));
        assertThat(restarted.proven()).as(restarted.message()).isTrue();
        assertThat(restarted.records()).isEqualTo(7);
        // Vouched for as found on disk after the crash, not as written: said so, and signed apart.
        assertThat(restarted.message()).contains("signed only at a writer's start after a crash")
                .contains(file.getFileName() + " lines 6-7");
        List<String> cps = Files.readAllLines(checkpoints);
        assertThat(cps.get(cps.size() - 1)).contains("\"recovered\":true");
        cps.set(cps.size() - 1, cps.get(cps.size() - 1).replace(",\"recovered\":true", ""));
        Files.write(checkpoints, cps);
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).message()).contains("bad signature");
    }

    @Test
    void bytesTheWriterNeverWritesAreFaultsNamingTheirLine() throws Exception {
        Path file = write(dir, 6, Clock.systemUTC());
        byte[] original = Files.readAllBytes(file);
        String text = new String(original, StandardCharsets.UTF_8);
        Files.writeString(file, text.replace("\n", "\r\n"));
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).message()).contains("line 1: record altered");
        byte[] latin1 = text.replace("\"user3\"", "\"Hélène\"").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).message()).contains("line 4: not UTF-8");
        Files.writeString(file, text.substring(0, text.indexOf('\n') + 1) + "x".repeat(AuditVerifier.MAX_LINE + 1) + "\n");
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).message()).contains("line 2: longer than any record");
    }

    @Test
    void aWriterWithoutItsKeyButWithItsPublicKeyRefusesToStart() throws Exception {
        write(dir, 2, Clock.systemUTC());
        String published = Files.readString(dir.resolve(CheckpointKeys.PUBLIC));
        Files.delete(dir.resolve(CheckpointKeys.PRIVATE));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> write(dir, 2, Clock.systemUTC()))
                .hasMessageContaining("audit signing key").hasMessageContaining("is missing");
        assertThat(Files.readString(dir.resolve(CheckpointKeys.PUBLIC))).isEqualTo(published);
    }

    @Test
    void aLineSealedUnderEarlierCleaningRulesStillVerifies() throws Exception {
        // Written by a version that kept path parameters: today's rules would drop them, but the line is
        // checked as it was sealed.
        AuditChain.Written old = new AuditChain.Written("2026-11-20T08:00:00.000Z", "gateway", "access", "allow",
                "policy satisfied", "dr.martin", null, "eidas2", List.of("pwd"), "s1", "demo-app", "GET",
                "/app;jsessionid=ABC123/page", 200, "127.0.0.1", "r1", Map.of());
        String hash = AuditChain.hash(AuditChain.GENESIS, old);
        Path file = dir.resolve("gateway-2026-11-20.jsonl");
        Files.writeString(file, AuditChain.line(old, AuditChain.GENESIS, hash) + "\n");
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), null);
        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.records()).isEqualTo(1);
    }

    @Test
    void splicingTwoLogsIsFound(@TempDir Path other) throws Exception {
        Path mine = write(dir, 8, Clock.systemUTC());
        Path theirs = write(other, 8, Clock.systemUTC());
        AuditVerifier.Result result = AuditVerifier.verify(List.of(mine, theirs), key(dir));
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).contains("previous file");
    }

    @Test
    void aForgedCheckpointSignatureIsFound() throws Exception {
        Path file = write(dir, 10, Clock.systemUTC());
        Path cps = file.resolveSibling(file.getFileName() + ".checkpoints");
        Files.writeString(cps, Files.readString(cps).replaceFirst("\"count\":5", "\"count\":4"));
        assertThat(AuditVerifier.verify(List.of(file), key(dir)).message()).contains("bad signature");
    }

    @Test
    void writersStartingTogetherInOneDirectoryShareOneSigningKey() throws Exception {
        List<CompletableFuture<java.security.PrivateKey>> keys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            keys.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return CheckpointKeys.loadOrCreate(dir);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        java.security.PrivateKey first = keys.get(0).join();
        keys.forEach(k -> assertThat(k.join().getEncoded()).isEqualTo(first.getEncoded()));
        String signature = CheckpointKeys.sign(first, "statement");
        assertThat(CheckpointKeys.verify(key(dir), "statement", signature)).isTrue();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    CheckpointKeys.PRIVATE, CheckpointKeys.PUBLIC);
        }
    }

    @Nested
    @DisplayName("never written")
    class NeverWritten {
        @Test
        void queryStringsControlsAndUnknownDetailsAreDropped() {
            AuditRecord record = new AuditRecord("t", "gateway", "access", "deny", "bad\r\nline", "u", null, null,
                    null, null, "r", "GET", "/cb?code=SECRET&state=x", 403, null, null,
                    Map.of("token", "SECRET", "password", "SECRET", "cert_serial", "12"));
            String line = AuditChain.line(record, AuditChain.GENESIS, "h");
            assertThat(line).doesNotContain("SECRET").doesNotContain("\r").doesNotContain("\\n")
                    .contains("\"path\":\"/cb\"").contains("\"cert_serial\":\"12\"");
        }
    }
}
