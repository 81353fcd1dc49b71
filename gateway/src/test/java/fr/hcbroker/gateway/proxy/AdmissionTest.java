package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.oidc.SignOut;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.session.PendingLogin;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.session.SessionStore;
import fr.hcbroker.loa.Level;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole gateway in this JVM, without Keycloak: a session store of the test's own, an OIDC
 * provider that is never reached, an echo app. Requests go in the fast lane's shape (origin-form)
 * and in one it leaves to Vert.x (absolute-form); each decision is caught as the audit trail would get it.
 */
@DisplayName("Admission: every path decided once, the same on both lanes, every refusal recorded")
class AdmissionTest {

    private static final String NURSE = "nurse-session";
    private static Vertx vertx;
    private static GatewayServer gateway;
    private static final FakeSessions sessions = new FakeSessions();
    private static final List<DecisionEvent> decisions = new CopyOnWriteArrayList<>();
    private static final List<String> appSaw = new CopyOnWriteArrayList<>();
    /** The headers of each WebSocket handshake the app received. */
    private static final List<JsonObject> upgradesSaw = new CopyOnWriteArrayList<>();
    private static final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        HttpServer app = vertx.createHttpServer().requestHandler(request -> {
            appSaw.add(request.uri());
            JsonObject headers = new JsonObject();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            if (request.canUpgradeToWebSocket()) {
                upgradesSaw.add(headers);
                request.toWebSocket();
                return;
            }
            if (request.path().endsWith(".html")) {
                // A page (compressed when its name says so), and what the app was asked for.
                String page = "<!doctype html><html><head><title>Dossier</title></head><body class=\"dpi\"><p>"
                        + "accept-encoding=" + request.getHeader("accept-encoding") + "</p></body></html>";
                request.response().putHeader("content-type", "text/html; charset=windows-1252")
                        .putHeader("etag", "\"v1\"")
                        .putHeader("content-encoding", request.path().endsWith("gz.html") ? "gzip" : "identity")
                        .end(page);
                return;
            }
            // /status/NNN answers NNN: what the access's record must then say.
            int status = request.path().startsWith("/status/") ? Integer.parseInt(request.path().substring(8)) : 200;
            request.response().setStatusCode(status).putHeader("content-type", "application/json").end(headers.encode());
        }).listen(0, "127.0.0.1").await();
        URI upstream = URI.create("http://127.0.0.1:" + app.actualPort());
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<RouteConfig> routes = List.of(
                route("demo-dead", "/dead", List.of(), Set.of(), URI.create("http://127.0.0.1:" + closed)),
                route("demo-public", "/public", List.of("/public"), Set.of(), upstream),
                route("demo-pharmacy", "/pharmacy", List.of(), Set.of("21"), upstream),
                new RouteConfig("demo-emergency", null, "/emergency", upstream, Level.SUBSTANTIAL, List.of(), Set.of(),
                        Set.of(), Map.of(), Set.of(), false, null, true),
                new RouteConfig("demo-ward", null, "/ward", upstream, Level.SUBSTANTIAL, List.of("/ward/public"), Set.of(),
                        Set.of(), Map.of(), Set.of(), false, null, false, true),
                route("demo-app", "/", List.of(), Set.of(), upstream));
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("http://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), null, routes, null);
        decisions.clear();
        gateway = new GatewayServer(vertx, config, sessions,
                new OidcProvider(vertx, config.oidc(), URI.create("http://apps.example/.hc/callback")),
                event -> {
                    decisions.add(event);
                    return Future.succeededFuture();
                }, metrics);
        gateway.start().await();
        sessions.sessions.put(NURSE, new Session("corr", "sub", "sid", "nurse", "899700000021", "H", "L", null,
                List.of("60"), List.of(), Set.of(), Level.SUBSTANTIAL, List.of("pwd", "otp"), System.currentTimeMillis() / 1000));
        long now = System.currentTimeMillis() / 1000;
        sessions.sessions.put(EMERGENCY, new Session("corr-emergency", "sub", "sid-emergency", "nurse", "899700000021", "H",
                "L", null, List.of("60"), List.of(), Set.of(), Level.LOW, List.of("pwd"), now, (String) null, 0,
                new Session.Emergency("urgence-vitale", now + 3600)));
    }

