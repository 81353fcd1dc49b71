package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A writer restarted on a large day's file")
class RestartTest {

    @TempDir
    Path dir;

    /** Appends one record to the audit directory given as argument, in a JVM with a small heap. */
    public static void main(String[] args) throws Exception {
        try (AuditWriter writer = new AuditWriter(Path.of(args[0]), "gateway", Duration.ofMillis(20), 1000, Duration.ofSeconds(1),
                Clock.systemUTC())) {
            writer.append(AuditTrailTest.record(-1), true).get();
        }
    }

    @Test
    @DisplayName("resumes the chain from the file's end without loading it: 200 MB of records, 48 MB of heap")
    void resumesFromTheEnd() throws Exception {
        Path file = AuditTrailTest.write(dir, 10, Clock.systemUTC());
        List<String> genuine = Files.readAllLines(file, StandardCharsets.UTF_8);
        String lastHash = AuditChain.JSON.readTree(genuine.get(genuine.size() - 1)).get("hash").asText();
        // The day's earlier records, as far as a restart is concerned: only the end counts.
        byte[] filler = ("{\"event\":\"access\",\"pad\":\"" + "x".repeat(1000) + "\"}\n").getBytes(StandardCharsets.UTF_8);
        Path big = file.resolveSibling("big.tmp");
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int written = 0; written < 200 * 1024 * 1024; written += filler.length) {
                out.write(filler);
            }
            out.write(Files.readAllBytes(file));
            // a torn line left by a crash, never acknowledged
            out.write("{\"event\":\"acc".getBytes(StandardCharsets.UTF_8));
        }
        Files.move(big, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Process restarted = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-cp", System.getProperty("java.class.path"), RestartTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(restarted.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(restarted.waitFor()).as(output).isZero();

        String appended;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            appended = lines.reduce((a, b) -> b).orElseThrow();
        }
        JsonNode record = AuditChain.JSON.readTree(appended);
        assertThat(record.get("user").asText()).isEqualTo("user-1");
        // Chained to the last acknowledged record; the torn line is gone, or this line would not parse.
        assertThat(record.get("prev").asText()).isEqualTo(lastHash);
    }
}
