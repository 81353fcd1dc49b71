package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.oidc.OidcEndpoints;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionListener;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.util.List;

/**
 * The gateway's one admission step: every request, whichever lane reads it (Vert.x's path, the fast
 * lane beneath it, a WebSocket upgrade), is decided here and nowhere else. Two calls, because the
 * session is read in between (at once on the fast lane, asynchronously on Vert.x's path):
 * {@link #target} tells from the request alone whether it is refused, one of the gateway's own
 * endpoints, or which route it belongs to; {@link #decide} then gives that route's verdict for the
 * session. A lane that cannot carry out a verdict (the fast lane does not log people in) hands the
 * request to Vert.x's path, which asks the same step again: the same answer, recorded once, by the lane
 * that carries it out.
 *
 * <p>Checks that depend on the request and its session belong in {@link #decide} (a per-route idle
 * lock, an emergency flag restricting routes); checks on the client's address before anything is
 * read, in {@link #target}. Immutable: built with each configuration and swapped with it on reload.
 */
final class Admission {

    /**
     * What the gateway knows of a request before its session is read.
     *
     * @param method           the request's method
     * @param uri              the request target as sent
     * @param path             its path (no query), still encoded
     * @param hosts            its {@code Host} headers
     * @param authority        the single {@code Host} header read as an authority, or null (none, or unreadable)
     * @param http10           an HTTP/1.0 request (which may come without {@code Host})
     * @param transferCodings  its {@code Transfer-Encoding} headers, or null without one
     * @param upgrade          a WebSocket handshake
     * @param origin           its {@code Origin} header, or null
     */
    record Facts(String method, String uri, String path, List<String> hosts, HostAndPort authority, boolean http10,
                 List<String> transferCodings, boolean upgrade, String origin) {
    }

    /** What {@link #target} finds: a {@link Refusal}, one of the gateway's {@link Own} endpoints, or a {@link RouteChoice}. */
    public sealed interface Target permits Refusal, Own, RouteChoice {
    }

    /** The gateway's own endpoints, answered by it whatever the routes. */
    enum Own implements Target {
        HEALTH, READY, METRICS, JWKS, CALLBACK, LOGIN, LOGOUT, LOGGED_OUT, SWITCH, SWITCHED, BACKCHANNEL_LOGOUT,
        /** The security officer's review of emergency accesses: decided by {@link #decide} as its own route. */
        EMERGENCY_REVIEW,
        /** The compliance report for IT admins: the same. */
        COMPLIANCE_REPORT
    }

    /** What happens to a routed request. */
    enum Kind {
        /** To the app. */
        FORWARD,
        /** To Keycloak first: a login, or a step-up of the session ({@link Verdict#stepUp}). */
        LOGIN,
        /** The gateway answers with {@link Verdict#refusal}. */
        REFUSE
    }

    /**
     * A routed request's verdict.
     *
     * @param kind     what happens
     * @param decision what its audit record says (outcome and reason)
     * @param refusal  the page and status when refused, else null
     * @param level    the level a login asks for (enough for every route the path could mean), else null
     * @param stepUp   the login replaces the session (a step-up)
     * @param fresh    the login demands a new authentication ({@code prompt=login}): the route's idle lock
     */
    record Verdict(Kind kind, Decision decision, Refusal refusal, Level level, boolean stepUp, boolean fresh) {

        Verdict(Kind kind, Decision decision, Refusal refusal, Level level, boolean stepUp) {
            this(kind, decision, refusal, level, stepUp, false);
        }
    }

    /** The refusal of an allowed request whose record cannot be written (audit.onWriteFailure: refuse). */
    static final Decision AUDIT_UNWRITABLE = new Decision(Outcome.DENY, "audit trail cannot be written");

    private final List<RouteConfig> routes;
    /** Metrics on the management port: {@code /metrics} on the main one is then an app's path like any other. */
    private final boolean metricsElsewhere;
    /** {@code /.hc/emergencies} exists only where {@code audit.emergencyReview} is set. */
    private final boolean emergencyReview;
    /** {@code /.hc/compliance} exists only where {@code audit.complianceReport} is set. */
    private final boolean complianceReport;
    private final URI publicUrl;
    private final DecisionListener listener;

