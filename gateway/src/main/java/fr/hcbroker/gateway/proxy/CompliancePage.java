package fr.hcbroker.gateway.proxy;

import fr.hcbroker.audit.report.ComplianceReport;
import fr.hcbroker.audit.report.Lang;
import fr.hcbroker.audit.report.RealmFacts;
import fr.hcbroker.audit.report.ReportCsv;
import fr.hcbroker.audit.report.ReportHtml;
import fr.hcbroker.audit.report.ReportJson;
import fr.hcbroker.audit.report.ReportKeys;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The compliance report for IT admins ({@code hc-audit report}, docs/fr/audit-rapport.md) as a page of
 * the gateway, {@code /.hc/compliance?from=yyyy-MM-dd&to=yyyy-MM-dd[&format=html|csv|json][&lang=fr|en]}
 * when {@code audit.complianceReport} is set: the same report over the configured trails, every file
 * verified before it is counted. Without dates, the last twelve months. Who may open it is decided by
 * {@link Admission} as for a route of the gateway's own: eidas2 and the configured role.
 *
 * <p>One report at a time: a year of records keeps a core busy for seconds, and a second request while
 * one is being built gets a page asking to try again rather than a second core.
 */
final class CompliancePage implements GatewayPage {

    static final String PATH = "/.hc/compliance";
    static final String ROUTE_ID = "hc-compliance-report";
    /** The longest period one page covers: a year and a day (the yearly self-assessment). */
    static final long MAX_DAYS = 366;
    private static final Pattern DAILY = Pattern.compile(".+-(\\d{4}-\\d{2}-\\d{2})\\.jsonl(?:\\.gz)?");

    private final GatewayConfig.ComplianceReport config;
    private final Vertx vertx;
    private final AtomicBoolean building = new AtomicBoolean();

    CompliancePage(GatewayConfig.ComplianceReport config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    static boolean configured(GatewayConfig config) {
        return config.audit() != null && config.audit().complianceReport() != null;
    }

    /** The page as a route of the gateway's own, for {@link Admission#decide}: eidas2 and the role. */
    static RouteConfig route(GatewayConfig.ComplianceReport config, URI publicUrl) {
        return new RouteConfig(ROUTE_ID, null, PATH, publicUrl, Level.SUBSTANTIAL, List.of(), Set.of(config.role()),
                Set.of(), Map.of(), Set.of(), true);
    }

    /** The period, format and language asked for, read from the query. */
    private record Asked(LocalDate from, LocalDate to, String format, Lang lang) {
    }

    @Override
    public void serve(HttpServerRequest request, Session session, String sessionId, Answer answer) {
        request.resume();
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            answer.send(405, () -> request.response().setStatusCode(405).putHeader("allow", "GET, HEAD").end());
            return;
        }
        Asked asked;
        try {
            asked = asked(request);
        } catch (IllegalArgumentException bad) {
            answer.refuse(Refusal.REPORT_INVALID, bad.getMessage());
            return;
        }
        if (!building.compareAndSet(false, true)) {
            answer.refuse(Refusal.REPORT_BUSY, null);
            return;
        }
        vertx.executeBlocking(() -> render(asked), false).onComplete(made -> {
            building.set(false);
            if (made.failed()) {
                answer.refuse(Refusal.REPORT_UNAVAILABLE, made.cause().getMessage());
                return;
            }
            String type = switch (asked.format()) {
                case "csv" -> "text/csv; charset=utf-8";
                case "json" -> "application/json";
                default -> "text/html; charset=utf-8";
            };
            answer.send(200, () -> {
                var response = request.response().putHeader("content-type", type).putHeader("cache-control", "no-store")
                        // The report's charts are inline SVG and its style inline: nothing else is loaded.
                        .putHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
                if (!"html".equals(asked.format())) {
                    response.putHeader("content-disposition", "attachment; filename=\"hc-compliance-" + asked.from() + "_"
                            + asked.to() + "." + asked.format() + "\"");
                }
                response.end(made.result());
            });
        });
    }

    /** The query's period (default: the last twelve months), format and language, or why they cannot be. */
    private static Asked asked(HttpServerRequest request) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate to = date(request.getParam("to"), today, "to");
        LocalDate from = date(request.getParam("from"), to.minusYears(1).plusDays(1), "from");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to before from");
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
            throw new IllegalArgumentException("period longer than " + MAX_DAYS + " days");
        }
        String format = request.getParam("format", "html");
        if (!List.of("html", "csv", "json").contains(format)) {
            throw new IllegalArgumentException("format neither html, csv nor json");
        }
        String lang = request.getParam("lang");
        Lang language = lang == null ? (Refusal.english(request.getHeader("accept-language")) ? Lang.EN : Lang.FR)
                : switch (lang) {
                    case "fr" -> Lang.FR;
                    case "en" -> Lang.EN;
                    default -> throw new IllegalArgumentException("lang neither fr nor en");
                };
        return new Asked(from, to, format, language);
    }

    private static LocalDate date(String value, LocalDate fallback, String name) {
        if (value == null) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException bad) {
            throw new IllegalArgumentException(name + " is not a date (yyyy-MM-dd)");
        }
    }

    /** The report over the period's files (blocking: on a worker). */
    private String render(Asked asked) throws IOException, java.security.GeneralSecurityException {
        List<Path> files = files(asked.from(), asked.to());
        // Each node signs its own chain: without a key set, each directory's own.
        ComplianceReport.Keys keys = ReportKeys.of(config.key() == null ? List.of() : List.of(config.key().toString()));
        RealmFacts facts = RealmFacts.read(config.realm());
        ComplianceReport report = ComplianceReport.build(files, keys, asked.from(), asked.to(), facts, Instant.now());
        return switch (asked.format()) {
            case "csv" -> ReportCsv.render(report);
            case "json" -> ReportJson.render(report);
            default -> ReportHtml.render(report, asked.lang());
        };
    }

    /** The trails' daily files of the period, online and archived. */
    private List<Path> files(LocalDate from, LocalDate to) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : config.trails()) {
            for (Path where : List.of(dir, dir.resolve(fr.hcbroker.audit.Retention.ARCHIVE))) {
                if (!Files.isDirectory(where)) {
                    continue;
                }
                try (Stream<Path> listed = Files.list(where)) {
                    listed.filter(f -> inPeriod(f, from, to)).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    /** A writer's daily file ({@code <source>-<yyyy-MM-dd>.jsonl}, gzipped when archived) of the period. */
    private static boolean inPeriod(Path file, LocalDate from, LocalDate to) {
        Matcher daily = DAILY.matcher(file.getFileName().toString());
        if (!daily.matches()) {
            return false; // checkpoints, keys, the archive's manifest: not records
        }
        try {
            LocalDate day = LocalDate.parse(daily.group(1));
            return !day.isBefore(from) && !day.isAfter(to);
        } catch (DateTimeParseException notADate) {
            return false;
        }
    }
}
