package fr.hcbroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The security officer's review of emergency accesses ("bris de glace", docs/fr/acces-urgence.md):
 * {@code audit emergencies FILES...} lists them from the trails (who, when, reason, apps reached,
 * duration, review status) and {@code audit review} records a verdict, itself an audit record in a
 * hash-chained {@code review-<date>.jsonl} trail.
 */
public final class EmergencyReview {

    static final String ACCESS = "emergency_access";
    static final String REVIEW = "emergency_review";
    /** Keycloak events of a session that name an app the session reached. */
    private static final Set<String> APP_EVENTS = Set.of("login", "code_to_token", "refresh_token");
    /** A gateway record's detail: the Keycloak session of an emergency session's request. */
    static final String GATEWAY_SESSION = "emergency_session";

    private EmergencyReview() {
    }

    /** One emergency access as the review sees it. */
    public record Access(String ts, String user, String idnat, String session, String reason, String note, String until,
                  Set<String> apps, String ended, String verdict, String comment, String reviewer) {

        public Duration duration() {
            Instant start = Instant.parse(ts);
            Instant end = ended != null ? Instant.parse(ended) : until.isEmpty() ? start : Instant.parse(until);
            return Duration.between(start, end);
        }
    }

    /** Reads every record of {@code files} (keycloak, gateway and review trails, any order). */
    public static List<Access> accesses(List<Path> files, Instant from, Instant to) throws IOException {
        Map<String, JsonNode> granted = new LinkedHashMap<>();
        Map<String, Set<String>> apps = new LinkedHashMap<>();
        Map<String, String> ended = new LinkedHashMap<>();
        Map<String, JsonNode> reviews = new LinkedHashMap<>();
        for (JsonNode node : records(files)) {
            String event = node.path("event").asText();
            String session = node.path("session").asText("");
            if (ACCESS.equals(event) && "success".equals(node.path("outcome").asText())) {
                Instant ts = Instant.parse(node.path("ts").asText());
                if ((from == null || !ts.isBefore(from)) && (to == null || ts.isBefore(to))) {
                    granted.put(session, node);
                }
            } else if (REVIEW.equals(event)) {
                reviews.put(node.path("details").path("review_of").asText(), node);
            } else if (node.path("details").hasNonNull(GATEWAY_SESSION)) {
                // The gateway names its own session; the Keycloak session it came from is this detail.
                // Its own endpoints' records (a login's callback) name no route: no app was reached there.
                if ("allow".equals(node.path("outcome").asText()) && node.hasNonNull("route")) {
                    apps.computeIfAbsent(node.path("details").path(GATEWAY_SESSION).asText(), s -> new LinkedHashSet<>())
                            .add("route:" + node.path("route").asText());
                }
            } else if (!session.isEmpty()) {
                if (APP_EVENTS.contains(event) && "success".equals(node.path("outcome").asText())) {
                    apps.computeIfAbsent(session, s -> new LinkedHashSet<>()).add(node.path("details").path("client").asText());
                } else if ("logout".equals(event)) {
                    ended.putIfAbsent(session, node.path("ts").asText());
                }
            }
        }
        List<Access> out = new ArrayList<>();
        granted.forEach((session, node) -> {
            JsonNode details = node.path("details");
            JsonNode review = reviews.get(session);
            String until = details.path("emergency_until").asText("");
            String end = ended.get(session);
            if (end != null && !until.isEmpty() && Instant.parse(end).isAfter(Instant.parse(until))) {
                end = until;
            }
            out.add(new Access(node.path("ts").asText(), node.path("user").asText(), node.path("idnat").asText(""),
                    session, details.path("emergency_reason").asText(), details.path("emergency_note").asText(""), until,
                    apps.getOrDefault(session, Set.of()), end,
                    review == null ? "not reviewed" : review.path("details").path("review_verdict").asText(),
                    review == null ? "" : review.path("details").path("review_comment").asText(""),
                    review == null ? "" : review.path("user").asText("")));
        });
        return out;
    }

