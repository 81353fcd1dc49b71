package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.policy.DecisionListener;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Future;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The admission step alone ({@link Admission}), without a server: request facts in, one target and one
 * verdict out. The lanes that call it are run whole in {@link AdmissionTest} and the end-to-end tests.
 */
@DisplayName("Admission step: one target and one verdict per request")
class AdmissionStepTest {

    private static final URI APP = URI.create("http://127.0.0.1:1");
    private static final List<RouteConfig> ROUTES = List.of(
            route("demo-public", "/public", Level.SUBSTANTIAL, List.of("/public"), Set.of()),
            route("demo-high", "/high", Level.HIGH, List.of(), Set.of()),
            route("demo-pharmacy", "/pharmacy", Level.SUBSTANTIAL, List.of(), Set.of("21")),
            emergencyRoute("demo-emergency", "/emergency", Set.of(), null),
            emergencyRoute("demo-emergency-pharmacy", "/emergency-pharmacy", Set.of("21"), null),
            route("demo-app", "/", Level.SUBSTANTIAL, List.of(), Set.of()));
    private static final Session NURSE = session(Level.SUBSTANTIAL, "60");
    private static final Session PHARMACIST = session(Level.SUBSTANTIAL, "21");
    private static final Session NURSE_EIDAS3 = session(Level.HIGH, "60");
    /** A nurse in an emergency session: password alone, so eidas1, with the reason they chose. */
    private static final Session NURSE_EMERGENCY = new Session("c", "s", "sid", "u", null, "H", "L", null, List.of("60"),
            List.of(), Set.of(), Level.LOW, List.of("pwd"), 0, (String) null, 0, new Session.Emergency("urgence-vitale", Long.MAX_VALUE));

    /** A route that takes emergency sessions; its own level stays eidas2 for everyone else. */
    private static RouteConfig emergencyRoute(String id, String prefix, Set<String> professions, Duration idle) {
        return new RouteConfig(id, null, prefix, APP, Level.SUBSTANTIAL, List.of(), Set.of(), professions, Map.of(),
                Set.of(), false, idle, true);
    }

    private static RouteConfig route(String id, String prefix, Level level, List<String> publicPaths, Set<String> professions) {
        return new RouteConfig(id, null, prefix, APP, level, publicPaths, Set.of(), professions, Map.of(), Set.of(), false);
    }

    private static Session session(Level level, String profession) {
        return new Session("c", "s", "sid", "u", null, "H", "L", null, List.of(profession), List.of(), Set.of(), level,
                List.of("pwd"), 0);
    }