    @AfterAll
    static void stop() {
        gateway.stop().await();
        vertx.close().await();
    }

    @BeforeEach
    void clear() {
        sessions.failing.set(false);
        decisions.clear();
        appSaw.clear();
        upgradesSaw.clear();
    }

    private static RouteConfig route(String id, String prefix, List<String> publicPaths, Set<String> professions, URI upstream) {
        return new RouteConfig(id, null, prefix, upstream, Level.SUBSTANTIAL, publicPaths, Set.of(), professions, Map.of(),
                Set.of(), false);
    }

    /**
     * The answer (status line, head and body) to {@code target}: in origin-form, the shape the fast
     * lane takes, or in absolute-form, which it leaves to Vert.x.
     */
    private static String send(String target, String headers, boolean fastLaneShape) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(40_000);
            String request = "GET " + (fastLaneShape ? "" : "http://apps.example") + target
                    + " HTTP/1.1\r\nHost: apps.example\r\n" + headers + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    private static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static final String NURSE_COOKIE = "Cookie: hc_session=" + NURSE + "\r\n";
    private static final String EMERGENCY = "emergency-session";
    private static final String EMERGENCY_COOKIE = "Cookie: hc_session=" + EMERGENCY + "\r\n";
    /** What a browser might send to pass for an emergency session, or to hide one: never reaches the app. */
    private static final String SPOOFED = "X-HC-Emergency: true\r\nX_HC_Emergency_Reason: forged\r\nx-hc-emergency: false\r\n";

