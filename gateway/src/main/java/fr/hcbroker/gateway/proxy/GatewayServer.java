package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.identity.AssertionSigner;
import fr.hcbroker.gateway.identity.HeaderContract;
import fr.hcbroker.gateway.oidc.OidcException;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.DecisionListener;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.PendingLogin;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.session.SessionStore;
import fr.hcbroker.loa.Level;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.vertx.httpproxy.HttpProxy;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gateway's HTTP front: its own endpoints under {@code /.hc/} and {@code /.well-known/hc-broker/},
 * health and metrics, then per route: identity headers stripped, policy decided, headers injected,
 * request proxied. Nothing here blocks the event loop: the session store, OIDC and signing-key work
 * are asynchronous or on workers.
 */
public final class GatewayServer {

    static final String CALLBACK = "/.hc/callback";
    static final String LOGOUT = "/.hc/logout";
    static final String LOGIN = "/.hc/login";
    static final String BACKCHANNEL_LOGOUT = "/.hc/backchannel-logout";
    static final String JWKS = "/.well-known/hc-broker/jwks.json";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString ACCEPT_LANGUAGE = AsciiString.cached("accept-language");
    private static final Function<String, HostAndPort> PARSE_AUTHORITY = host -> HostAndPort.parseAuthority(host, -1);

    /**
     * A route with its paths to the app: plain requests through Vert.x's client, WebSocket upgrades,
     * and the fast lane's pooled connections (null for an https app).
     */
    private record Route(RouteConfig config, Forwarder forwarder, HttpProxy webSockets, DirectUpstream direct) {
    }

    /** The routes in order, and their configurations for {@link RouteChoice}: swapped as one on reload. */
    private record Routing(List<Route> routes, List<RouteConfig> configs) {
    }

    /**
     * The gateway's reading of a browser's Cookie headers: its session id (as Vert.x reads it) and the
     * header the app gets (null: no cookie left).
     */
    record Cookies(String sessionId, String forApp) {
    }

    private final Vertx vertx;
    private volatile GatewayConfig config;
    private final SessionStore store;
    private final OidcProvider oidc;
    private final AssertionSigner signer;
    private final DecisionListener listener;
    private final PrometheusMeterRegistry metrics;
    private final String cookieName;
    /** Binds login attempts to the browser that started them: a random value, shared by its tabs. */
    private final String loginCookieName;
    /** {@link #cookies}, made once: the lane remembers its result per connection. */
    private final Function<List<String>, Cookies> readCookies = this::cookies;
    private final HttpClient client;
    private final io.micrometer.core.instrument.Timer answered;
    /** Requests the fast lane took: the rest of the decisions went through Vert.x. */
    private final io.micrometer.core.instrument.Counter fastLane;
    private volatile Routing routing;
    private final java.util.Map<Outcome, io.micrometer.core.instrument.Counter> decisions = new java.util.EnumMap<>(Outcome.class);
    private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<String> refreshing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Open WebSockets and the session each was opened in. */
    private final Map<HttpConnection, String> webSockets = new java.util.concurrent.ConcurrentHashMap<>();
    /** How often open WebSockets are checked against their sessions: how late one outlives its session. */
    public static final long WEBSOCKET_CHECK_MILLIS = 5_000;
    private long webSocketCheck = -1;
    private volatile HttpServer managementServer;
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> refreshes = new java.util.HashMap<>();
    private int boundPort;
    /** Per-address cap and timeouts of every listener's connections (issue #34). */
    private final ConnectionLimits connections;