    private static Admission admission(GatewayConfig.Management management, DecisionListener listener) {
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("https://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), null, ROUTES, management);
        return new Admission(config, listener);
    }

    private static final DecisionListener RECORDING = event -> Future.succeededFuture();

    private static Admission.Facts facts(String method, String uri, String hosts, boolean http10, String codings,
                                         boolean upgrade, String origin) {
        List<String> hostList = hosts.isEmpty() ? List.of() : Arrays.asList(hosts.split("\\|"));
        HostAndPort authority = hostList.size() == 1 ? HostAndPort.parseAuthority(hostList.get(0), -1) : null;
        int query = uri.indexOf('?');
        String path = uri.startsWith("/") ? (query < 0 ? uri : uri.substring(0, query)) : URI.create(uri).getRawPath();
        return new Admission.Facts(method, uri, path, hostList, authority, http10,
                codings == null ? null : Arrays.asList(codings.split("\\|")), upgrade, origin);
    }

    private static Admission.Facts get(String uri) {
        return facts("GET", uri, "apps.example", false, null, false, null);
    }

    /** What {@link Admission#target} found, by name: a refusal's, an own endpoint's, or the route's id. */
    private static String named(Admission.Target target) {
        return target instanceof RouteChoice choice ? choice.route().id() : ((Enum<?>) target).name();
    }

    @ParameterizedTest(name = "[{index}] {0} {1} Host={2} -> {6}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "GET; /echo; apps.example; false; -; false; demo-app",
            "GET; /pharmacy/x?y=1; apps.example; false; -; false; demo-pharmacy",
            "GET; /PHARMACY./x; apps.example; false; -; false; demo-pharmacy",
            "GET; /public/x; apps.example.; false; -; false; demo-public",
            "GET; /echo%00; apps.example; false; -; false; AMBIGUOUS_PATH",
            "GET; /public/..%3B/pharmacy; apps.example; false; -; false; AMBIGUOUS_PATH",
            "GET; /echo; ''; false; -; false; INVALID_HOST",
            "GET; /echo; ''; true; -; false; demo-app",
            "GET; /echo; apps.example|apps.example; false; -; false; INVALID_HOST",
            "GET; /echo; 'bad host'; false; -; false; INVALID_HOST",
            "GET; http://other.example/echo; apps.example; false; -; false; TARGET_NAMES_ANOTHER_HOST",
            "GET; http://apps.example/echo; apps.example; false; -; false; demo-app",
            "POST; /echo; apps.example; false; chunked; false; demo-app",
            "POST; /echo; apps.example; false; gzip|chunked; false; TRANSFER_CODING",
            "POST; /echo; apps.example; false; 'chunked, chunked'; false; TRANSFER_CODING",
            "TRACE; /echo; apps.example; false; -; false; ECHO_METHOD",
            // Methods are case-sensitive, some app servers are not: every spelling of an echo method is refused.
            "trace; /echo; apps.example; false; -; false; ECHO_METHOD",
            "Trace; /echo; apps.example; false; -; false; ECHO_METHOD",
            "TRACK; /echo; apps.example; false; -; false; ECHO_METHOD",
            "track; /pharmacy/x; apps.example; false; -; false; ECHO_METHOD",
            "TRACES; /echo; apps.example; false; -; false; demo-app",
            "GET; /healthz; apps.example; false; -; false; HEALTH",
            "GET; /readyz; apps.example; false; -; false; READY",
            "GET; /metrics; apps.example; false; -; false; METRICS",
            "GET; /.hc/callback; apps.example; false; -; false; CALLBACK",
            "GET; /.hc/login; apps.example; false; -; false; LOGIN",
            "GET; /.hc/logout; apps.example; false; -; false; LOGOUT",
            "GET; /.hc/logged-out; apps.example; false; -; false; LOGGED_OUT",
            "POST; /.hc/backchannel-logout; apps.example; false; -; false; BACKCHANNEL_LOGOUT",
            "GET; /.well-known/hc-broker/jwks.json; apps.example; false; -; false; JWKS",
            "GET; /.hc/other; apps.example; false; -; false; UNKNOWN_GATEWAY_PATH",
            "GET; /.HC/callback; apps.example; false; -; false; UNKNOWN_GATEWAY_PATH",
            "GET; /.hc./logout; apps.example; false; -; false; UNKNOWN_GATEWAY_PATH",
            "GET; /.well-known/HC-BROKER/x; apps.example; false; -; false; UNKNOWN_GATEWAY_PATH"})
    void theTargetIsFoundFromTheRequestAlone(String method, String uri, String hosts, boolean http10, String codings,
                                             boolean upgrade, String expected) {
        Admission.Target target = admission(null, RECORDING).target(facts(method, uri, hosts, http10, codings, upgrade, null));
        assertThat(named(target)).isEqualTo(expected);
        if (target instanceof Refusal refusal) {
            assertThat(refusal.status()).isBetween(400, 499);
        }
    }

    @Test
    void withAManagementPortMetricsIsAnAppsPath() {
        Admission admission = admission(new GatewayConfig.Management("127.0.0.1", 0), RECORDING);
        assertThat(named(admission.target(get("/metrics")))).isEqualTo("demo-app");
        assertThat(named(admission.target(get("/healthz")))).isEqualTo("HEALTH");
    }