    private static JsonObject appHeaders(String answer) {
        return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4).trim());
    }

    /** The assertion's claims, once its signature is checked against the gateway's published keys. */
    private static com.nimbusds.jwt.JWTClaimsSet verified(String assertion) throws Exception {
        String jwks = send("/.well-known/hc-broker/jwks.json", "", true);
        com.nimbusds.jose.jwk.JWKSet keys = com.nimbusds.jose.jwk.JWKSet.parse(jwks.substring(jwks.indexOf("\r\n\r\n") + 4).trim());
        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(assertion);
        com.nimbusds.jose.jwk.ECKey key = (com.nimbusds.jose.jwk.ECKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key))).isTrue();
        return jwt.getJWTClaimsSet();
    }

    @ParameterizedTest(name = "[{index}] fast lane shape: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a route with the banner: the person's pages carry it after <body>, with the sign-out token, never stored")
    void theBannerGoesIntoThePagesOfARouteThatAsksForIt(boolean fastLane) throws Exception {
        double lane = metrics.counter("hc_gateway_fast_lane").count();
        String answer = send("/ward/dossier.html", NURSE_COOKIE + "Accept-Encoding: gzip, br\r\n", fastLane);
        assertThat(status(answer)).as(answer).isEqualTo(200);
        assertThat(metrics.counter("hc_gateway_fast_lane").count()).as("Vert.x's path writes the banner").isEqualTo(lane);
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertThat(body).startsWith("<!doctype html><html><head><title>Dossier</title></head><body class=\"dpi\"><div id=\"hc-banner\"")
                .contains("Session de <strong>H L</strong>", "action=\"/.hc/switch\"", "action=\"/.hc/logout\"",
                        "value=\"" + SignOut.token(NURSE) + "\"", "Se d&#233;connecter", "<p>accept-encoding=identity</p>")
                .endsWith("</body></html>");
        assertThat(head).contains("content-length: " + body.getBytes(StandardCharsets.UTF_8).length, "cache-control: no-store")
                .doesNotContain("etag");
        assertThat(decisions).singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(200));
    }

    @ParameterizedTest(name = "[{index}] {0}, with a session: {1}")
    @CsvSource({"/ward/echo, true", "/ward/gz.html, true", "/ward/public/page.html, false", "/page.html, true"})
    @DisplayName("no banner in what is not a person's uncompressed page on a route that asks for it")
    void noBannerElsewhere(String target, boolean withSession) throws Exception {
        String answer = send(target, withSession ? NURSE_COOKIE : "", false);
        assertThat(status(answer)).as(answer).isEqualTo(200);
        assertThat(answer).doesNotContain("hc-banner");
    }

    @ParameterizedTest(name = "[{index}] fast lane shape: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("an emergency session reaches a route that takes it with the emergency headers and assertion, recorded as such")
    void anEmergencySessionIsServedWhereTheRouteTakesIt(boolean fastLane) throws Exception {
        decisions.clear();
        double lane = metrics.counter("hc_gateway_fast_lane").count();
        String answer = send("/emergency/echo", EMERGENCY_COOKIE + SPOOFED, fastLane);
        assertThat(status(answer)).as(answer).isEqualTo(200);
        assertThat(metrics.counter("hc_gateway_fast_lane").count()).as("taken by the fast lane").isEqualTo(lane + (fastLane ? 1 : 0));
        JsonObject seen = appHeaders(answer);
        assertThat(seen.getString("x-hc-emergency")).isEqualTo("true");
        assertThat(seen.getString("x-hc-emergency-reason")).isEqualTo("urgence-vitale");
        assertThat(seen.getString("x-hc-loa")).isEqualTo("eidas1");
        assertThat(seen.fieldNames()).noneMatch(name -> name.startsWith("x_hc"));
        com.nimbusds.jwt.JWTClaimsSet claims = verified(seen.getString("x-hc-assertion"));
        assertThat(claims.getBooleanClaim("emergency")).isTrue();
        assertThat(claims.getStringClaim("emergency_reason")).isEqualTo("urgence-vitale");
        assertThat(claims.getLongClaim("emergency_until")).isEqualTo(sessions.sessions.get(EMERGENCY).emergency().until());
        assertThat(claims.getAudience()).containsExactly("demo-emergency");
        assertThat(decisions).singleElement().satisfies(e -> {
            assertThat(e.route()).isEqualTo("demo-emergency");
            assertThat(e.decision().outcome()).isEqualTo(fr.hcbroker.gateway.policy.Outcome.ALLOW);
            assertThat(e.session().emergency().reason()).isEqualTo("urgence-vitale");
        });
    }

    @ParameterizedTest(name = "[{index}] {0}, fast lane shape: {1}")
    @CsvSource({"/echo, true", "/echo, false", "/public/x, true", "/public/x, false", "/pharmacy/echo, true",
            "/Emergency/echo, true", "/emergency./echo, false"})
    @DisplayName("an emergency session is refused, with its own page and one record, on a route that does not take it")
    void anEmergencySessionIsRefusedElsewhere(String target, boolean fastLane) throws Exception {
        decisions.clear();
        String answer = send(target, EMERGENCY_COOKIE + SPOOFED, fastLane);
        assertThat(status(answer)).as(answer).isEqualTo(403);
        assertThat(answer).contains("Accès d'urgence non accepté", "n'accepte pas les accès d'urgence")
                .doesNotContain("Emergency access not accepted");
        assertThat(decisions).singleElement().satisfies(e -> {
            assertThat(e.decision().reason()).isEqualTo("emergency session on a route that does not take emergency access");
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.session().correlation()).isEqualTo("corr-emergency");
        });
        assertThat(appSaw).isEmpty();
        assertThat(send(target, EMERGENCY_COOKIE + "Accept-Language: en\r\n", fastLane))
                .contains("Emergency access not accepted", "does not accept emergency");
    }

    @ParameterizedTest(name = "[{index}] fast lane shape: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("an ordinary session on an emergency route gets no emergency header, whatever the browser sends")
    void anOrdinarySessionCannotPassForAnEmergencyOne(boolean fastLane) throws Exception {
        String answer = send("/emergency/echo", NURSE_COOKIE + SPOOFED, fastLane);
        assertThat(status(answer)).as(answer).isEqualTo(200);
        JsonObject seen = appHeaders(answer);
        assertThat(seen.fieldNames()).noneMatch(name -> name.contains("emergency"));
        assertThat(seen.getString("x-hc-loa")).isEqualTo("eidas2");
        assertThat(verified(seen.getString("x-hc-assertion")).getClaims()).doesNotContainKeys("emergency",
                "emergency_reason", "emergency_until");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/PHARMACY/echo", "/Pharmacy/echo", "/pharmacy./echo", "/pharmacy%20/echo",
            "/pharmacy::$INDEX_ALLOCATION/echo", "/PHARMACY;x/echo", "//Pharmacy//echo", "/pharmacy:x"})
    void aSpellingOfThePharmacyIsDeniedOnBothLanesAndRecordedUnderIt(String target) throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            decisions.clear();
            String answer = send(target, NURSE_COOKIE, fastLane);
            assertThat(status(answer)).as(answer).isEqualTo(403);
            assertThat(answer).contains("profession not allowed");
            assertThat(decisions).filteredOn(e -> e.path().equals(target.split("\\?")[0])).singleElement().satisfies(e -> {
                assertThat(e.route()).isEqualTo("demo-pharmacy");
                assertThat(e.decision().reason()).isEqualTo("profession not allowed");
                assertThat(e.status()).isEqualTo(403);
            });
        }
        assertThat(appSaw).doesNotContain(target);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/public/..%3B/pharmacy/echo", "/public/%252E%252E/pharmacy/echo", "/pharmacy%00/echo",
            "/echo%0a", "/echo%7F", "/public/%u002E%u002E/pharmacy", "/PHARMA~1/echo", "/pharmacy#/echo",
            "/public/%EF%BC%8E%EF%BC%8E/pharmacy", "/public%3F/../pharmacy", "/public%23/pharmacy"})
    void anAmbiguousPathIsRefusedOnBothLanesAndRecorded(String target) throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            decisions.clear();
            String answer = send(target, NURSE_COOKIE, fastLane);
            assertThat(status(answer)).as(answer).isEqualTo(400);
            assertThat(decisions).filteredOn(e -> e.status() == 400).singleElement()
                    .satisfies(e -> assertThat(e.decision().reason()).isEqualTo("ambiguous path"));
        }
        assertThat(appSaw).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/PUBLIC/x", "/public./x", "/public%20/x", "/public::$DATA/x"})
    void aPublicPathIsPublicOnlyAsWritten(String target) throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            String answer = send(target, "", fastLane);
            // A login is asked: the OIDC provider cannot be reached here, so the refusal says so.
            assertThat(status(answer)).as(answer).isEqualTo(503);
        }
        assertThat(appSaw).isEmpty();
        assertThat(status(send("/public/x", "", true))).isEqualTo(200);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"X-Original-URL", "x_rewrite_url", "X-Original-URI", "X-ENVOY-ORIGINAL-PATH"})
    void pathOverrideHeadersNeverReachTheApp(String name) throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            double lane = metrics.counter("hc_gateway_fast_lane").count();
            String answer = send("/echo", NURSE_COOKIE + name + ": /pharmacy/echo\r\n", fastLane);
            assertThat(status(answer)).isEqualTo(200);
            assertThat(metrics.counter("hc_gateway_fast_lane").count()).as("taken by the fast lane").isEqualTo(lane + (fastLane ? 1 : 0));
            JsonObject seen = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4).trim());
            assertThat(seen.getString("x-hc-user")).isEqualTo("nurse");
            assertThat(seen.encode()).doesNotContain("/pharmacy/echo");
        }
    }

    /** What the app received, from the echo's JSON body. */
    private static JsonObject seen(String answer) {
        return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4).trim());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"X-HC-Request-Id: gw.1", "x-hc-request-id: forged", "X_HC_Request_Id: forged", "X-Hc-Request-ID: forged",
            "X-HC-Request-Id: a\r\nX-HC-Request-Id: b", ""})
    void eachForwardedRequestCarriesAFreshIdAlsoInItsRecordAndAForgedOneIsReplaced(String forged) throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (boolean fastLane : new boolean[] {true, false, true, false}) {
            decisions.clear();
            double lane = metrics.counter("hc_gateway_fast_lane").count();
            String headers = NURSE_COOKIE + "X-Request-Id: browser-7\r\n" + (forged.isEmpty() ? "" : forged + "\r\n");
            String answer = send("/status/201", headers, fastLane);
            assertThat(status(answer)).as(answer).isEqualTo(201);
            assertThat(metrics.counter("hc_gateway_fast_lane").count()).as("taken by the fast lane").isEqualTo(lane + (fastLane ? 1 : 0));
            JsonObject seen = seen(answer);
            String id = seen.getString("x-hc-request-id");
            assertThat(id).as("one id, the gateway's").isNotBlank().doesNotContain("forged", ",").isNotEqualTo("gw.1");
            assertThat(ids.add(id)).as("unique per request: " + id).isTrue();
            assertThat(seen.getString("x-request-id")).as("the browser's own X-Request-Id passes as it was").isEqualTo("browser-7");
            assertThat(decisions).singleElement().satisfies(e -> {
                assertThat(e.decision().reason()).isEqualTo("policy satisfied");
                assertThat(e.requestId()).isEqualTo(id);
                assertThat(e.clientRequestId()).isEqualTo("browser-7");
                assertThat(e.status()).as("the app's status").isEqualTo(201);
                assertThat(e.relayed()).isTrue();
                assertThat(e.appNanos()).as("how long the app took").isPositive().isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
                assertThat(e.session().username()).isEqualTo("nurse");
            });
        }
    }

    @Test
    @DisplayName("an app that is down: one record for the access, with the 502 the person got, on both lanes")
    void aDeadAppIsOneAccessRecordWithItsStatus() throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            decisions.clear();
            String answer = send("/dead/x", NURSE_COOKIE, fastLane);
            assertThat(status(answer)).as(answer).isEqualTo(502);
            assertThat(decisions).singleElement().satisfies(e -> {
                assertThat(e.route()).isEqualTo("demo-dead");
                assertThat(e.decision().outcome()).isEqualTo(fr.hcbroker.gateway.policy.Outcome.ALLOW);
                assertThat(e.decision().reason()).isEqualTo("upstream error 502");
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.requestId()).isNotBlank();
                assertThat(e.appNanos()).isPositive();
            });
        }
    }

    @Test
    @DisplayName("a WebSocket upgrade carries its own X-HC-Request-Id (a forged one replaced), and its record the app's 101")
    void aWebSocketUpgradeCarriesItsIdAndItsRecordTheAppsStatus() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: apps.example\r\n" + NURSE_COOKIE
                    + "X-HC-Request-Id: forged\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = new byte[12];
            int read = 0;
            while (read < head.length) {
                int n = socket.getInputStream().read(head, read, head.length - read);
                assertThat(n).isPositive();
                read += n;
            }
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");
        }
        assertThat(upgradesSaw).singleElement().satisfies(seen -> {
            String id = seen.getString("x-hc-request-id");
            assertThat(id).isNotBlank().isNotEqualTo("forged");
            assertThat(decisions).singleElement().satisfies(e -> {
                assertThat(e.requestId()).isEqualTo(id);
                assertThat(e.status()).isEqualTo(101);
                assertThat(e.relayed()).isTrue();
            });
        });
    }

    @Test
    @DisplayName("a refusal's record has an id of its own too")
    void aRefusalHasAnIdToo() throws Exception {
        for (boolean fastLane : new boolean[] {true, false}) {
            decisions.clear();
            assertThat(status(send("/pharmacy/echo", NURSE_COOKIE + "X-Request-Id: browser-8\r\n", fastLane))).isEqualTo(403);
            assertThat(decisions).singleElement().satisfies(e -> {
                assertThat(e.requestId()).isNotBlank();
                assertThat(e.clientRequestId()).isEqualTo("browser-8");
                assertThat(e.urgent()).isTrue();
            });
        }
    }

    @Test
    @DisplayName("the session store failing is refused (503) and recorded, not answered unrecorded")
    void aSessionStoreFailureIsRecorded() throws Exception {
        sessions.failing.set(true);
        for (boolean fastLane : new boolean[] {true, false}) {
            decisions.clear();
            String answer = send("/echo", NURSE_COOKIE, fastLane);
            assertThat(status(answer)).isEqualTo(503);
            assertThat(answer).contains("Service momentanément indisponible");
            assertThat(decisions).singleElement().satisfies(e -> {
                assertThat(e.decision().reason()).isEqualTo("session store unavailable");
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.route()).isEqualTo("demo-app");
            });
        }
        assertThat(appSaw).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {"en-GB,en;q=0.9 | en | Access refused | Accès refusé",
            "fr-FR | fr | Accès refusé | Access refused", "'' | fr | Accès refusé | Access refused",
            "de, en;q=0.5 | en | Access refused | Accès refusé"})
    void aRefusalPageIsInThePersonsLanguageOnly(String acceptLanguage, String lang, String shown, String notShown)
            throws Exception {
        String header = acceptLanguage.isEmpty() ? "" : "Accept-Language: " + acceptLanguage + "\r\n";
        String answer = send("/pharmacy/echo", NURSE_COOKIE + header, false);
        assertThat(answer).contains("content-language: " + lang, "lang=\"" + lang + "\"", shown).doesNotContain(notShown);
    }

    @Test
    @DisplayName("a logout asks first, ends on a POST with the page's token, and lands on 'you are logged out'")
    void aLogoutLandsOnTheLoggedOutPage() throws Exception {
        sessions.sessions.put("leaving", sessions.sessions.get(NURSE));
        String confirm = send("/.hc/logout", "Cookie: hc_session=leaving\r\n", true);
        assertThat(status(confirm)).isEqualTo(200);
        assertThat(confirm).contains("Se déconnecter ?", "name=\"token\"", SignOut.token("leaving"));
        assertThat(sessions.sessions).containsKey("leaving");

        // Without the token (a form on another page), nothing ends.
        String forged = post("/.hc/logout", "Cookie: hc_session=leaving\r\n", "token=guess");
        assertThat(status(forged)).isEqualTo(403);
        assertThat(sessions.sessions).containsKey("leaving");

        decisions.clear();
        String answer = post("/.hc/logout", "Cookie: hc_session=leaving\r\n", "token=" + SignOut.token("leaving"));
        assertThat(status(answer)).as(answer).isEqualTo(302);
        // Keycloak is out of reach here: the browser goes straight to the gateway's page.
        assertThat(answer).containsIgnoringCase("location: http://apps.example/.hc/logged-out").containsIgnoringCase("hc_session=;");
        assertThat(sessions.sessions).doesNotContainKey("leaving");
        assertThat(decisions).singleElement().satisfies(e -> assertThat(e.decision().reason()).startsWith("logout"));
        String page = send("/.hc/logged-out", "", true);
        assertThat(status(page)).isEqualTo(200);
        assertThat(page).contains("Vous êtes déconnecté", "href=\"/.hc/login\"", "Se reconnecter").doesNotContain("logged out");
        assertThat(send("/.hc/logged-out", "Accept-Language: en\r\n", true))
                .contains("You are logged out", "Log in again").doesNotContain("déconnecté");
        assertThat(appSaw).isEmpty();
    }

    private static String post(String target, String headers, String form) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(40_000);
            byte[] body = form.getBytes(StandardCharsets.ISO_8859_1);
            String request = "POST " + target + " HTTP/1.1\r\nHost: apps.example\r\n" + headers
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n" + form;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "[{index}] replacing={0}, lang={1}")
    @CsvSource(delimiter = '|', value = {
            "true | fr | Vérification annulée | step-up cancelled at Keycloak (access_denied) | nurse",
            "true | en | Verification cancelled | step-up cancelled at Keycloak (access_denied) | nurse",
            "false | fr | Connexion annulée | login cancelled at Keycloak (access_denied) | ''",
            "false | en | Login cancelled | login cancelled at Keycloak (access_denied) | ''"})
    void aLoginOrStepUpCancelledAtKeycloakSaysSoAndKeepsTheSession(boolean stepUp, String lang, String title, String reason,
                                                                  String user) throws Exception {
        String browser = "b".repeat(43);
        String state = "state-" + stepUp + lang;
        sessions.pending.put(state, new PendingLogin("n", "v", "/high/x", Level.HIGH, stepUp ? NURSE : null, browser));
        String answer = send("/.hc/callback?state=" + state + "&error=access_denied&error_description=x",
                "Cookie: hc_login=" + browser + "\r\nAccept-Language: " + lang + "\r\n", true);
        assertThat(status(answer)).as(answer).isEqualTo(200);
        assertThat(answer).contains(title).doesNotContain("Connexion interrompue", "Login interrupted");
        assertThat(decisions).singleElement().satisfies(e -> {
            assertThat(e.decision().reason()).isEqualTo(reason);
            assertThat(e.session() == null ? "" : e.session().username()).isEqualTo(user);
        });
        assertThat(sessions.sessions).containsKey(NURSE);
        // Spent: the same callback again is an expired attempt, and another browser gets nothing either.
        assertThat(status(send("/.hc/callback?state=" + state + "&error=access_denied",
                "Cookie: hc_login=" + browser + "\r\n", true))).isEqualTo(400);
        sessions.pending.put(state, new PendingLogin("n", "v", "/high/x", Level.HIGH, null, browser));
        assertThat(send("/.hc/callback?state=" + state + "&error=access_denied", "Cookie: hc_login=" + "c".repeat(43) + "\r\n", true))
                .contains("400", "Connexion refusée");
    }

    /** Sessions in a map, read in place like the embedded store; {@link #failing} makes every read fail. */
    static final class FakeSessions implements SessionStore {
        final Map<String, Session> sessions = new ConcurrentHashMap<>();

        @Override
        public Future<Read> read(String id, long lockMillis) {
            return get(id).map(session -> session == null ? null : new Read(session, 0));
        }
        final AtomicBoolean failing = new AtomicBoolean();
        final Map<String, PendingLogin> pending = new ConcurrentHashMap<>();
        private final Map<String, String> keys = new ConcurrentHashMap<>();

        @Override
        public Future<Session> get(String id) {
            return failing.get() ? Future.failedFuture("store down") : Future.succeededFuture(sessions.get(id));
        }

        @Override
        public Future<Void> put(String id, Session session) {
            sessions.put(id, session);
            return Future.succeededFuture();
        }

        @Override
        public Future<Boolean> isOpen(String id) {
            return Future.succeededFuture(sessions.containsKey(id));
        }

        @Override
        public Future<Void> remove(String id) {
            sessions.remove(id);
            return Future.succeededFuture();
        }

        @Override
        public Future<Boolean> replace(String id, Session expected, Session replacement) {
            return Future.succeededFuture(sessions.replace(id, expected, replacement));
        }

        @Override
        public Future<List<Session>> removeMatching(String sid, String sub) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<Void> putPending(String state, PendingLogin login) {
            pending.put(state, login);
            return Future.succeededFuture();
        }

        @Override
        public Future<PendingLogin> takePending(String state) {
            return Future.succeededFuture(pending.remove(state));
        }

        @Override
        public long size() {
            return sessions.size();
        }

        @Override
        public void publishKey(String kid, String publicJwk, Duration keep) {
            keys.put(kid, publicJwk);
        }

        @Override
        public Collection<String> publishedKeys() {
            return keys.values();
        }

        @Override
        public void close() {
        }
    }
}
