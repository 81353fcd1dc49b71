package fr.hcbroker.gateway.proxy;

import fr.hcbroker.audit.EmergencyReview;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.oidc.SignOut;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The security officer's page of emergency accesses ("bris de glace", docs/fr/acces-urgence.md),
 * {@code /.hc/emergencies} when {@code audit.emergencyReview} is set: who, when, reason, apps reached,
 * duration and review status of each access of the last days, read from the Keycloak and gateway
 * trails as {@code hc-audit emergencies} reads them, and a form per access that records a verdict
 * ({@code emergency_review} in {@code audit.dir}'s {@code review-<date>.jsonl}, as {@code hc-audit review}).
 *
 * <p>Who may open it is decided by {@link Admission} like any route's request ({@link #route}): a
 * session of eidas2 or more holding the configured role, never an emergency session. The form carries a
 * token bound to the officer's session cookie, so no other page can post a verdict in their name.
 */
final class EmergencyReviewPage implements GatewayPage {

    static final String PATH = "/.hc/emergencies";
    /** The route id of the page's decisions in the gateway's trail. */
    static final String ROUTE_ID = "hc-emergency-review";
    private static final String PURPOSE = "hc-broker emergency review";
    /** A daily audit file's name: its date, so that the page reads only the days it lists. */
    private static final Pattern DAILY = Pattern.compile(".*-(\\d{4}-\\d{2}-\\d{2})\\.jsonl");

    private final GatewayConfig.EmergencyReview config;
    private final Path reviewDir;
    private final Vertx vertx;

    EmergencyReviewPage(GatewayConfig.EmergencyReview config, Path reviewDir, Vertx vertx) {
        this.config = config;
        this.reviewDir = reviewDir;
        this.vertx = vertx;
    }

    /** The page as a route of the gateway's own, for {@link Admission#decide}: eidas2 and the role. */
    static RouteConfig route(GatewayConfig.EmergencyReview config, URI publicUrl) {
        return new RouteConfig(ROUTE_ID, null, PATH, publicUrl, Level.SUBSTANTIAL, List.of(), Set.of(config.role()),
                Set.of(), Map.of(), Set.of(), true);
    }

    /** The list on GET, a verdict on POST. */
    @Override
    public void serve(HttpServerRequest request, Session session, String sessionId, Answer answer) {
        boolean english = Refusal.english(request.getHeader("accept-language"));
        request.resume();
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
            vertx.executeBlocking(this::accesses, false).onComplete(read -> {
                if (read.failed()) {
                    answer.refuse(Refusal.REVIEW_UNAVAILABLE, read.cause().getMessage());
                    return;
                }
                String page = html(read.result(), SignOut.token(PURPOSE, sessionId), english);
                answer.send(200, () -> request.response().putHeader("content-type", "text/html; charset=utf-8")
                        .putHeader("cache-control", "no-store")
                        .putHeader("content-language", english ? "en" : "fr")
                        .putHeader("content-security-policy",
                                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
                        .end(page));
            });
            return;
        }
        if (request.method() != HttpMethod.POST) {
            answer.send(405, () -> request.response().setStatusCode(405).putHeader("allow", "GET, HEAD, POST").end());
            return;
        }
        request.setExpectMultipart(true);
        request.end().onComplete(body -> {
            if (body.failed() || !SignOut.confirmed(PURPOSE, sessionId, request.getFormAttribute("token"))) {
                answer.refuse(Refusal.REVIEW_UNCONFIRMED, null);
                return;
            }
            String of = request.getFormAttribute("session");
            String verdict = request.getFormAttribute("verdict");
            String comment = request.getFormAttribute("comment");
            vertx.executeBlocking(() -> review(of, verdict, comment, session.username()), true).onComplete(done -> {
                if (done.failed()) {
                    answer.refuse(Refusal.REVIEW_UNAVAILABLE, done.cause().getMessage());
                } else if (done.result() != null) {
                    answer.refuse(Refusal.REVIEW_INVALID, done.result());
                } else {
                    // Post, then redirect, then get: a reload does not send the verdict again.
                    answer.send(303, () -> request.response().setStatusCode(303).putHeader("location", PATH)
                            .putHeader("cache-control", "no-store").end());
                }
            });
        });
    }

    /** The verdict recorded, or why not: only on an access the page lists, with the rules of {@link EmergencyReview#record}. */
    private String review(String of, String verdict, String comment, String reviewer) {
        if (of == null || accesses().stream().noneMatch(a -> a.session().equals(of))) {
            return "unknown access";
        }
        return EmergencyReview.record(reviewDir, of, verdict == null ? "" : verdict, comment, reviewer);
    }

    /** The accesses of the last {@code days} days, the latest first. */
    List<EmergencyReview.Access> accesses() {
        Instant from = Instant.now().minus(Duration.ofDays(config.days()));
        LocalDate firstDay = from.atZone(ZoneOffset.UTC).toLocalDate();
        Set<Path> files = new LinkedHashSet<>();
        List<Path> dirs = new ArrayList<>(config.trails());
        dirs.add(reviewDir);
        for (Path dir : dirs) {
            try (Stream<Path> listed = Files.list(dir)) {
                listed.filter(f -> read(f, firstDay)).map(Path::toAbsolutePath).map(Path::normalize).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            List<EmergencyReview.Access> found = new ArrayList<>(EmergencyReview.accesses(List.copyOf(files), from, null));
            found.sort(Comparator.comparing(EmergencyReview.Access::ts).reversed());
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An audit file of the period: a daily file from {@code firstDay} on, any other {@code .jsonl} file. */
    private static boolean read(Path file, LocalDate firstDay) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".jsonl")) {
            return false;
        }
        Matcher daily = DAILY.matcher(name);
        try {
            return !daily.matches() || !LocalDate.parse(daily.group(1)).isBefore(firstDay);
        } catch (DateTimeParseException notADate) {
            return true;
        }
    }

    private String html(List<EmergencyReview.Access> accesses, String token, boolean english) {
        StringBuilder rows = new StringBuilder();
        for (EmergencyReview.Access a : accesses) {
            String status = switch (a.verdict()) {
                case "justified" -> english ? "justified" : "justifié";
                case "unjustified" -> english ? "unjustified" : "injustifié";
                default -> english ? "not reviewed" : "à revoir";
            };
            rows.append("<tr data-session=\"").append(Pages.escape(a.session())).append("\"><td>")
                    .append(Pages.escape(a.ts())).append("</td><td>").append(Pages.escape(a.user())).append("</td><td>")
                    .append(Pages.escape(a.idnat())).append("</td><td>").append(Pages.escape(a.reason())).append("</td><td>")
                    .append(Pages.escape(a.note())).append("</td><td>").append(Pages.escape(String.join(", ", a.apps())))
                    .append("</td><td>").append(minutes(a.duration())).append("</td><td class=\"hc-status\">")
                    .append(status);
            if (!a.reviewer().isEmpty()) {
                rows.append(" (").append(Pages.escape(a.reviewer())).append(") : ").append(Pages.escape(a.comment()));
            }
            rows.append("</td><td>").append(form(a.session(), token, english)).append("</td></tr>\n");
        }
        String title = english ? "Emergency accesses (break-glass): review" : "Accès d'urgence (bris de glace) : revue";
        String intro = english
                ? "Accesses of the last %d days, latest first. Each verdict is recorded in the audit trail; a new verdict replaces the previous one in this list."
                : "Accès des %d derniers jours, du plus récent au plus ancien. Chaque verdict est enregistré dans le journal d'audit ; un nouveau verdict remplace le précédent dans cette liste.";
        String head = english
                ? "<th>When (UTC)</th><th>User</th><th>idNat_PS</th><th>Reason</th><th>Note</th><th>Apps reached</th><th>Duration</th><th>Review</th><th>Verdict</th>"
                : "<th>Date (UTC)</th><th>Compte</th><th>idNat_PS</th><th>Motif</th><th>Précision</th><th>Applications atteintes</th><th>Durée</th><th>Revue</th><th>Verdict</th>";
        return """
                <!doctype html>
                <html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>%s</title><style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}
                th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
                form{display:flex;flex-direction:column;gap:.3rem}</style></head>
                <body><h1>%s</h1><p>%s</p>
                <table id="hc-emergencies"><caption>%s</caption><thead><tr>%s</tr></thead><tbody>
                %s</tbody></table><p>%s</p></body></html>
                """.formatted(english ? "en" : "fr", title, title, intro.formatted(config.days()),
                english ? accesses.size() + " access(es)" : accesses.size() + " accès", head, rows,
                accesses.isEmpty() ? (english ? "No emergency access in this period." : "Aucun accès d'urgence sur la période.") : "");
    }

    private static String form(String session, String token, boolean english) {
        return """
                <form method="post" action="%s"><input type="hidden" name="token" value="%s">\
                <input type="hidden" name="session" value="%s">\
                <label>%s <select name="verdict" required><option value="">%s</option><option value="justified">%s</option>\
                <option value="unjustified">%s</option></select></label>\
                <label>%s <textarea name="comment" required maxlength="1000" rows="2"></textarea></label>\
                <button type="submit">%s</button></form>""".formatted(PATH, token, Pages.escape(session),
                english ? "Verdict" : "Verdict", english ? "(choose)" : "(choisir)", english ? "justified" : "justifié", english ? "unjustified" : "injustifié",
                english ? "Comment" : "Commentaire", english ? "Record" : "Enregistrer");
    }

    private static String minutes(Duration duration) {
        return Math.max(0, duration.toMinutes()) + " min";
    }

    /** Whether the page is set: {@code audit.emergencyReview} in the configuration. */
    static boolean configured(GatewayConfig config) {
        return config.audit() != null && config.audit().emergencyReview() != null;
    }
}