    @Test
    void aRouteWithAHostIsNotChosenForAnother() {
        RouteConfig only = new RouteConfig("dpi", "dpi.example", "/", APP, Level.SUBSTANTIAL, List.of(), Set.of(), Set.of(),
                Map.of(), Set.of(), false);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("https://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), null, List.of(only), null);
        Admission admission = new Admission(config, RECORDING);
        assertThat(named(admission.target(facts("GET", "/x", "DPI.example.", false, null, false, null)))).isEqualTo("dpi");
        assertThat(named(admission.target(facts("GET", "/x", "other.example", false, null, false, null)))).isEqualTo("NO_ROUTE");
    }

    /** The sessions of the table by name. */
    private static Session who(String name) {
        return switch (name) {
            case "none" -> null;
            case "nurse" -> NURSE;
            case "pharmacist" -> PHARMACIST;
            case "nurse3" -> NURSE_EIDAS3;
            case "emergency" -> NURSE_EMERGENCY;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "[{index}] {0} {1} as {2} -> {3} {4}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "GET; /echo; nurse; FORWARD; policy satisfied; -; -; false",
            "GET; /public/x; none; FORWARD; public path; -; -; false",
            "GET; /PUBLIC/x; none; LOGIN; no session; -; eidas2; false",
            "GET; /echo; none; LOGIN; no session; -; eidas2; false",
            "HEAD; /echo; none; LOGIN; no session; -; eidas2; false",
            "POST; /echo; none; REFUSE; no session; LOGIN_NEEDED; -; false",
            "GET; /high/x; nurse; LOGIN; level eidas2 below eidas3; -; eidas3; true",
            "GET; /HIGH./x; nurse; LOGIN; level eidas2 below eidas3; -; eidas3; true",
            "PUT; /high/x; nurse; REFUSE; level eidas2 below eidas3; LOGIN_NEEDED; -; false",
            "GET; /high/x; nurse3; FORWARD; policy satisfied; -; -; false",
            "GET; /pharmacy/x; nurse; REFUSE; profession not allowed; POLICY; -; false",
            "GET; /Pharmacy::$DATA/x; nurse; REFUSE; profession not allowed; POLICY; -; false",
            "GET; /pharmacy/x; pharmacist; FORWARD; policy satisfied; -; -; false",
            "GET; /pharmacy/x; none; LOGIN; no session; -; eidas2; false",
            // Emergency sessions: served at eidas1 only where the route takes them, refused (no step-up) elsewhere.
            "GET; /emergency/x; emergency; FORWARD; policy satisfied; -; -; false",
            "HEAD; /emergency/x; emergency; FORWARD; policy satisfied; -; -; false",
            "POST; /emergency/x; emergency; FORWARD; policy satisfied; -; -; false",
            "GET; /emergency/x; nurse; FORWARD; policy satisfied; -; -; false",
            "GET; /emergency/x; none; LOGIN; no session; -; eidas2; false",
            "GET; /emergency-pharmacy/x; emergency; REFUSE; profession not allowed; POLICY; -; false",
            "GET; /echo; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false",
            "POST; /echo; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false",
            "GET; /high/x; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false",
            "GET; /public/x; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false",
            "GET; /pharmacy/x; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false",
            // Read as written, /EMERGENCY./x is the / route's, which does not take emergency access: the stricter reading wins.
            "GET; /EMERGENCY./x; emergency; REFUSE; emergency session on a route that does not take emergency access; EMERGENCY_NOT_ALLOWED; -; false"})
    void theVerdictIsTheStrictestRoutes(String method, String uri, String who, Admission.Kind kind, String reason,
                                        String refusal, String level, boolean stepUp) {
        Admission admission = admission(null, RECORDING);
        Admission.Facts facts = facts(method, uri, "apps.example", false, null, false, null);
        Admission.Verdict verdict = admission.decide(facts, (RouteChoice) admission.target(facts), who(who), 0);
        assertThat(verdict.kind()).isEqualTo(kind);
        assertThat(verdict.decision().reason()).isEqualTo(reason);
        assertThat(verdict.refusal() == null ? null : verdict.refusal().name()).isEqualTo(refusal);
        assertThat(verdict.level() == null ? null : verdict.level().acr()).isEqualTo(level);
        assertThat(verdict.stepUp()).isEqualTo(stepUp);
        assertThat(verdict.decision().outcome() == Outcome.ALLOW).isEqualTo(kind == Admission.Kind.FORWARD);
    }

    /** Routes of a ward: an idle lock of 5 minutes on /ward (its /ward/help public), none on /. */
    private static Admission wardAdmission() {
        RouteConfig ward = new RouteConfig("ward", null, "/ward", APP, Level.SUBSTANTIAL, List.of("/ward/help"), Set.of(),
                Set.of(), Map.of(), Set.of(), false, Duration.ofMinutes(5));
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("https://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), null, List.of(ward, route("demo-app", "/", Level.SUBSTANTIAL, List.of(), Set.of())), null);
        return new Admission(config, RECORDING);
    }

    @ParameterizedTest(name = "[{index}] {0} {1}, {2}, idle {3} s -> {4}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "GET; /ward/x; nurse; 299; FORWARD; -; false",
            "GET; /ward/x; nurse; 301; LOGIN; eidas2; true",
            "HEAD; /ward/x; nurse; 301; LOGIN; eidas2; true",
            "GET; /WARD/x; nurse; 301; LOGIN; eidas2; true",
            "GET; /ward/x; nurse3; 301; LOGIN; eidas3; true",
            "POST; /ward/x; nurse; 301; REFUSE; -; false",
            "GET; /ward/help; nurse; 3000; FORWARD; -; false",
            "GET; /other; nurse; 1700; FORWARD; -; false",
            "GET; /ward/x; none; 0; LOGIN; eidas2; false"})
    @DisplayName("a route's idle lock: past it the person authenticates again, at the session's level, with a new authentication")
    void theIdleLockIsPartOfTheOneVerdict(String method, String uri, String who, long idleSeconds, Admission.Kind kind,
                                          String level, boolean fresh) {
        Admission admission = wardAdmission();
        Admission.Facts facts = facts(method, uri, "apps.example", false, null, false, null);
        Admission.Verdict verdict = admission.decide(facts, (RouteChoice) admission.target(facts), who(who), idleSeconds * 1000);
        assertThat(verdict.kind()).isEqualTo(kind);
        assertThat(verdict.level() == null ? null : verdict.level().acr()).isEqualTo(level);
        assertThat(verdict.fresh()).isEqualTo(fresh);
        if (fresh) {
            // A card session (eidas3) asks for eidas3 again: the card alone; the session is replaced.
            assertThat(verdict.stepUp()).isTrue();
            assertThat(verdict.decision().reason()).isEqualTo("idle lock (idle " + idleSeconds + " s, route allows 300 s)");
        }
        if (kind == Admission.Kind.REFUSE) {
            assertThat(verdict.refusal()).isEqualTo(Refusal.LOGIN_NEEDED);
            assertThat(verdict.decision().reason()).startsWith("idle lock");
        }
    }

    @Test
    @DisplayName("an emergency session past a route's idle lock authenticates again at its own level (eidas1)")
    void anEmergencySessionRelocksAtItsOwnLevel() {
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, URI.create("https://apps.example"),
                new GatewayConfig.OidcConfig(URI.create("http://127.0.0.1:1/realms/none"), "hc-gateway", "s", null),
                new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10), null), Set.of(),
                Duration.ofSeconds(30), null, List.of(emergencyRoute("ward", "/ward", Set.of(), Duration.ofMinutes(5))), null);
        Admission admission = new Admission(config, RECORDING);
        Admission.Verdict verdict = admission.decide(get("/ward/x"), (RouteChoice) admission.target(get("/ward/x")),
                NURSE_EMERGENCY, 301_000);
        assertThat(verdict.kind()).isEqualTo(Admission.Kind.LOGIN);
        assertThat(verdict.level()).isEqualTo(Level.LOW);
        assertThat(verdict.fresh()).isTrue();
        assertThat(admission.decide(get("/ward/x"), (RouteChoice) admission.target(get("/ward/x")), NURSE, 301_000).level())
                .isEqualTo(Level.SUBSTANTIAL);
    }

    @ParameterizedTest(name = "[{index}] WebSocket {0} as an emergency session -> {1}")
    @CsvSource(delimiter = ';', value = {"/emergency/socket; FORWARD", "/socket; REFUSE"})
    void aWebSocketHandshakeOfAnEmergencySessionIsDecidedTheSameWay(String path, Admission.Kind kind) {
        Admission admission = admission(null, RECORDING);
        Admission.Facts facts = facts("GET", path, "apps.example", false, null, true, "https://apps.example");
        Admission.Verdict verdict = admission.decide(facts, (RouteChoice) admission.target(facts), NURSE_EMERGENCY, 0);
        assertThat(verdict.kind()).isEqualTo(kind);
        if (kind == Admission.Kind.REFUSE) {
            assertThat(verdict.refusal()).isEqualTo(Refusal.EMERGENCY_NOT_ALLOWED);
        }
    }

    @ParameterizedTest(name = "[{index}] Origin {0} -> {1}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "-; FORWARD",
            "https://apps.example; FORWARD",
            "https://apps.example:443; FORWARD",
            "https://APPS.example.; FORWARD",
            "http://apps.example; REFUSE",
            "https://apps.example:8443; REFUSE",
            "https://evil.example; REFUSE",
            "https://apps.example.evil.example; REFUSE",
            "null; REFUSE",
            "'https://apps.example bad'; REFUSE"})
    void aWebSocketHandshakeIsForwardedOnlyFromTheSameOrigin(String origin, Admission.Kind kind) {
        Admission admission = admission(null, RECORDING);
        Admission.Facts facts = facts("GET", "/echo", "apps.example", false, null, true, origin);
        Admission.Verdict verdict = admission.decide(facts, (RouteChoice) admission.target(facts), NURSE, 0);
        assertThat(verdict.kind()).isEqualTo(kind);
        if (kind == Admission.Kind.REFUSE) {
            assertThat(verdict.refusal()).isEqualTo(Refusal.WEBSOCKET_OTHER_ORIGIN);
            assertThat(verdict.decision().reason()).isEqualTo("WebSocket opened from another origin");
        }
    }

    @ParameterizedTest(name = "[{index}] recording={0} admitsUnrecorded={1} -> {2}")
    @CsvSource({"true, false, FORWARD", "false, true, FORWARD", "false, false, REFUSE"})
    void anAllowedRequestIsRefusedWhileItsRecordCannotBeWrittenUnlessServingWasChosen(boolean recording,
                                                                                     boolean admitsUnrecorded,
                                                                                     Admission.Kind kind) {
        DecisionListener listener = new DecisionListener() {
            @Override
            public Future<Void> decided(fr.hcbroker.gateway.policy.DecisionEvent event) {
                return Future.succeededFuture();
            }

            @Override
            public boolean recording() {
                return recording;
            }

            @Override
            public boolean admitsUnrecorded() {
                return admitsUnrecorded;
            }
        };
        Admission admission = admission(null, listener);
        Admission.Verdict verdict = admission.decide(get("/echo"), (RouteChoice) admission.target(get("/echo")), NURSE, 0);
        assertThat(verdict.kind()).isEqualTo(kind);
        if (kind == Admission.Kind.REFUSE) {
            assertThat(verdict.refusal()).isEqualTo(Refusal.AUDIT_UNAVAILABLE);
            assertThat(verdict.decision()).isEqualTo(Admission.AUDIT_UNWRITABLE);
        }
        // Only an allowed request waits for its record: a refusal is recorded whatever happens.
        Admission.Verdict denied = admission.decide(get("/pharmacy/x"), (RouteChoice) admission.target(get("/pharmacy/x")), NURSE, 0);
        assertThat(denied.refusal()).isEqualTo(Refusal.POLICY);
    }

    @Test
    void theSessionStoreFailingIsARecordedRefusal() {
        Admission.Verdict verdict = Admission.sessionsUnavailable();
        assertThat(verdict.kind()).isEqualTo(Admission.Kind.REFUSE);
        assertThat(verdict.refusal().status()).isEqualTo(503);
        assertThat(verdict.decision().reason()).isEqualTo("session store unavailable");
    }
}