    public GatewayServer(Vertx vertx, GatewayConfig config, SessionStore store, OidcProvider oidc,
                         DecisionListener listener, PrometheusMeterRegistry metrics) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        this.oidc = oidc;
        this.listener = listener;
        this.metrics = metrics;
        this.signer = new AssertionSigner(config.publicUrl().toString(), Clock.systemUTC(), store);
        // __Host- binds the cookie to this exact origin; browsers accept it only with Secure, so on https.
        this.cookieName = config.https() ? "__Host-hc_session" : "hc_session";
        this.loginCookieName = config.https() ? "__Host-hc_login" : "hc_login";
        int timeoutMs = (int) config.upstreamTimeout().toMillis();
        this.client = client(vertx, timeoutMs);
        this.answered = io.micrometer.core.instrument.Timer.builder("hc_gateway_upstream")
                .description("Time until an app's answer begins (plain requests)").register(metrics);
        this.fastLane = metrics.counter("hc_gateway_fast_lane");
        this.routing = routes(config);
        this.connections = new ConnectionLimits(() -> this.config, listener, metrics);
        metrics.gauge("hc_gateway_sessions", store, SessionStore::size);
        metrics.gauge("hc_gateway_websockets", this, GatewayServer::openWebSockets);
        // Looked up once: a registry lookup per request (tags, map) costs more than the count itself.
        for (Outcome outcome : Outcome.values()) {
            decisions.put(outcome, metrics.counter("hc_gateway_decisions", "outcome",
                    outcome.name().toLowerCase(Locale.ROOT)));
        }
        for (String result : List.of("ok", "refused", "unavailable")) {
            refreshes.put(result, metrics.counter("hc_gateway_token_refreshes", "result", result));
        }
        vertx.setPeriodic(15_000, id -> signer.forgetExpired());
    }

    private static HttpClient client(Vertx vertx, int timeoutMs) {
        return vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true).setConnectTimeout(timeoutMs).setMaxInitialLineLength(8192),
                new PoolOptions().setHttp1MaxSize(64));
    }

    private Routing routes(GatewayConfig config) {
        int timeoutMs = (int) config.upstreamTimeout().toMillis();
        List<Route> built = new ArrayList<>();
        for (RouteConfig route : config.routes()) {
            URI upstream = route.upstream();
            BiConsumer<HttpServerRequest, Integer> failed = (request, status) -> record(request, route.id(),
                    new Decision(Outcome.DENY, Refusal.upstream(status).reason()), null, status);
            int port = upstream.getPort() > 0 ? upstream.getPort() : "https".equals(upstream.getScheme()) ? 443 : 80;
            SocketAddress origin = SocketAddress.inetSocketAddress(port, upstream.getHost());
            HttpProxy webSockets = HttpProxy.reverseProxy(client)
                    .origin(context -> context.client().request(new RequestOptions()
                            .setServer(origin).setHost(upstream.getHost()).setPort(port).setSsl("https".equals(upstream.getScheme()))
                            .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)))
                    .addInterceptor(new WebSocketRules(ownCookies()), true)
                    .addInterceptor(new UpstreamErrors(failed), true);
            built.add(new Route(route, new Forwarder(upstream, timeoutMs, failed, ownCookies(), answered), webSockets,
                    DirectUpstream.of(vertx, upstream, timeoutMs, ownCookies(), answered)));
        }
        return new Routing(List.copyOf(built), List.copyOf(config.routes()));
    }

    /**
     * Takes {@code next} in place, without dropping a connection: requests already routed finish with
     * the route they had, the next ones use the new routes. Refused (nothing changes) when a section
     * that needs a restart differs; returns those sections.
     */
    public List<String> reload(GatewayConfig next) {
        List<String> restartOnly = config.restartOnlyChanges(next);
        if (restartOnly.isEmpty()) {
            Routing built = routes(next);
            config = next;
            routing = built;
        }
        return restartOnly;
    }

    /**
     * Listens with one server per event loop (as many as cores): Vert.x spreads connections over
     * them, so the gateway uses every core. Everything they share here is thread-safe.
     */
    public Future<Void> start() {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        // Port 0 (tests): a negative port is Vert.x's way to make the instances share one random port.
        webSocketCheck = vertx.setPeriodic(WEBSOCKET_CHECK_MILLIS, id -> closeEndedWebSockets());
        Future<Void> management = config.management() == null ? Future.succeededFuture()
                // HTTP/1.1 only, as the main port: with cleartext HTTP/2 on, Vert.x would wait for a connection's
                // first bytes before making its pipeline, and one that sends nothing would escape the head timeout.
                : vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                        .connectionHandler(connections::accept).requestHandler(this::operations)
                        .listen(config.management().port(), config.management().host())
                        .onSuccess(server -> {
                            managementServer = server;
                        }).mapEmpty();
        return management.compose(v -> deploy(config.listenPort() == 0 ? -1 : config.listenPort(), instances));
    }

    /** The management port (bound, when the configuration asked for port 0), or -1 without one. */
    public int managementPort() {
        return managementServer == null ? -1 : managementServer.actualPort();
    }

    private Future<Void> deploy(int port, int instances) {
        // HTTP/1.1 only (TLS terminates in front): no cleartext HTTP/2 upgrade with other header limits.
        // No WebSocket compression of our own: upgrades are relayed as bytes and the browser and the app
        // negotiate it between themselves; without it no extension handler looks at every request.
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
                .setMaxHeaderSize(16 * 1024).setMaxInitialLineLength(8 * 1024)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
                // A browser that vanished without closing (a laptop suspended, a roaming device) would
                // hold its connection forever: the kernel's keepalive probes find it. Not an idle
                // timeout, which would also cut quiet WebSockets that are alive.
                .setTcpKeepAlive(true);
        return vertx.deployVerticle(() -> new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        // Each event loop its own client: a pooled connection opened by another loop
                        // would hand every exchange over between the two threads.
                        HttpClient own = client(vertx, (int) config.upstreamTimeout().toMillis());
                        return vertx.createHttpServer(options)
                                .connectionHandler(connection -> {
                                    if (connections.accept(connection)) {
                                        FastLane.install(connection, GatewayServer.this::admit);
                                    }
                                })
                                .requestHandler(request -> handle(request, own))
                                .invalidRequestHandler(GatewayServer.this::undecodable)
                                .listen(port, config.listenHost())
                                .onSuccess(GatewayServer.this::listening);
                    }
                }, new DeploymentOptions().setInstances(instances))
                .onSuccess(deployments::add)
                .mapEmpty();
    }

    private synchronized void listening(HttpServer server) {
        if (boundPort == 0) {
            boundPort = server.actualPort();
        }
    }

    /** The bound port (useful when the configuration asked for port 0). */
    public synchronized int port() {
        return boundPort;
    }

    public Future<Void> stop() {
        vertx.cancelTimer(webSocketCheck);
        if (managementServer != null) {
            managementServer.close();
        }
        return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
    }

    private void handle(HttpServerRequest request, HttpClient own) {
        String path = request.path();
        Refusal invalid = invalidTarget(request);
        if (invalid != null) {
            refuse(request, invalid, null, null);
            return;
        }
        if (request.method() == HttpMethod.TRACE) {
            // The app would echo the request back, identity headers and assertion included.
            request.response().putHeader("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            refuse(request, Refusal.TRACE, null, null);
            return;
        }
        switch (path) {
            // Load balancers probe the main port; metrics move to the management port when there is one,
            // and an app's own /metrics is then reached like any of its paths.
            case "/healthz", "/readyz" -> operations(request);
            case "/metrics" -> {
                if (config.management() == null) {
                    operations(request);
                } else {
                    route(request, path, own);
                }
            }
            case JWKS -> request.response().putHeader("content-type", "application/json")
                    .putHeader("cache-control", "max-age=300").end(signer.jwks());
            case CALLBACK -> callback(request);
            case LOGIN -> login(request, RequestPaths.safeReturn(request.getParam("return")), Level.SUBSTANTIAL, null);
            case LOGOUT -> logout(request);
            case BACKCHANNEL_LOGOUT -> backchannelLogout(request);
            default -> {
                String matching = RequestPaths.forMatching(path);
                if (RouteChoice.reserved(matching)) {
                    refuse(request, Refusal.UNKNOWN_GATEWAY_PATH, null, null);
                } else {
                    route(request, matching, own);
                }
            }
        }
    }

    /**
     * The host the browser used, for the app's absolute links: the {@code Host} header when it names the
     * gateway ({@code publicUrl}) or the route's own host, else the gateway's public host. A catch-all
     * route answers any {@code Host}, and an app that builds a reset link or a redirect from an
     * attacker's would send people to the attacker's site.
     */
    private String forwardedHost(HostAndPort authority, RouteConfig route) {
        String publicHost = config.publicUrl().getRawAuthority();
        if (authority == null) {
            return publicHost;
        }
        String host = withoutFinalDot(authority.host());
        boolean known = host.equalsIgnoreCase(config.publicUrl().getHost()) || host.equalsIgnoreCase(route.host());
        return known ? authority.toString() : publicHost;
    }

    /** {@code /healthz}'s answer: alive, and which release (the jar's manifest; "dev" when run from classes). */
    private static final String HEALTHY = "ok " + java.util.Objects.requireNonNullElse(
            GatewayServer.class.getPackage().getImplementationVersion(), "dev") + "\n";

    /** Health and metrics: on the main port, and on the management port when there is one. */
    private void operations(HttpServerRequest request) {
        switch (request.path()) {
            case "/healthz" -> request.response().putHeader("content-type", "text/plain").end(HEALTHY);
            case "/readyz" -> {
                // Not ready while the trail cannot be written: a load balancer moves people to a node that records.
                boolean recording = listener.recording();
                String descriptors = ConnectionLimits.descriptorsNearLimit();
                request.response().setStatusCode(oidc.isReady() && recording && descriptors == null ? 200 : 503)
                        .putHeader("content-type", "text/plain").end(!recording ? "audit trail cannot be written\n"
                                : descriptors != null ? descriptors + "\n"
                                : oidc.isReady() ? "ready\n" : "login service not reached yet\n");
            }
            case "/metrics" -> request.response().putHeader("content-type", "text/plain; version=0.0.4")
                    .end(metrics.scrape());
            default -> request.response().setStatusCode(404).end();
        }
    }

    /**
     * Closes the WebSockets whose session has ended: a logout, a back-channel logout (on any node), a
     * refresh Keycloak refused, the idle or absolute timeout. A socket is one long request, and without
     * this it went on relaying in the name of someone no longer logged in.
     */
    private void closeEndedWebSockets() {
        webSockets.keySet().removeIf(GatewayServer::closed);
        webSockets.forEach((connection, sessionId) -> store.isOpen(sessionId).onSuccess(alive -> {
            if (!alive && webSockets.remove(connection) != null) {
                connection.close();
            }
        }));
    }

    /**
     * Whether a WebSocket's connection has closed. The proxy relays an upgraded connection as a raw
     * socket, whose end no handler set on the connection hears: its channel is asked (a Vert.x
     * internal class, the one behind every HTTP/1.1 connection).
     */
    private static boolean closed(HttpConnection connection) {
        return connection instanceof io.vertx.core.net.impl.ConnectionBase base && !base.channel().isActive();
    }

    /** WebSockets open through this node (a gauge). */
    private int openWebSockets() {
        webSockets.keySet().removeIf(GatewayServer::closed);
        return webSockets.size();
    }

    /** A step-up replaced a session: its WebSockets now belong to the new one, and stay open. */
    private void moveWebSockets(String from, String to) {
        webSockets.replaceAll((connection, sessionId) -> sessionId.equals(from) ? to : sessionId);
    }

    /**
     * Whether a WebSocket handshake comes from a page of the origin it is addressed to (its
     * {@code Origin} header, which browsers always send on one). A client that sends none is not a
     * browser page, and carries no cookie a page could have lent it.
     */
    private boolean sameOrigin(HttpServerRequest request) {
        String origin = request.getHeader("origin");
        if (origin == null || request.authority() == null) {
            return origin == null;
        }
        try {
            URI from = new URI(origin);
            String scheme = config.publicUrl().getScheme();
            int defaultPort = "https".equals(scheme) ? 443 : 80;
            String fromHost = withoutFinalDot(from.getHost());
            int fromPort = from.getPort() > 0 ? from.getPort() : defaultPort;
            if (!scheme.equalsIgnoreCase(from.getScheme()) || fromHost == null) {
                return false;
            }
            // The gateway's public origin: behind a TLS proxy that rewrites Host, the only one to match.
            int publicPort = config.publicUrl().getPort() > 0 ? config.publicUrl().getPort() : defaultPort;
            if (fromHost.equalsIgnoreCase(config.publicUrl().getHost()) && fromPort == publicPort) {
                return true;
            }
            int port = request.authority().port() > 0 ? request.authority().port() : defaultPort;
            return fromHost.equalsIgnoreCase(withoutFinalDot(request.authority().host())) && fromPort == port;
        } catch (java.net.URISyntaxException unreadable) {
            return false;
        }
    }

    private static String withoutFinalDot(String host) {
        return host != null && host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    /** {@code path}: as routes match it ({@link RequestPaths#forMatching}). */
    private void route(HttpServerRequest request, String path, HttpClient own) {
        String host = request.authority() == null ? null : request.authority().host();
        if (host != null && host.endsWith(".")) {
            // "apps.hopital.example." names the same host: it must not miss that host's routes.
            host = host.substring(0, host.length() - 1);
        }
        Routing current = routing;
        RouteChoice choice = RouteChoice.of(current.configs(), host, path);
        if (choice == null) {
            // A decision like any other: probes of addresses no app serves are part of the evidence.
            refuse(request, Refusal.NO_ROUTE, null, null);
            return;
        }
        Route route = current.routes().get(choice.index());
        request.pause();
        String sessionId = sessionId(request);
        Future<Session> lookup = sessionId == null ? Future.succeededFuture() : store.get(sessionId);
        lookup.onComplete(found -> {
            if (found.failed()) {
                request.resume();
                refuse(request, Refusal.SESSIONS_UNAVAILABLE, route.config().id(), null);
                return;
            }
            Session session = found.result();
            if (session != null && session.refreshDue(System.currentTimeMillis() / 1000)) {
                refresh(request, sessionId, session, route.config().id());
            }
            Decision decision = unlessUnrecorded(choice.decide(session));
            if (decision == AUDIT_UNWRITABLE) {
                request.resume();
                refuse(request, Refusal.AUDIT_UNAVAILABLE, route.config().id(), session, decision);
                return;
            }
            switch (decision.outcome()) {
                case ALLOW -> forward(request, route, session, decision, own);
                case LOGIN, STEP_UP -> {
                    request.resume();
                    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                        // A form post cannot be replayed after a login round trip: say so instead.
                        refuse(request, Refusal.LOGIN_NEEDED, route.config().id(), session, decision);
                    } else {
                        afterRecorded(request, record(request, route.config().id(), decision, session, 302),
                                () -> login(request, RequestPaths.safeReturn(request.uri()), choice.minLevel(),
                                        decision.outcome() == Outcome.STEP_UP ? sessionId : null));
                    }
                }
                case DENY -> {
                    request.resume();
                    refuse(request, Refusal.POLICY, route.config().id(), session, decision);
                }
            }
        });
    }

    /**
     * Why the gateway cannot tell which app and path a request is for, or null. The app must see the
     * request the gateway routed and decided on: one host (RFC 9112 §3.2: a missing, repeated or
     * invalid {@code Host} is a 400) that the target does not contradict, an unambiguous path, and a
     * body framed one way only.
     */
    private static Refusal invalidTarget(HttpServerRequest request) {
        if (!RequestPaths.printable(request.uri())) {
            return Refusal.UNPRINTABLE_TARGET;
        }
        if (RequestPaths.ambiguous(request.path())) {
            return Refusal.AMBIGUOUS_PATH;
        }
        List<String> hosts = request.headers().getAll("host");
        if (hosts.size() > 1 || (hosts.isEmpty() ? request.version() != HttpVersion.HTTP_1_0 : request.authority() == null)) {
            return Refusal.INVALID_HOST;
        }
        if (!RequestPaths.sameHost(request.uri(), hosts.isEmpty() ? null : hosts.get(0))) {
            return Refusal.TARGET_NAMES_ANOTHER_HOST;
        }
        // getAll only when there is one: it makes a list, and most requests have no body.
        if (request.getHeader("transfer-encoding") != null
                && !Forwarder.onlyChunked(request.headers().getAll("transfer-encoding"))) {
            return Refusal.TRANSFER_CODING;
        }
        return null;
    }

    private void forward(HttpServerRequest request, Route route, Session session, Decision decision, HttpClient own) {
        if (request.canUpgradeToWebSocket() && !sameOrigin(request)) {
            // A page elsewhere on the same site (another host of the hospital's domain) is sent the Lax
            // cookie with its WebSocket handshake and could then read the socket in the person's name.
            request.resume();
            refuse(request, Refusal.WEBSOCKET_OTHER_ORIGIN, route.config().id(), session);
            return;
        }
        String sessionId = session == null ? null : sessionId(request);
        MultiMap incoming = request.headers();
        String peer = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
        Consumer<MultiMap> added = forApp(incoming, withoutOwnCookies(incoming.getAll(HttpHeaderNames.COOKIE)), peer,
                request.authority(), route.config(), session)::applyTo;
        record(request, route.config().id(), decision, session, 0);
        if (request.canUpgradeToWebSocket()) {
            added.accept(incoming);
            if (sessionId != null) {
                webSockets.put(request.connection(), sessionId);
            }
            route.webSockets().handle(request);
        } else {
            route.forwarder().forward(request, own, added, session != null);
        }
    }

    /**
     * Makes the browser's headers fit for the app, in place: spoofed identity headers, the gateway's
     * cookies ({@code cookies} is the Cookie header without them, null when none is left) and (from
     * a peer that is not a trusted proxy) forwarding headers out. Returns what the gateway sets on the
     * request to the app. Set there rather than on the browser's headers copied into it: each value is
     * checked once, not twice.
     */
    private AppHeaders forApp(MultiMap incoming, String cookies, String peer, HostAndPort authority, RouteConfig route,
                              Session session) {
        HeaderContract.strip(incoming, route.identityHeaderNames());
        RequestPaths.removePathOverrides(incoming);
        incoming.remove(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            incoming.set(HttpHeaderNames.COOKIE, cookies);
        }
        boolean trusted = config.trustedProxies().contains(peer);
        String priorFor = trusted ? incoming.get("x-forwarded-for") : null;
        if (!trusted) {
            removeForwarded(incoming);
        }
        return new AppHeaders(trusted ? null : config.publicUrl().getScheme(),
                trusted ? null : forwardedHost(authority, route), priorFor == null ? peer : priorFor + ", " + peer,
                session == null ? null : signer.headers(session, route));
    }

    /**
     * What the gateway sets on a request to an app: the forwarding headers (proto and host null when
     * a trusted proxy set them) and the person's identity (null on a public path without a session).
     */
    private record AppHeaders(String proto, String host, String forwardedFor, HeaderContract.Prepared identity) {

        void applyTo(MultiMap headers) {
            if (proto != null) {
                headers.set("x-forwarded-proto", proto);
                headers.set("x-forwarded-host", host);
            }
            headers.set("x-forwarded-for", forwardedFor);
            if (identity != null) {
                identity.applyTo(headers);
            }
        }

        /** On the fast lane's request to the app, whose headers do not check values again. */
        void applyTo(io.netty.handler.codec.http.HttpHeaders headers) {
            if (proto != null) {
                headers.set(X_FORWARDED_PROTO, proto);
                headers.set(X_FORWARDED_HOST, host);
            }
            headers.set(X_FORWARDED_FOR, forwardedFor);
            if (identity != null) {
                identity.applyTo(headers);
            }
        }
    }

    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    /**
     * Whether {@code request} takes the fast lane ({@link FastLane}), decided as {@link #handle} and
     * {@link #route} would: only a plain HTTP/1.1 request to an http app, whose target and session are
     * readable at once and that the policy allows without a refresh due. Anything else (the gateway's
     * own paths, refusals, logins, a clustered store's read, an upgrade, a body in chunks, a
     * connection to close) returns null with the request untouched, and Vert.x's path decides it.
     */
    private FastLane.Pass admit(io.netty.handler.codec.http.HttpRequest request, FastLane.Browser browser) {
        if (!(request.headers() instanceof MultiMap headers) || !FastLane.eligible(request)) {
            return null;
        }
        String uri = request.uri();
        if (!RequestPaths.printable(uri)) {
            return null;
        }
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        HostAndPort authority = hosts.size() == 1 ? browser.authority.of(hosts.get(0), PARSE_AUTHORITY) : null;
        if (authority == null || RequestPaths.ambiguous(path) || !RequestPaths.sameHost(uri, hosts.get(0))
                || OWN_PATHS.contains(path)) {
            return null;
        }
        String matching = RequestPaths.forMatching(path);
        Routing current = routing;
        RouteChoice choice = RouteChoice.reserved(matching) ? null
                : RouteChoice.of(current.configs(), withoutFinalDot(authority.host()), matching);
        Route route = choice == null ? null : current.routes().get(choice.index());
        if (route == null || route.direct() == null) {
            return null;
        }
        Cookies cookies = browser.cookies.of(headers.getAll(HttpHeaderNames.COOKIE), readCookies);
        String sessionId = cookies.sessionId();
        Session session = null;
        if (sessionId != null) {
            Future<Session> found = store.readsInPlace() ? store.get(sessionId) : null;
            if (found == null || !found.succeeded()) {
                return null;
            }
            session = found.result();
            if (session != null && session.refreshDue(System.currentTimeMillis() / 1000)) {
                return null;
            }
        }
        Decision decision = unlessUnrecorded(choice.decide(session));
        if (decision.outcome() != Outcome.ALLOW) {
            return null;
        }
        // Admitted: from here on the request is changed for the app.
        String method = request.method().name();
        String client = clientAddress(browser.peer, headers);
        String requestId = headers.get(X_REQUEST_ID);
        String routeId = route.config().id();
        AppHeaders added = forApp(headers, cookies.forApp(), browser.peer, authority, route.config(), session);
        record(method, path, client, requestId, routeId, decision, session, 0);
        fastLane.increment();
        return new FastLane.Pass(route.direct(), route.direct().requestFor(request, added::applyTo), session != null,
                status -> record(method, path, client, requestId, routeId,
                        new Decision(Outcome.DENY, Refusal.upstream(status).reason()), null, status));
    }

    /** The paths {@link #handle} answers itself, whatever the routes. */
    private static final Set<String> OWN_PATHS = Set.of("/healthz", "/readyz", "/metrics", JWKS, CALLBACK, LOGIN,
            LOGOUT, BACKCHANNEL_LOGOUT);

    /**
     * Refreshes the session's tokens in the background, once at a time per session: this request goes
     * on with the session as it is, so a slow or unreachable Keycloak delays nobody (and open sessions
     * keep working while it is down; retried 30 s later). Keycloak refusing the refresh (its session
     * ended, the user was disabled) ends the gateway session: the next request logs in again.
     */
    private void refresh(HttpServerRequest request, String sessionId, Session session, String routeId) {
        if (!refreshing.add(sessionId)) {
            return;
        }
        oidc.refresh(session)
                .compose(fresh -> store.replace(sessionId, session, fresh))
                .onSuccess(replaced -> refreshes.get("ok").increment())
                .recover(failure -> {
                    if (failure instanceof OidcException refused && !refused.unavailable()) {
                        refreshes.get("refused").increment();
                        return store.remove(sessionId).compose(v -> record(request, routeId, new Decision(Outcome.ALLOW,
                                "logout by Keycloak (" + refused.getMessage() + ")"), session, 0)).map(true);
                    }
                    refreshes.get("unavailable").increment();
                    return store.replace(sessionId, session,
                            session.refreshLater(System.currentTimeMillis() / 1000 + 30));
                })
                .onComplete(done -> refreshing.remove(sessionId));
    }

    private void login(HttpServerRequest request, String returnPath, Level level, String replacing) {
        String existing = cookieValue(request, loginCookieName);
        // One value per browser, kept while it has one: tabs logging in at once all keep theirs valid.
        String browser = existing != null && existing.matches("[A-Za-z0-9_-]{43}") ? existing : random();
        oidc.start(returnPath, level, replacing, browser)
                .compose(start -> {
                    String url = start.getKey();
                    int hash = url.lastIndexOf('#');
                    return store.putPending(url.substring(hash + 1), start.getValue()).map(v -> url.substring(0, hash));
                })
                .onSuccess(url -> request.response()
                        .addCookie(Cookie.cookie(loginCookieName, browser).setPath("/").setHttpOnly(true)
                                .setSameSite(CookieSameSite.LAX).setSecure(config.https()).setMaxAge(600))
                        .setStatusCode(302).putHeader("location", url)
                        .putHeader("cache-control", "no-store").end())
                .onFailure(failure -> unavailableOrRefused(request, failure));
    }

    private void callback(HttpServerRequest request) {
        String state = request.getParam("state");
        String code = request.getParam("code");
        if (state == null || code == null) {
            refuse(request, Refusal.CALLBACK_INCOMPLETE, null, null);
            return;
        }
        store.takePending(state).onComplete(taken -> {
            PendingLogin pending = taken.succeeded() ? taken.result() : null;
            if (pending != null && !pending.browser().equals(cookieValue(request, loginCookieName))) {
                // A callback link opened in another browser than the one that logged in: completing it
                // would log this person in as whoever did (login CSRF). The attempt is spent.
                refuse(request, Refusal.LOGIN_IN_ANOTHER_BROWSER, null, null);
                return;
            }
            if (pending == null) {
                refuse(request, Refusal.LOGIN_EXPIRED, null, null);
                return;
            }
            String sessionId = random();
            oidc.complete(code, pending, random())
                    .compose(session -> store.put(sessionId, session).map(session))
                    .compose(session -> {
                        if (pending.replacing() == null) {
                            return Future.succeededFuture(session);
                        }
                        moveWebSockets(pending.replacing(), sessionId);
                        return store.remove(pending.replacing()).map(session);
                    })
                    .compose(session -> record(request, null,
                            new Decision(Outcome.ALLOW, "login at " + session.level().acr()), session, 302).map(session))
                    .onSuccess(session -> {
                        Cookie cookie = Cookie.cookie(cookieName, sessionId).setPath("/").setHttpOnly(true)
                                .setSameSite(CookieSameSite.LAX).setSecure(config.https());
                        request.response().addCookie(cookie).setStatusCode(302)
                                .putHeader("location", RequestPaths.safeReturn(pending.returnPath()))
                                .putHeader("cache-control", "no-store").end();
                    })
                    .onFailure(failure -> unavailableOrRefused(request, failure));
        });
    }

    private void logout(HttpServerRequest request) {
        String sessionId = sessionId(request);
        // Read before removing, so the record says whose session ended.
        Future<Session> ended = sessionId == null ? Future.succeededFuture() : store.get(sessionId).otherwise((Session) null);
        ended.onComplete(found -> {
            Session session = found.result();
            Future<Void> removed = sessionId == null ? Future.succeededFuture() : store.remove(sessionId);
            String home = config.publicUrl().resolve("/").toString();
            // Ended from the server when Keycloak can be asked; else the browser goes to Keycloak's
            // end-session page, where the person confirms.
            removed.compose(v -> oidc.endSession(session))
                    .compose(atKeycloak -> atKeycloak ? Future.succeededFuture(home) : oidc.endSessionUrl(home))
                    .onComplete(url -> afterRecorded(request,
                            record(request, null, new Decision(Outcome.ALLOW, "logout"), session, 302), () -> request.response()
                                .addCookie(Cookie.cookie(cookieName, "").setPath("/").setMaxAge(0).setHttpOnly(true)
                                        .setSameSite(CookieSameSite.LAX).setSecure(config.https()))
                                .setStatusCode(302)
                                .putHeader("location", url.succeeded() ? url.result() : "/")
                                .putHeader("cache-control", "no-store").end()));
        });
    }

    private void backchannelLogout(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(405).end();
            return;
        }
        request.setExpectMultipart(true);
        request.end().compose(v -> {
                    String token = request.getFormAttribute("logout_token");
                    if (token == null) {
                        return Future.failedFuture(new OidcException("no logout_token", false, null));
                    }
                    return oidc.logoutToken(token);
                })
                .compose(ids -> store.removeMatching(ids.getKey(), ids.getValue()))
                // One record per session ended, naming whose it was; one without a person if none was open here.
                .onSuccess(ended -> afterRecorded(request, ended.isEmpty()
                                ? record(request, null, new Decision(Outcome.ALLOW, "back-channel logout (no session)"), null, 200)
                                : Future.all(ended.stream().map(session -> record(request, null,
                                        new Decision(Outcome.ALLOW, "back-channel logout"), session, 200)).toList()).mapEmpty(),
                        () -> request.response().putHeader("cache-control", "no-store").end()))
                .onFailure(failure -> afterRecorded(request,
                        record(request, null, new Decision(Outcome.DENY, "invalid logout token"), null, 400),
                        () -> request.response().setStatusCode(400).putHeader("content-type", "application/json")
                                .end("{\"error\":\"invalid_request\"}")));
    }

    private void unavailableOrRefused(HttpServerRequest request, Throwable failure) {
        boolean unavailable = failure instanceof OidcException oe && oe.unavailable();
        refuse(request, unavailable ? Refusal.LOGIN_UNAVAILABLE : Refusal.LOGIN_REFUSED, null, null);
    }

    /** Answers with the refusal's page once its record (reason, status) is on disk. */
    private void refuse(HttpServerRequest request, Refusal refusal, String routeId, Session session) {
        refuse(request, refusal, routeId, session, new Decision(Outcome.DENY, refusal.reason()));
    }

    /** The same, recording {@code decision} (the policy's own reason and outcome). */
    private void refuse(HttpServerRequest request, Refusal refusal, String routeId, Session session, Decision decision) {
        afterRecorded(request, record(request, routeId, decision, session, refusal.status()),
                () -> Pages.send(request.response(), refusal, Refusal.english(request.getHeader(ACCEPT_LANGUAGE)),
                        decision.reason()));
    }

    private String sessionId(HttpServerRequest request) {
        return cookieValue(request, cookieName);
    }

    private static String cookieValue(HttpServerRequest request, String name) {
        Cookie cookie = request.getCookie(name);
        return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
    }

    private Cookies cookies(List<String> headers) {
        return new Cookies(cookieValue(headers.isEmpty() ? null : headers.get(0), cookieName), withoutOwnCookies(headers));
    }

    /** As {@link HttpServerRequest#getCookie} reads it: the first {@code Cookie} header, strictly decoded. */
    private static String cookieValue(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        // decodeAll: the same pairs in order, without the sorted set decode() builds (the first of a name wins in both).
        for (io.netty.handler.codec.http.cookie.Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(cookieHeader)) {
            if (cookie.name().equals(name)) {
                return cookie.value().isEmpty() ? null : cookie.value();
            }
        }
        return null;
    }

    /** The gateway's cookies: the session's and the login's. */
    private java.util.Set<String> ownCookies() {
        return java.util.Set.of(cookieName, loginCookieName);
    }

    /**
     * The browser's Cookie headers without the gateway's cookies (the app never sees them): the other
     * pairs, trimmed, joined with "; " into one header; null when none is left. Pairs are found by
     * index rather than split and trimmed copies.
     */
    private String withoutOwnCookies(List<String> cookies) {
        StringBuilder kept = new StringBuilder();
        for (String header : cookies) {
            for (int start = 0; start <= header.length(); ) {
                int end = header.indexOf(';', start);
                end = end < 0 ? header.length() : end;
                int from = trimStart(header, start, end);
                int to = trimEnd(header, from, end);
                if (from < to && !isOwnCookie(header, from, to)) {
                    kept.append(kept.isEmpty() ? "" : "; ").append(header, from, to);
                }
                start = end + 1;
            }
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    /** Whether the pair in {@code header[from, to)} is named (trimmed, any case) as one of the gateway's cookies. */
    private boolean isOwnCookie(String header, int from, int to) {
        int eq = header.indexOf('=', from);
        int nameEnd = trimEnd(header, from, eq < 0 || eq > to ? to : eq);
        return named(header, from, nameEnd, cookieName) || named(header, from, nameEnd, loginCookieName);
    }

    private static boolean named(String header, int from, int to, String name) {
        return to - from == name.length() && header.regionMatches(true, from, name, 0, name.length());
    }

    /** As {@link String#trim}: characters up to space are trimmed. */
    private static int trimStart(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    private static int trimEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }

    /** X-Forwarded-*, Forwarded and X-Real-IP from a peer that is not a configured proxy: not believed. */
    private static void removeForwarded(MultiMap headers) {
        List<String> doomed = null;
        // The entries, not names(): that builds a sorted set for every request.
        for (java.util.Map.Entry<String, String> header : headers) {
            String name = header.getKey();
            if (name.regionMatches(true, 0, "x-forwarded-", 0, 12) || name.equalsIgnoreCase("forwarded")
                    || name.equalsIgnoreCase("x-real-ip")) {
                if (doomed == null) {
                    doomed = new ArrayList<>();
                }
                doomed.add(name);
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /** The refusal of an allowed request whose record cannot be written (audit.onWriteFailure: refuse). */
    private static final Decision AUDIT_UNWRITABLE = new Decision(Outcome.DENY, "audit trail cannot be written");

    /** An allowed request is refused while its record cannot be written, unless the establishment chose to serve it. */
    private Decision unlessUnrecorded(Decision decision) {
        return decision.outcome() == Outcome.ALLOW && !listener.recording() && !listener.admitsUnrecorded()
                ? AUDIT_UNWRITABLE : decision;
    }

    private Future<Void> record(HttpServerRequest request, String routeId, Decision decision, Session session, int status) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return record(request.method().name(), request.path(), clientAddress(peer, request.headers()),
                request.getHeader("x-request-id"), routeId, decision, session, status);
    }

    private Future<Void> record(String method, String path, String client, String requestId, String routeId,
                                Decision decision, Session session, int status) {
        decisions.get(decision.outcome()).increment();
        return listener.decided(new DecisionEvent(decision, routeId, method, path, session, status, client, requestId));
    }

    /**
     * The browser's address, for the record: the peer's, or behind a trusted proxy the last address in
     * {@code X-Forwarded-For} that is not a trusted proxy itself (the one a proxy saw connecting;
     * anything further left is the browser's own word).
     */
    private String clientAddress(String peer, MultiMap headers) {
        Set<String> trusted = config.trustedProxies();
        if (peer == null || !trusted.contains(peer)) {
            return peer;
        }
        String[] hops = String.join(",", headers.getAll("x-forwarded-for")).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trusted.contains(hop)) {
                return hop;
            }
        }
        return peer;
    }

    /**
     * A request Netty's decoder refused: a head or line too long, or a head that is not HTTP or could
     * be framed two ways (Netty refuses those itself). A denial like any other, on disk before Vert.x's
     * own answer (414, 431 or 400, then the connection closes). Method and path are recorded only when
     * the request line was read; otherwise the request is Netty's placeholder, GET /bad-request.
     */
    private void undecodable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        String reason = switch (status) {
            case 414 -> "request line too long";
            case 431 -> "request head too large";
            default -> "malformed request";
        };
        boolean placeholder = request.version() == HttpVersion.HTTP_1_0 && "/bad-request".equals(request.uri());
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        afterRecorded(request, record(placeholder ? null : request.method().name(), placeholder ? null : request.path(),
                        clientAddress(peer, request.headers()), request.getHeader(X_REQUEST_ID), null,
                        new Decision(Outcome.DENY, reason), null, status),
                () -> HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request));
    }

    /**
     * Sends a response only once its decision is recorded; if the audit trail cannot record it, the
     * person gets a 503 instead (fail closed: nothing is answered that the trail does not hold).
     */
    private static void afterRecorded(HttpServerRequest request, Future<Void> recorded, Runnable send) {
        recorded.onComplete(done -> {
            if (done.succeeded()) {
                send.run();
            } else {
                Pages.send(request.response(), Refusal.AUDIT_UNAVAILABLE, Refusal.english(request.getHeader(ACCEPT_LANGUAGE)),
                        null);
            }
        });
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
