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
import java.util.Map;
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

    /** Exit status and standard error of {@code audit ARGS}. */
    private static Map.Entry<Integer, String> audit(List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine command = new CommandLine(new AuditCommand());
            command.setErr(new java.io.PrintWriter(System.err, true));
            return Map.entry(command.execute(args.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName("two nodes, each with its own key: each directory's key by default, DIR=FILE to name one")
    void eachNodeWithItsOwnKey() throws Exception {
        Path a = Files.createDirectories(dir.resolve("node-a"));
        Path b = Files.createDirectories(dir.resolve("node-b"));
        Path fileA = Trails.write(a, "gateway", "2026-11-24", List.of(Trails.gateway("2026-11-24T10:00:00.000Z", "allow",
                "alice", "eidas2", List.of("pwd", "otp", "mfa"), "demo-app")));
        Path fileB = Trails.write(b, "gateway", "2026-11-24", List.of(Trails.gateway("2026-11-24T11:00:00.000Z", "allow",
                "bob", "eidas2", List.of("pwd", "otp", "mfa"), "demo-app")));
        Path out = dir.resolve("two-nodes.json");
        List<String> base = List.of("report", "--from", "2026-11-24", "--to", "2026-11-24", "--format", "json",
                "--output", out.toString());
        List<String> files = List.of(fileA.toString(), fileB.toString());

        assertThat(audit(concat(base, List.of(), files)).getKey()).as("each directory's own key").isZero();
        assertThat(Files.readString(out)).contains("\"intact\" : true");

        String keyA = a.resolve(fr.hcbroker.audit.CheckpointKeys.PUBLIC).toString();
        Map.Entry<Integer, String> oneForAll = audit(concat(base, List.of("--key", keyA), files));
        assertThat(oneForAll.getKey()).as("node A's key for both").isEqualTo(1);
        assertThat(Files.readString(out)).contains("\"intact\" : false");

        Map.Entry<Integer, String> wrongForB = audit(concat(base, List.of("--key", b + "=" + keyA), files));
        assertThat(wrongForB.getKey()).as("node A's key named for node B").isEqualTo(1);
        assertThat(audit(concat(base, List.of("--key", b + "=" + b.resolve(fr.hcbroker.audit.CheckpointKeys.PUBLIC)),
                files)).getKey()).isZero();

        Path lone = Files.createDirectories(dir.resolve("node-c"));
        Path fileC = Trails.write(lone, "gateway", "2026-11-24", List.of(Trails.gateway("2026-11-24T12:00:00.000Z",
                "allow", "carol", "eidas2", List.of("pwd", "otp", "mfa"), "demo-app")));
        Files.delete(lone.resolve(fr.hcbroker.audit.CheckpointKeys.PUBLIC));
        Map.Entry<Integer, String> noKey = audit(concat(base, List.of(), List.of(fileA.toString(), fileC.toString())));
        assertThat(noKey.getKey()).as("a directory without its key: its files named, not counted").isEqualTo(1);
        assertThat(noKey.getValue()).contains("no checkpoint key for").doesNotContain("\tat ");
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }
}
