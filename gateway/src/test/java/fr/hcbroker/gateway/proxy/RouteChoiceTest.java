package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The strictest route a path may belong to")
class RouteChoiceTest {

    private static final URI APP = URI.create("http://127.0.0.1:1");
    /** The demo stack's routes: a public prefix, a level-3 route and a pharmacists' route before a catch-all. */
    private static final List<RouteConfig> ROUTES = List.of(
            route("demo-public", "/public", Level.SUBSTANTIAL, List.of("/public"), Set.of(), false),
            route("demo-high", "/high", Level.HIGH, List.of(), Set.of(), false),
            route("demo-pharmacy", "/pharmacy", Level.SUBSTANTIAL, List.of(), Set.of("21"), false),
            route("demo-app", "/", Level.SUBSTANTIAL, List.of(), Set.of(), false));
    /** A logged-in eidas2 nurse: the catch-all lets her in, the pharmacy and the level-3 route do not. */
    private static final Session NURSE = new Session("c", "s", "sid", "nurse", "899700000021", "H", "L", null,
            List.of("60"), List.of(), Set.of(), Level.SUBSTANTIAL, List.of("pwd"), 0);

    private static RouteConfig route(String id, String prefix, Level level, List<String> publicPaths, Set<String> professions,
                                     boolean caseSensitive) {
        return new RouteConfig(id, null, prefix, APP, level, publicPaths, Set.of(), professions, Map.of(), Set.of(),
                caseSensitive);
    }

    private static RouteChoice choose(String path) {
        return RouteChoice.of(ROUTES, "apps.example", RequestPaths.forMatching(path));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/PHARMACY/echo", "/Pharmacy/echo", "/pHaRmAcY", "/pharmacy./echo", "/PHARMACY.../echo",
            "/pharmacy%20/echo", "/Pharmacy.%20/echo", "/pharmacy::$INDEX_ALLOCATION/echo", "/pharmacy:x/echo",
            "/PHARMACY;x/echo", "//Pharmacy//echo", "/pharmacy.;jsessionid=1/echo", "/pharmacy:/echo"})
    void aPathALegacyServerReadsAsThePharmacysIsDecidedByThePharmacysPolicy(String path) {
        RouteChoice choice = choose(path);
        assertThat(choice.route().id()).isEqualTo("demo-pharmacy");
        assertThat(choice.decide(NURSE).outcome()).isEqualTo(Outcome.DENY);
        assertThat(choice.decide(NURSE).reason()).isEqualTo("profession not allowed");
        assertThat(choice.decide(null).outcome()).isEqualTo(Outcome.LOGIN);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/HIGH/echo", "/High", "/high./echo", "/high%20/echo", "/high::$DATA"})
    void aPathALegacyServerReadsAsTheLevel3RoutesAsksForLevel3(String path) {
        RouteChoice choice = choose(path);
        assertThat(choice.route().id()).isEqualTo("demo-high");
        assertThat(choice.decide(NURSE).outcome()).isEqualTo(Outcome.STEP_UP);
        assertThat(choice.minLevel()).isEqualTo(Level.HIGH);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/PUBLIC/echo", "/Public/x", "/public./echo", "/public%20/echo", "/public::$DATA/echo",
            "/public:x/echo"})
    void aPublicPathIsPublicOnlyAsWritten(String path) {
        // Served by the public route's app, whose own reading may be another resource: a login is asked.
        assertThat(choose(path).decide(null).outcome()).isEqualTo(Outcome.LOGIN);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/public/echo", "/public", "/public/a.b", "/public;x/echo", "//public/echo"})
    void aPublicPathAsWrittenStaysPublic(String path) {
        RouteChoice choice = choose(path);
        assertThat(choice.route().id()).isEqualTo("demo-public");
        assertThat(choice.decide(null).outcome()).isEqualTo(Outcome.ALLOW);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/echo", "/pharmacyx/echo", "/app/page", "/x.y/z", "/wiki/Special:Search"})
    void ordinaryPathsKeepTheirRouteAndOneDecision(String path) {
        RouteChoice choice = choose(path);
        assertThat(choice.route().id()).isEqualTo("demo-app");
        assertThat(choice.decide(NURSE).outcome()).isEqualTo(Outcome.ALLOW);
    }

    @Test
    void theCommonPathIsMatchedOnceAndNeedsNoSecondPolicy() {
        RouteChoice choice = choose("/pharmacy/echo");
        assertThat(choice.route().id()).isEqualTo("demo-pharmacy");
        assertThat(choice.alsoUnder()).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({"/PHARMACY/echo, demo-app", "/pharmacy/echo, demo-pharmacy", "/pharmacy./echo, demo-pharmacy"})
    void aCaseSensitiveRouteMatchesItsPrefixInItsOwnCase(String path, String id) {
        List<RouteConfig> routes = List.of(route("demo-pharmacy", "/pharmacy", Level.SUBSTANTIAL, List.of(), Set.of("21"), true),
                route("demo-app", "/", Level.SUBSTANTIAL, List.of(), Set.of(), false));
        assertThat(RouteChoice.of(routes, "apps.example", path).route().id()).isEqualTo(id);
    }

    @Test
    @DisplayName("a looser route ahead of a stricter catch-all: a request read as both must satisfy both")
    void aLooserPrefixBeforeAStricterCatchAllCannotOpenTheCatchAllsPaths() {
        List<RouteConfig> routes = List.of(route("open", "/open", Level.LOW, List.of(), Set.of(), false),
                route("strict", "/", Level.HIGH, List.of(), Set.of("21"), false));
        RouteChoice choice = RouteChoice.of(routes, "apps.example", "/OPEN/x");
        assertThat(choice.route().id()).isEqualTo("open");
        // The catch-all asks eidas3 first: the login asks enough for both routes.
        assertThat(choice.decide(NURSE).outcome()).isEqualTo(Outcome.STEP_UP);
        assertThat(choice.minLevel()).isEqualTo(Level.HIGH);
        Session eidas3Nurse = new Session("c", "s", "sid", "nurse", "899700000021", "H", "L", null,
                List.of("60"), List.of(), Set.of(), Level.HIGH, List.of("pwd"), 0);
        assertThat(choice.decide(eidas3Nurse).reason()).isEqualTo("profession not allowed");
        assertThat(RouteChoice.of(routes, "apps.example", "/open/x").decide(NURSE).outcome()).isEqualTo(Outcome.ALLOW);
    }

    @Test
    void noRouteIsNoChoice() {
        List<RouteConfig> routes = List.of(route("only", "/only", Level.LOW, List.of(), Set.of(), false));
        assertThat(RouteChoice.of(routes, "apps.example", "/other")).isNull();
        assertThat(RouteChoice.of(routes, "apps.example", "/ONLY.").route().id()).isEqualTo("only");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/.hc", "/.hc/x", "/.HC/login", "/.Hc./x", "/.hc::$DATA/x", "/.well-known/hc-broker/jwks.json",
            "/.WELL-KNOWN/HC-BROKER/x", "/.well-known./hc-broker/x", "/.hc%20/x"})
    void theGatewaysNamespacesAreReservedInEveryReading(String path) {
        assertThat(RouteChoice.reserved(path)).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"/.hcx", "/.well-known/other", "/hc/x", "/"})
    void otherPathsAreNotReserved(String path) {
        assertThat(RouteChoice.reserved(path)).isFalse();
    }
}
