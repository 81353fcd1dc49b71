package fr.hcbroker.audit.report;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.audit.AuditCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

@DisplayName("audit report refuses bad options with a clear message and writes nothing")
class ReportCommandTest {

    @TempDir
    static Path dir;
    static Path trail;

    @BeforeAll
    static void oneTrail() throws Exception {
        trail = Trails.write(dir, "gateway", "2026-11-23", List.of(Trails.gateway("2026-11-23T10:00:00.000Z", "allow", "alice",
                "eidas2", List.of("pwd", "otp", "mfa"), "demo-app")));
        Files.writeString(dir.resolve("not-an-export.json"), "[1, 2]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown language       | --lang de                         | --lang must be fr or en",
            "unknown format         | --format pdf                      | --format must be html, csv or json",
            "period the wrong way   | --to 2026-11-01                   | --to 2026-11-01 is before --from 2026-11-20",
            "missing realm export   | --realm /nonexistent/realm.json   | --realm: ",
            "not a realm export     | --realm NOT_EXPORT                | not a Keycloak realm export",
            "no key beside the logs | --key /nonexistent/key.pub        | no checkpoint public key"})
    void badOptions(String what, String option, String expected) throws Exception {
        Path out = dir.resolve("out-" + what.replace(' ', '-') + ".html");
        List<String> args = new ArrayList<>(List.of("report", "--from", "2026-11-20"));
        if (!option.startsWith("--to")) {
            args.addAll(List.of("--to", "2026-11-30"));
        }
        for (String part : option.split(" ", 2)) {
            args.add(part.replace("NOT_EXPORT", dir.resolve("not-an-export.json").toString()));
        }
        args.addAll(List.of("--output", out.toString(), trail.toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine command = new CommandLine(new AuditCommand());
            command.setErr(new java.io.PrintWriter(System.err, true));
            exit = command.execute(args.toArray(String[]::new));
        } finally {
            System.setErr(saved);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(expected).doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }
}
