package fr.hcbroker.e2e;

import fr.hcbroker.stack.Stack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The stack's audit files, and `audit verify` run on them as an operator would (the CLI jar). */
final class AuditFiles {

    private AuditFiles() {
    }

    static List<Path> of(Stack stack, String source) {
        try (Stream<Path> files = Files.list(stack.settings().workDir().resolve("audit"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(source + "-")
                    && p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Output of {@code java -jar hc-audit-app.jar verify --key KEY FILES...}. A writer signs its last
     * records within a second: while verify says they are not signed yet, it is asked again, for up
     * to five seconds.
     */
    static String verify(List<Path> files) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("verify", "--key",
                files.get(0).toAbsolutePath().resolveSibling("audit-signing-key.pub").toString()));
        files.forEach(f -> args.add(f.toString()));
        long deadline = System.nanoTime() + 5_000_000_000L;
        String verdict = cli(args);
        while (verdict.startsWith("NOT YET PROVEN") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            verdict = cli(args);
        }
        return verdict;
    }

    /** Output of {@code java -jar hc-audit-app.jar ARGS...}. */
    static String cli(List<String> args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("hc.audit.jar")));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        process.waitFor(60, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
