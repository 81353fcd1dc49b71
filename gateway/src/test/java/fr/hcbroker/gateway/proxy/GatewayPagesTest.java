package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.audit.EmergencyReview;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.oidc.SignOut;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway's own pages in the whole gateway (no Keycloak): the review of emergency accesses and the
 * compliance report. Who may open them, as {@link Admission} decides; what they show from the trails;
 * what a verdict writes, and what each refuses.
 */
@DisplayName("The gateway's own pages: the review of emergency accesses, the compliance report")
class GatewayPagesTest {

    @TempDir
    static Path work;
    private static Vertx vertx;
    private static GatewayServer gateway;
    private static Path keycloakTrails;
    private static Path gatewayAudit;
    private static final AdmissionTest.FakeSessions sessions = new AdmissionTest.FakeSessions();
    private static final List<DecisionEvent> decisions = new CopyOnWriteArrayList<>();
    private static final String OFFICER = "officer-session";
    private static final String NURSE = "nurse-session";
    private static final String EMERGENCY = "emergency-session";
    private static final String IT_ADMIN = "it-admin-session";

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        keycloakTrails = Files.createDirectories(work.resolve("keycloak"));
        gatewayAudit = Files.createDirectories(work.resolve("gateway"));
        Instant at = Instant.now().minus(Duration.ofHours(2));
        try (AuditWriter writer = new AuditWriter(keycloakTrails, "keycloak", Duration.ZERO, 100, Duration.ofSeconds(1),
                Clock.systemUTC())) {
            writer.append(new AuditRecord(AuditRecord.timestamp(at), "keycloak", "emergency_access", "success",
                    "urgence-vitale", "dr.urgence", "899700000013", "eidas1", List.of("pwd"), "kc-s1", null, null, null,
                    null, "10.0.0.1", null, Map.of("emergency_reason", "urgence-vitale", "emergency_note", "<b>box 3</b>",
                    "client", "dpi", "emergency_until", at.plus(Duration.ofHours(4)).toString())), true).join();
            for (int i = 0; i < 3; i++) {
                writer.append(new AuditRecord(AuditRecord.timestamp(at.plusSeconds(i)), "keycloak", "login", "success",
                        null, "dr.card" + i, null, "eidas3", List.of("sc", "pin", "mfa"), "kc-c" + i, null, null, null, null,
                        "10.0.0.2", null, Map.of("client", "dpi", "auth_method", "cps-card")), true).join();
            }
        }
        List<RouteConfig> routes = List.of(new RouteConfig("demo-app", null, "/", URI.create("http://127.0.0.1:9"),
                Level.SUBSTANTIAL, List.of(), Set.of(), Set.of(), Map.of(), Set.of(), false));
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("http://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), new GatewayConfig.AuditConfig(gatewayAudit, Duration.ofMillis(50), null,
                GatewayConfig.OnWriteFailure.REFUSE, new GatewayConfig.EmergencyReview("hc-security-officer",
                List.of(keycloakTrails), 30), new GatewayConfig.ComplianceReport("hc-it-admin", List.of(keycloakTrails),
                List.of(), null)), routes, null);
        gateway = new GatewayServer(vertx, config, sessions,
                new OidcProvider(vertx, config.oidc(), URI.create("http://apps.example/.hc/callback")),
                event -> {
                    decisions.add(event);
                    return Future.succeededFuture();
                }, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        gateway.start().await();
        long now = System.currentTimeMillis() / 1000;
        sessions.sessions.put(OFFICER, session("rssi", Set.of("hc-security-officer"), Level.SUBSTANTIAL, null));
        sessions.sessions.put(IT_ADMIN, session("dsi", Set.of("hc-it-admin"), Level.SUBSTANTIAL, null));
        sessions.sessions.put(NURSE, session("inf.lefevre", Set.of(), Level.SUBSTANTIAL, null));
        sessions.sessions.put(EMERGENCY, session("rssi", Set.of("hc-security-officer"), Level.LOW,
                new Session.Emergency("urgence-vitale", now + 3600)));
    }

    private static Session session(String user, Set<String> roles, Level level, Session.Emergency emergency) {
        return new Session("corr-" + user, "sub", "sid", user, null, null, null, null, List.of("10"), List.of(), roles,
                level, List.of("pwd", "otp"), System.currentTimeMillis() / 1000, (String) null, 0, emergency);
    }

    @AfterAll
    static void stop() {
        gateway.stop().await();
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        decisions.clear();
    }

    private static String send(String method, String cookie, String form) throws Exception {
        return send(method, EmergencyReviewPage.PATH, cookie, form);
    }

    private static String send(String method, String target, String cookie, String form) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(20_000);
            byte[] body = form == null ? new byte[0] : form.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: apps.example\r\n"
                    + (cookie == null ? "" : "Cookie: hc_session=" + cookie + "\r\n")
                    + (form == null ? "" : "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n")
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static String form(String token, String session, String verdict, String comment) {
        return "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&session=" + session + "&verdict=" + verdict
                + "&comment=" + URLEncoder.encode(comment, StandardCharsets.UTF_8);
    }

    private static List<EmergencyReview.Access> accesses() throws Exception {
        try (var files = Files.list(keycloakTrails); var reviews = Files.list(gatewayAudit)) {
            List<Path> all = new java.util.ArrayList<>(files.filter(f -> f.toString().endsWith(".jsonl")).toList());
            all.addAll(reviews.filter(f -> f.toString().endsWith(".jsonl")).toList());
            return EmergencyReview.accesses(all, null, null);
        }
    }

    @Test
    @DisplayName("the officer sees each access (names escaped) and records a verdict, itself a hash-chained record")
    void listsAndRecords() throws Exception {
        String page = send("GET", OFFICER, null);
        assertThat(status(page)).as(page).isEqualTo(200);
        assertThat(page).contains("Accès d'urgence (bris de glace) : revue", "dr.urgence", "899700000013", "urgence-vitale",
                "&lt;b&gt;box 3&lt;/b&gt;", "data-session=\"kc-s1\"", "à revoir", "cache-control: no-store")
                .doesNotContain("<b>box 3</b>");
        assertThat(decisions).singleElement().satisfies(e -> {
            assertThat(e.route()).isEqualTo(EmergencyReviewPage.ROUTE_ID);
            assertThat(e.decision().outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.status()).isEqualTo(200);
        });

        decisions.clear();
        String token = SignOut.token("hc-broker emergency review", OFFICER);
        String posted = send("POST", OFFICER, form(token, "kc-s1", "justified", "Arrêt cardiaque, box 3"));
        assertThat(status(posted)).as(posted).isEqualTo(303);
        assertThat(posted.toLowerCase()).contains("location: /.hc/emergencies");
        assertThat(decisions).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(303));
        assertThat(accesses()).singleElement().satisfies(a -> {
            assertThat(a.verdict()).isEqualTo("justified");
            assertThat(a.comment()).isEqualTo("Arrêt cardiaque, box 3");
            assertThat(a.reviewer()).isEqualTo("rssi");
        });
        assertThat(send("GET", OFFICER, null)).contains("justifié (rssi) : Arrêt cardiaque, box 3");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no token", "another session's token", "the sign-out token", "unknown access", "bad verdict",
            "empty comment"})
    @DisplayName("a verdict from elsewhere, or outside the rules, writes nothing and is recorded as refused")
    void refusesBadVerdicts(String what) throws Exception {
        String token = SignOut.token("hc-broker emergency review", OFFICER);
        String form = switch (what) {
            case "no token" -> "session=kc-s1&verdict=justified&comment=x";
            case "another session's token" -> form(SignOut.token("hc-broker emergency review", NURSE), "kc-s1", "justified", "x");
            case "the sign-out token" -> form(SignOut.token(OFFICER), "kc-s1", "justified", "x");
            case "unknown access" -> form(token, "kc-forged", "justified", "x");
            case "bad verdict" -> form(token, "kc-s1", "maybe", "x");
            default -> form(token, "kc-s1", "unjustified", "");
        };
        List<EmergencyReview.Access> before = accesses();
        String answer = send("POST", OFFICER, form);
        assertThat(status(answer)).as(answer).isIn(400, 403);
        assertThat(answer).contains("Revue non enregistrée");
        assertThat(accesses()).isEqualTo(before);
        assertThat(decisions).singleElement().satisfies(e -> assertThat(e.decision().outcome()).isEqualTo(Outcome.DENY));
    }

    @Test
    @DisplayName("without the role, or in an emergency session, the page is refused; without a session it asks to log in")
    void onlyTheOfficer() throws Exception {
        String nurse = send("GET", NURSE, null);
        assertThat(status(nurse)).isEqualTo(403);
        assertThat(nurse).doesNotContain("dr.urgence");
        String emergency = send("GET", EMERGENCY, null);
        assertThat(status(emergency)).isEqualTo(403);
        assertThat(emergency).contains("Accès d'urgence non accepté").doesNotContain("dr.urgence");
        String posted = send("POST", NURSE, form(SignOut.token("hc-broker emergency review", NURSE), "kc-s1", "justified", "x"));
        assertThat(status(posted)).isEqualTo(403);
        assertThat(decisions).hasSize(3).allSatisfy(e -> assertThat(e.decision().outcome()).isEqualTo(Outcome.DENY));
        decisions.clear();
        assertThat(status(send("GET", null, null))).as("to Keycloak").isIn(302, 503);
        assertThat(status(send("POST", null, "verdict=justified"))).isEqualTo(401);
    }

    @Test
    @DisplayName("the IT admin gets the compliance report over the trails, its files verified, in HTML, JSON and CSV")
    void complianceReport() throws Exception {
        String html = send("GET", CompliancePage.PATH, IT_ADMIN, null);
        assertThat(status(html)).as(html).isEqualTo(200);
        assertThat(html).contains("<svg", "lang=\"fr\"", "cache-control: no-store");
        assertThat(decisions).singleElement().satisfies(e -> {
            assertThat(e.route()).isEqualTo(CompliancePage.ROUTE_ID);
            assertThat(e.decision().outcome()).isEqualTo(Outcome.ALLOW);
        });
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        // The fixture's records are two hours old: before 02:00 UTC, yesterday's.
        String since = java.time.LocalDate.ofInstant(Instant.now().minus(Duration.ofHours(3)), java.time.ZoneOffset.UTC).toString();
        String json = send("GET", CompliancePage.PATH + "?from=" + since + "&to=" + today + "&format=json", IT_ADMIN, null);
        assertThat(status(json)).as(json).isEqualTo(200);
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.substring(json.indexOf("\r\n\r\n") + 4));
        assertThat(report.path("intact").asBoolean()).isTrue();
        assertThat(report.path("files")).singleElement().satisfies(f -> assertThat(f.path("status").asText()).isEqualTo("verified"));
        assertThat(report.path("emergency").path("accesses").asInt()).isEqualTo(1);
        String csv = send("GET", CompliancePage.PATH + "?format=csv&lang=en", IT_ADMIN, null);
        assertThat(status(csv)).isEqualTo(200);
        assertThat(csv.toLowerCase()).contains("content-type: text/csv", "content-disposition: attachment");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"?from=2026-13-01", "?from=2024-01-01&to=2026-01-01", "?from=2026-12-07&to=2026-12-01",
            "?format=pdf", "?lang=de", "?to=yesterday"})
    @DisplayName("a period, format or language the report cannot give is a 400 page, recorded")
    void complianceReportRefusesBadQueries(String query) throws Exception {
        String answer = send("GET", CompliancePage.PATH + query, IT_ADMIN, null);
        assertThat(status(answer)).as(answer).isEqualTo(400);
        assertThat(answer).contains("Rapport non produit");
        assertThat(decisions).singleElement().satisfies(e -> assertThat(e.decision().outcome()).isEqualTo(Outcome.DENY));
    }

    @Test
    @DisplayName("the compliance report needs its own role: the security officer's, an emergency session or none get nothing")
    void complianceReportOnlyForItAdmins() throws Exception {
        assertThat(status(send("GET", CompliancePage.PATH, OFFICER, null))).isEqualTo(403);
        assertThat(status(send("GET", CompliancePage.PATH, EMERGENCY, null))).isEqualTo(403);
        assertThat(status(send("GET", EmergencyReviewPage.PATH, IT_ADMIN, null))).isEqualTo(403);
        assertThat(decisions).hasSize(3).allSatisfy(e -> assertThat(e.decision().outcome()).isEqualTo(Outcome.DENY));
        assertThat(status(send("POST", CompliancePage.PATH, IT_ADMIN, "x=1"))).isEqualTo(405);
    }
}