    Admission(GatewayConfig config, DecisionListener listener) {
        this.routes = List.copyOf(config.routes());
        this.metricsElsewhere = config.management() != null;
        this.emergencyReview = EmergencyReviewPage.configured(config);
        this.complianceReport = CompliancePage.configured(config);
        this.publicUrl = config.publicUrl();
        this.listener = listener;
    }

    /**
     * The request's target, from the request alone. The app must see the request the gateway routed
     * and decided on: one host (RFC 9112 §3.2: a missing, repeated or invalid {@code Host} is a 400)
     * that the target does not contradict, an unambiguous path, a body framed one way only; and never
     * an echo method (TRACE, TRACK: the app would send the identity headers and assertion back).
     */
    Target target(Facts request) {
        if (!RequestPaths.printable(request.uri())) {
            return Refusal.UNPRINTABLE_TARGET;
        }
        if (RequestPaths.ambiguous(request.path())) {
            return Refusal.AMBIGUOUS_PATH;
        }
        List<String> hosts = request.hosts();
        if (hosts.size() > 1 || (hosts.isEmpty() ? !request.http10() : request.authority() == null)) {
            return Refusal.INVALID_HOST;
        }
        if (!RequestPaths.sameHost(request.uri(), hosts.isEmpty() ? null : hosts.get(0))) {
            return Refusal.TARGET_NAMES_ANOTHER_HOST;
        }
        if (request.transferCodings() != null && !Forwarder.onlyChunked(request.transferCodings())) {
            return Refusal.TRANSFER_CODING;
        }
        if (echoesRequest(request.method())) {
            return Refusal.ECHO_METHOD;
        }
        Own own = own(request.path());
        if (own != null) {
            return own;
        }
        String matching = RequestPaths.forMatching(request.path());
        if (RouteChoice.reserved(matching)) {
            return Refusal.UNKNOWN_GATEWAY_PATH;
        }
        // "apps.hopital.example." names the same host: it must not miss that host's routes.
        String host = request.authority() == null ? null : withoutFinalDot(request.authority().host());
        RouteChoice choice = RouteChoice.of(routes, host, matching);
        // A decision like any other: probes of addresses no app serves are part of the evidence.
        return choice == null ? Refusal.NO_ROUTE : choice;
    }

    /**
     * Methods that make a server send the request back as its answer, identity headers and assertion
     * included, for a script of the page to read: TRACE, and TRACK, IIS's own. Methods are
     * case-sensitive (RFC 9110 §9.1), but not every app server reads them so: {@code trace} and
     * {@code Track} are refused as well.
     */
    static boolean echoesRequest(String method) {
        return "TRACE".equalsIgnoreCase(method) || "TRACK".equalsIgnoreCase(method);
    }

    private Own own(String path) {
        return switch (path) {
            case "/healthz" -> Own.HEALTH;
            case "/readyz" -> Own.READY;
            case "/metrics" -> metricsElsewhere ? null : Own.METRICS;
            case GatewayServer.JWKS -> Own.JWKS;
            case GatewayServer.CALLBACK -> Own.CALLBACK;
            case GatewayServer.LOGIN -> Own.LOGIN;
            case GatewayServer.LOGOUT -> Own.LOGOUT;
            case GatewayServer.LOGGED_OUT -> Own.LOGGED_OUT;
            case GatewayServer.SWITCH -> Own.SWITCH;
            case OidcEndpoints.SWITCHED -> Own.SWITCHED;
            case GatewayServer.BACKCHANNEL_LOGOUT -> Own.BACKCHANNEL_LOGOUT;
            case EmergencyReviewPage.PATH -> emergencyReview ? Own.EMERGENCY_REVIEW : null;
            case CompliancePage.PATH -> complianceReport ? Own.COMPLIANCE_REPORT : null;
            default -> null;
        };
    }

