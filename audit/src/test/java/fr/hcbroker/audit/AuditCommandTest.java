package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("The audit command line")
class AuditCommandTest {

    @TempDir
    Path dir;

    private static int run(String... args) {
        return new CommandLine(new AuditCommand()).execute(args);
    }

    @Test
    void forwardUsesTlsUnlessToldNoTls() {
        AuditCommand.Forward tls = new AuditCommand.Forward();
        new CommandLine(tls).parseArgs("--host", "siem.example", "--tls", "/var/log/hc");
        assertThat(tls.tls).isTrue();
        assertThat(tls.plain).isFalse();
        AuditCommand.Forward byDefault = new AuditCommand.Forward();
        new CommandLine(byDefault).parseArgs("--host", "siem.example", "/var/log/hc");
        assertThat(byDefault.plain).isFalse();
        AuditCommand.Forward plain = new AuditCommand.Forward();
        new CommandLine(plain).parseArgs("--host", "siem.example", "--no-tls", "/var/log/hc");
        assertThat(plain.plain).isTrue();
        assertThat(run("forward", "--host", "siem.example", "--tls", "--no-tls", dir.toString())).isEqualTo(2);
    }

    @Test
    void verifyExitsZeroWhenProvenOneOnAFaultAndTwoWhileRecordsAreUnsigned() throws Exception {
        Path file = AuditTrailTest.write(dir, 7, Clock.systemUTC());
        assertThat(run("verify", file.toString())).isZero();
        Path checkpoints = file.resolveSibling(file.getFileName() + ".checkpoints");
        List<String> signed = Files.readAllLines(checkpoints);
        Files.write(checkpoints, signed.subList(0, signed.size() - 1));
        assertThat(run("verify", "--key", dir.resolve(CheckpointKeys.PUBLIC).toString(), file.toString())).isEqualTo(2);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Files.write(file, lines.subList(0, 3), StandardCharsets.UTF_8);
        assertThat(run("verify", file.toString())).isEqualTo(1);
    }

    @Test
    void searchSkipsALineThatIsNotARecordAndSaysSo() throws Exception {
        Path file = AuditTrailTest.write(dir, 3, Clock.systemUTC());
        Files.writeString(file, "{\"ts\":\"2026-", java.nio.file.StandardOpenOption.APPEND);
        assertThat(run("search", "--user", "user1", file.toString())).isEqualTo(1);
    }
}