    private static List<JsonNode> records(List<Path> files) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (Path file : files) {
            try (AuditVerifier.Lines lines = new AuditVerifier.Lines(file)) {
                for (String line = lines.next(); line != null; line = lines.next()) {
                    try {
                        out.add(AuditChain.JSON.readTree(line));
                    } catch (IOException | RuntimeException notARecord) {
                        System.err.println(file.getFileName() + ": a line that is not a record, skipped (run verify)");
                    }
                }
            }
        }
        out.sort((a, b) -> a.path("ts").asText().compareTo(b.path("ts").asText()));
        return out;
    }

    /** The verdicts a review may give. */
    public static final Set<String> VERDICTS = Set.of("justified", "unjustified");

    /**
     * Records {@code reviewer}'s verdict on the access of {@code session}, in {@code dir}'s hash-chained
     * {@code review-<date>.jsonl}, on disk when this returns. Null when recorded, else why not (nothing
     * written). One writer at a time per directory: callers in one process serialise their calls.
     */
    public static synchronized String record(Path dir, String session, String verdict, String comment, String reviewer) {
        if (!VERDICTS.contains(verdict)) {
            return "--verdict: justified or unjustified, not " + verdict;
        }
        if (comment == null || comment.isBlank() || comment.length() > 1000) {
            return "--comment: 1 to 1000 characters";
        }
        AuditRecord record = new AuditRecord(AuditRecord.timestamp(Instant.now()), "review", REVIEW, verdict, null,
                reviewer, null, null, List.of(), null, null, null, null, null, null, null,
                Map.of("review_of", session, "review_verdict", verdict, "review_comment", comment));
        try (AuditWriter writer = new AuditWriter(dir, "review", Duration.ZERO, 1, Duration.ofSeconds(1), Clock.systemUTC())) {
            writer.append(record, true).join();
        }
        return null;
    }

    @Command(name = "emergencies", description = "List emergency accesses (bris de glace): who, when, reason, apps "
            + "reached, duration and review status, from the Keycloak, gateway and review trails.")
    static final class Emergencies implements Callable<Integer> {
        @Option(names = "--from", description = "RFC 3339 instant, inclusive.") Instant from;
        @Option(names = "--to", description = "RFC 3339 instant, exclusive.") Instant to;
        @Option(names = "--unreviewed", description = "Only the accesses not reviewed yet.") boolean unreviewed;
        @Parameters(arity = "1..*", description = "Audit files (keycloak-*.jsonl, gateway-*.jsonl, review-*.jsonl).")
        List<Path> files;

        @Override
        public Integer call() throws Exception {
            System.out.println("when\tuser\tidnat\treason\tnote\tapps\tduration\tsession\treview\tcomment\treviewer");
            for (Access a : accesses(files, from, to)) {
                if (unreviewed && !"not reviewed".equals(a.verdict())) {
                    continue;
                }
                System.out.println(String.join("\t", a.ts(), a.user(), a.idnat(), a.reason(), a.note(),
                        String.join(",", a.apps()), a.duration().toString(), a.session(), a.verdict(), a.comment(),
                        a.reviewer()));
            }
            return 0;
        }
    }

    @Command(name = "review", description = "Record the security officer's verdict on one emergency access "
            + "(an audit record of its own in DIR/review-<date>.jsonl).")
    static final class Review implements Callable<Integer> {
        @Option(names = "--session", required = true, description = "The access's session (see emergencies).") String session;
        @Option(names = "--verdict", required = true, description = "justified or unjustified.") String verdict;
        @Option(names = "--comment", required = true, description = "Why (kept, cleaned of control characters).")
        String comment;
        @Option(names = "--reviewer", required = true, description = "The security officer's username.") String reviewer;
        @Parameters(index = "0", description = "The review trail's directory.") Path dir;

        @Override
        public Integer call() {
            String refused = record(dir, session, verdict, comment, reviewer);
            if (refused != null) {
                System.err.println(refused);
                return 2;
            }
            System.out.println("recorded: " + verdict + " for session " + session);
            return 0;
        }
    }
}
