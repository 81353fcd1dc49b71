package fr.hcbroker.audit.report;

import fr.hcbroker.audit.CheckpointKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code audit report --from --to [--lang fr|en] --format html|csv|json [--realm EXPORT]... FILES...}. */
@Command(name = "report", description = {"Compliance report over a period: accesses and people per app by level and means,"
        + " people by strongest factor owned, password-alone logins, apps below eidas2, emergency accesses, weekly trend.",
        "Every file is verified before it is counted; a file that fails is named and left out.",
        "Exit 0: every file counted; 1: the report was made, but some file was left out or the chain breaks between files;"
                + " 2: no public key, or a --realm file that cannot be read."})
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, description = "First day (yyyy-MM-dd, UTC), included.") LocalDate from;
    @Option(names = "--to", required = true, description = "Last day (yyyy-MM-dd, UTC), included.") LocalDate to;
    @Option(names = "--lang", defaultValue = "fr", description = "fr (default) or en.") String lang;
    @Option(names = "--format", defaultValue = "html", description = "html (default), csv or json.") String format;
    @Option(names = "--realm", description = "A Keycloak realm export file (kc.sh export --realm hospiconnect --dir DIR):"
            + " the realm file and its users files, for the factors people own and the clients' minimum levels. Repeatable.")
    List<Path> realm = List.of();
    @Option(names = "--key", description = "Checkpoint public key, a copy kept away from the logs: FILE for every"
            + " file, or DIR=FILE for the files of one writer's directory (repeatable: each node signs with its own"
            + " key). Default: the audit-signing-key.pub in each file's directory.") List<String> key = List.of();
    @Option(names = {"-o", "--output"}, description = "Write here (default: standard output).") Path output;
    @Parameters(arity = "1..*", description = "Audit files (gateway-*.jsonl, keycloak-*.jsonl), any order.") List<Path> files;

    @Override
    public Integer call() throws Exception {
        Lang language = switch (lang) {
            case "fr" -> Lang.FR;
            case "en" -> Lang.EN;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--lang must be fr or en, got '" + lang + "'");
        };
        if (!List.of("html", "csv", "json").contains(format)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--format must be html, csv or json, got '" + format + "'");
        }
        if (to.isBefore(from)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--to " + to + " is before --from " + from);
        }
        ComplianceReport.Keys keys;
        try {
            keys = ReportKeys.of(key);
        } catch (IllegalArgumentException | java.io.IOException | java.security.GeneralSecurityException e) {
            System.err.println("--key: " + e.getMessage());
            return 2;
        }
        RealmFacts facts;
        try {
            facts = RealmFacts.read(realm);
        } catch (java.io.IOException e) {
            System.err.println("--realm: " + e.getMessage() + " (give the files of kc.sh export --realm hospiconnect)");
            return 2;
        }
        ComplianceReport report = ComplianceReport.build(files, keys, from, to, facts, Instant.now());
        String text = switch (format) {
            case "csv" -> ReportCsv.render(report);
            case "json" -> ReportJson.render(report);
            default -> ReportHtml.render(report, language);
        };
        if (output == null) {
            System.out.print(text);
        } else {
            // Whole or not at all: a report cut by a full disk must not pass for a complete one.
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        report.files().stream().filter(f -> f.status() != ComplianceReport.Status.VERIFIED)
                .forEach(f -> System.err.println(f.status().name().toLowerCase() + ": " + f.message()));
        report.breaks().forEach(b -> System.err.println("break: " + b));
        return report.intact() ? 0 : 1;
    }
}
