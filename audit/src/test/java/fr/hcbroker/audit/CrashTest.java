package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A writer killed with SIGKILL under load loses nothing it acknowledged")
class CrashTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordIsPresentAndTheChainVerifies() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged.size() < 3000) {
                acknowledged.add(line);
            }
            writer.destroyForcibly();
            writer.waitFor();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(3000);

        // The writer's own recovery drops a torn last line (never acknowledged) before appending again,
        // and counts the lines from the last checkpoint: the one appended here is checkpointed on close
        // with that count, which the verifier checks.
        try (AuditWriter restarted = new AuditWriter(dir, "gateway", java.time.Duration.ofMillis(1), 50,
                java.time.Duration.ofSeconds(1), java.time.Clock.systemUTC())) {
            restarted.append(AuditTrailTest.record(-1), true).get();
        }
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Set<String> onDisk = new HashSet<>();
        for (String line : lines) {
            String path = AuditChain.JSON.readTree(line).path("path").asText();
            onDisk.add(path.substring("/echo/".length()));
        }
        assertThat(onDisk).containsAll(acknowledged);
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file),
                CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC)));
        assertThat(result.ok()).as(result.message()).isTrue();
    }
}
