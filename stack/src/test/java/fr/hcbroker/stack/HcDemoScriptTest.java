package fr.hcbroker.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./hc-demo names a missing tool in one line and starts nothing")
class HcDemoScriptTest {

    private static final Path SCRIPT = Path.of("..", "hc-demo").toAbsolutePath().normalize();

    @TempDir
    Path bin;

    /** A PATH holding only the tools named, so that the script sees the others as missing. */
    private void link(String... tools) throws IOException {
        for (String tool : tools) {
            for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
                Path target = Path.of(dir, tool);
                if (Files.isExecutable(target)) {
                    Files.createSymbolicLink(bin.resolve(tool), target);
                    break;
                }
            }
        }
    }

    private Result run() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", bin.toString());
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int status, String output) {
    }

    @Test
    void withoutMavenItSaysSo() throws Exception {
        link("dirname", "sed", "java");
        Result result = run();
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.output()).startsWith("hc-demo: error: mvn not found").hasLineCount(1);
    }

    @Test
    void withoutJavaItSaysSo() throws Exception {
        link("dirname", "sed", "mvn");
        Result result = run();
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.output()).startsWith("hc-demo: error: java not found").hasLineCount(1);
    }
}