    /**
     * The route's verdict for {@code session} (null: none), idle for {@code idleMillis} before this
     * request, the stricter of both readings of the path. A session idle past the route's lock
     * ({@code idleMinutes}, shared clinical workstations) authenticates again before the app sees the
     * request: a step-up at the session's own level (so a card session asks for the card alone)
     * demanding a new authentication. An emergency session is served only where every reading's route
     * takes emergency access ({@code emergency: true}), at its own level ({@link fr.hcbroker.gateway.policy.Policy}).
     */
    Verdict decide(Facts request, RouteChoice choice, Session session, long idleMillis) {
        if (session != null && session.emergency() != null && !choice.takesEmergency()) {
            // Before the policy: a step-up would send the person to a second factor they do not have.
            // Public paths too: the app would otherwise get the identity of a session it does not take.
            return refused(Refusal.EMERGENCY_NOT_ALLOWED);
        }
        Decision decision = choice.decide(session);
        long lock = choice.idleLockMillis();
        if (decision.outcome() == Outcome.ALLOW && session != null && idleMillis > lock && !choice.isPublic()) {
            Decision locked = new Decision(Outcome.STEP_UP, "idle lock (idle " + idleMillis / 1000 + " s, route allows "
                    + lock / 1000 + " s)");
            if (!"GET".equals(request.method()) && !"HEAD".equals(request.method())) {
                return new Verdict(Kind.REFUSE, locked, Refusal.LOGIN_NEEDED, null, false);
            }
            // An emergency session re-authenticates as it logged in: it has nothing stronger.
            Level level = session.level().atLeast(choice.minLevel()) || session.emergency() != null
                    ? session.level() : choice.minLevel();
            return new Verdict(Kind.LOGIN, locked, null, level, true, true);
        }
        return switch (decision.outcome()) {
            case ALLOW -> {
                if (!listener.recording() && !listener.admitsUnrecorded()) {
                    yield new Verdict(Kind.REFUSE, AUDIT_UNWRITABLE, Refusal.AUDIT_UNAVAILABLE, null, false);
                }
                if (request.upgrade() && !sameOrigin(request)) {
                    // A page elsewhere on the same site (another host of the hospital's domain) is sent the
                    // Lax cookie with its WebSocket handshake and could then read the socket in the person's name.
                    yield refused(Refusal.WEBSOCKET_OTHER_ORIGIN);
                }
                yield new Verdict(Kind.FORWARD, decision, null, null, false);
            }
            // A form post cannot be replayed after a login round trip: say so instead.
            case LOGIN, STEP_UP -> !"GET".equals(request.method()) && !"HEAD".equals(request.method())
                    ? new Verdict(Kind.REFUSE, decision, Refusal.LOGIN_NEEDED, null, false)
                    : new Verdict(Kind.LOGIN, decision, null, choice.minLevel(), decision.outcome() == Outcome.STEP_UP);
            case DENY -> new Verdict(Kind.REFUSE, decision, Refusal.POLICY, null, false);
        };
    }

    /** The verdict when the session store cannot be read: nobody is let in on a guess. */
    static Verdict sessionsUnavailable() {
        return refused(Refusal.SESSIONS_UNAVAILABLE);
    }

    private static Verdict refused(Refusal refusal) {
        return new Verdict(Kind.REFUSE, new Decision(Outcome.DENY, refusal.reason()), refusal, null, false);
    }

    /**
     * Whether a WebSocket handshake comes from a page of the origin it is addressed to (its
     * {@code Origin} header, which browsers always send on one). A client that sends none is not a
     * browser page, and carries no cookie a page could have lent it.
     */
    private boolean sameOrigin(Facts request) {
        String origin = request.origin();
        if (origin == null || request.authority() == null) {
            return origin == null;
        }
        try {
            URI from = new URI(origin);
            String scheme = publicUrl.getScheme();
            int defaultPort = "https".equals(scheme) ? 443 : 80;
            String fromHost = withoutFinalDot(from.getHost());
            int fromPort = from.getPort() > 0 ? from.getPort() : defaultPort;
            if (!scheme.equalsIgnoreCase(from.getScheme()) || fromHost == null) {
                return false;
            }
            // The gateway's public origin: behind a TLS proxy that rewrites Host, the only one to match.
            int publicPort = publicUrl.getPort() > 0 ? publicUrl.getPort() : defaultPort;
            if (fromHost.equalsIgnoreCase(publicUrl.getHost()) && fromPort == publicPort) {
                return true;
            }
            int port = request.authority().port() > 0 ? request.authority().port() : defaultPort;
            return fromHost.equalsIgnoreCase(withoutFinalDot(request.authority().host())) && fromPort == port;
        } catch (java.net.URISyntaxException unreadable) {
            return false;
        }
    }

    static String withoutFinalDot(String host) {
        return host != null && host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
