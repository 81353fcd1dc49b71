package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.identity.AssertionSigner;
import fr.hcbroker.gateway.identity.HeaderContract;
import fr.hcbroker.gateway.oidc.OidcEndpoints;
import fr.hcbroker.gateway.oidc.OidcProvider;
import fr.hcbroker.gateway.oidc.SignOut;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.DecisionListener;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.session.SessionCookies;
import fr.hcbroker.gateway.session.SessionStore;
import fr.hcbroker.loa.Level;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.vertx.httpproxy.HttpProxy;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
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
    /** Where a logout lands: "you are logged out", and a link to log in again. */
    public static final String LOGGED_OUT = "/.hc/logged-out";
    static final String SWITCH = "/.hc/switch";
    static final String LOGIN = "/.hc/login";
    static final String BACKCHANNEL_LOGOUT = "/.hc/backchannel-logout";
    static final String JWKS = "/.well-known/hc-broker/jwks.json";
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    /** The gateway's id of a request to an app (the browser's own is stripped with every {@code X-HC-} header). */
    static final AsciiString X_HC_REQUEST_ID = AsciiString.cached("x-hc-request-id");
    private static final AsciiString ACCEPT_LANGUAGE = AsciiString.cached("accept-language");
    private static final Function<String, HostAndPort> PARSE_AUTHORITY = host -> HostAndPort.parseAuthority(host, -1);

    /**
     * A route with its paths to the app: plain requests through Vert.x's client, WebSocket upgrades
     * (a proxy per upgrade, carrying its access), and the fast lane's pooled connections (null for an https app).
     */
    private record Route(RouteConfig config, Forwarder forwarder, Function<Access, HttpProxy> webSockets, DirectUpstream direct) {
    }

    /** The routes in order, and the admission step that chooses among them: swapped as one on reload. */
    /**
     * @param reviewRoute     the emergency review page as a route of the gateway's own, or null without the page
     * @param review          that page, or null
     * @param complianceRoute the compliance report page as a route of the gateway's own, or null without the page
     * @param compliance      that page, or null
     */
    private record Routing(List<Route> routes, Admission admission, RouteConfig reviewRoute, EmergencyReviewPage review,
                           RouteConfig complianceRoute, CompliancePage compliance) {
    }

    private final Vertx vertx;
    private volatile GatewayConfig config;
    private final SessionStore store;
    private final OidcProvider oidc;
    private final AssertionSigner signer;
    private final DecisionListener listener;
    private final PrometheusMeterRegistry metrics;
    private final SessionCookies cookies;
    /** {@link SessionCookies#read}, made once: the lane remembers its result per connection. */
    private final Function<List<String>, SessionCookies.Read> readCookies;
    private final OidcEndpoints endpoints;
    private final HttpClient client;
    private final RequestIds ids = new RequestIds();
    /** {@link #record(DecisionEvent)}, made once: every access is given it. */
    private final Consumer<DecisionEvent> recordAccess = this::record;
    private final io.micrometer.core.instrument.Timer answered;
    /** Requests the fast lane took: the rest of the decisions went through Vert.x. */
    private final io.micrometer.core.instrument.Counter fastLane;
    private volatile Routing routing;
    private final java.util.Map<Outcome, io.micrometer.core.instrument.Counter> decisions = new java.util.EnumMap<>(Outcome.class);
    private final List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final OpenWebSockets openWebSockets;
    /** How often open WebSockets are checked against their sessions: how late one outlives its session. */
    public static final long WEBSOCKET_CHECK_MILLIS = 5_000;
    private long webSocketCheck = -1;
    private volatile HttpServer managementServer;
    private int boundPort;
    /** Per-address cap and timeouts of every listener's connections (issue #34). */
    private final ConnectionLimits connections;

    public GatewayServer(Vertx vertx, GatewayConfig config, SessionStore store, OidcProvider oidc,
                         DecisionListener listener, PrometheusMeterRegistry metrics) {
        this.vertx = vertx;
        this.openWebSockets = new OpenWebSockets(store);
        this.config = config;
        this.store = store;
        this.oidc = oidc;
        this.listener = listener;
        this.metrics = metrics;
        this.signer = new AssertionSigner(config.publicUrl().toString(), Clock.systemUTC(), store);
        this.cookies = new SessionCookies(config.https());
        this.readCookies = cookies::read;
        this.endpoints = new OidcEndpoints(config.publicUrl(), store, oidc, cookies, new OidcEndpoints.Answers() {
            @Override
            public Future<Void> record(HttpServerRequest request, String routeId, Decision decision, Session session, int status) {
                return GatewayServer.this.record(request, routeId, decision, session, status);
            }

            @Override
            public void refuse(HttpServerRequest request, Refusal refusal) {
                GatewayServer.this.refuse(request, refusal, null, null);
            }

            @Override
            public void afterRecorded(HttpServerRequest request, Future<Void> recorded, Runnable send) {
                GatewayServer.afterRecorded(request, recorded, send);
            }
        }, openWebSockets::sessionReplaced, metrics);
        int timeoutMs = (int) config.upstreamTimeout().toMillis();
        this.client = client(vertx, timeoutMs);
        this.answered = io.micrometer.core.instrument.Timer.builder("hc_gateway_upstream")
                .description("Time until an app's answer begins (plain requests)").register(metrics);
        this.fastLane = metrics.counter("hc_gateway_fast_lane");
        this.routing = routes(config);
        this.connections = new ConnectionLimits(() -> this.config, listener, metrics);
        metrics.gauge("hc_gateway_sessions", store, SessionStore::size);
        metrics.gauge("hc_gateway_websockets", openWebSockets, OpenWebSockets::count);
        // Looked up once: a registry lookup per request (tags, map) costs more than the count itself.
        for (Outcome outcome : Outcome.values()) {
            decisions.put(outcome, metrics.counter("hc_gateway_decisions", "outcome",
                    outcome.name().toLowerCase(Locale.ROOT)));
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
            int port = upstream.getPort() > 0 ? upstream.getPort() : "https".equals(upstream.getScheme()) ? 443 : 80;
            SocketAddress origin = SocketAddress.inetSocketAddress(port, upstream.getHost());
            Function<Access, HttpProxy> webSockets = access -> HttpProxy.reverseProxy(client)
                    .origin(context -> context.client().request(new RequestOptions()
                            .setServer(origin).setHost(upstream.getHost()).setPort(port).setSsl("https".equals(upstream.getScheme()))
                            .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)))
                    .addInterceptor(new WebSocketRules(cookies.names(), access), true)
                    .addInterceptor(new UpstreamErrors(access), true);
            // The fast lane relays bytes as they come: a route with the banner, written into its pages, is
            // Vert.x's path's alone.
            built.add(new Route(route, new Forwarder(upstream, timeoutMs, cookies.names(), answered), webSockets,
                    route.banner() ? null : DirectUpstream.of(vertx, upstream, timeoutMs, cookies.names(), answered)));
        }
        boolean review = EmergencyReviewPage.configured(config);
        GatewayConfig.EmergencyReview reviewConfig = review ? config.audit().emergencyReview() : null;
        GatewayConfig.ComplianceReport complianceConfig = CompliancePage.configured(config)
                ? config.audit().complianceReport() : null;
        return new Routing(List.copyOf(built), new Admission(config, listener),
                review ? EmergencyReviewPage.route(reviewConfig, config.publicUrl()) : null,
                review ? new EmergencyReviewPage(reviewConfig, config.audit().dir(), vertx) : null,
                complianceConfig == null ? null : CompliancePage.route(complianceConfig, config.publicUrl()),
                complianceConfig == null ? null : new CompliancePage(complianceConfig, vertx));
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
        webSocketCheck = vertx.setPeriodic(WEBSOCKET_CHECK_MILLIS, id -> openWebSockets.closeEnded());
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
        Admission.Facts facts = facts(request);
        Routing current = routing;
        Admission.Target target = current.admission().target(facts);
        if (target instanceof RouteChoice choice) {
            route(request, facts, current, choice, own);
        } else if (target instanceof Refusal refusal) {
            if (refusal == Refusal.ECHO_METHOD) {
                request.response().putHeader("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            }
            refuse(request, refusal, null, null);
        } else {
            switch ((Admission.Own) target) {
                // Load balancers probe the main port; metrics move to the management port when there is one.
                case HEALTH, READY, METRICS -> operations(request);
                case JWKS -> request.response().putHeader("content-type", "application/json")
                        .putHeader("cache-control", "max-age=300").end(signer.jwks());
                case CALLBACK -> endpoints.callback(request);
                case LOGIN -> endpoints.login(request, RequestPaths.safeReturn(request.getParam("return")), Level.SUBSTANTIAL, null);
                case LOGGED_OUT -> Notice.LOGGED_OUT.send(request);
                case LOGOUT -> endpoints.signOut(request, SignOut.Kind.LOGOUT);
                case SWITCH -> endpoints.signOut(request, SignOut.Kind.SWITCH);
                case SWITCHED -> endpoints.login(request, "/", Level.SUBSTANTIAL, null, true);
                case BACKCHANNEL_LOGOUT -> endpoints.backchannelLogout(request);
                case EMERGENCY_REVIEW -> page(request, facts, current, current.reviewRoute(), current.review());
                case COMPLIANCE_REPORT -> page(request, facts, current, current.complianceRoute(), current.compliance());
            }
        }
    }

    /** What {@link Admission} needs of a request on Vert.x's path. */
    private static Admission.Facts facts(HttpServerRequest request) {
        MultiMap headers = request.headers();
        // getAll only when there is one: it makes a list, and most requests have no body.
        List<String> codings = headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                ? headers.getAll(HttpHeaderNames.TRANSFER_ENCODING) : null;
        return new Admission.Facts(request.method().name(), request.uri(), request.path(), headers.getAll(HttpHeaderNames.HOST),
                request.authority(), request.version() == HttpVersion.HTTP_1_0, codings,
                request.canUpgradeToWebSocket(), headers.get(HttpHeaderNames.ORIGIN));
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
        String host = Admission.withoutFinalDot(authority.host());
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

    /** A routed request: its session read, then {@link Admission#decide}'s verdict carried out. */
    private void route(HttpServerRequest request, Admission.Facts facts, Routing current, RouteChoice choice, HttpClient own) {
        Route route = current.routes().get(choice.index());
        decided(request, facts, current, choice, (session, decision) -> forward(request, route, session, decision, own));
    }

    /**
     * A page of the gateway's own for the holders of a role (the review of emergency accesses, the
     * compliance report), decided as a route of the gateway's own (its role, eidas2, no emergency session)
     * by the same step as the apps' routes, its outcome recorded before it is sent.
     */
    private void page(HttpServerRequest request, Admission.Facts facts, Routing current, RouteConfig route, GatewayPage page) {
        String path = request.path();
        decided(request, facts, current, new RouteChoice(-1, route, path, null, path), (session, decision) ->
                page.serve(request, session, cookies.sessionId(request), new GatewayPage.Answer() {
                    @Override
                    public void send(int status, Runnable send) {
                        afterRecorded(request, record(request, route.id(), decision, session, status), send);
                    }

                    @Override
                    public void refuse(Refusal refusal, String detail) {
                        GatewayServer.this.refuse(request, refusal, route.id(), session, new Decision(Outcome.DENY,
                                detail == null ? refusal.reason() : refusal.reason() + ": " + detail));
                    }
                }));
    }

    /**
     * Reads the request's session and carries out {@link Admission#decide}'s verdict: a login, a refusal,
     * or {@code admitted} (the request still paused) with the session and the decision to record.
     */
    private void decided(HttpServerRequest request, Admission.Facts facts, Routing current, RouteChoice choice,
                         java.util.function.BiConsumer<Session, Decision> admitted) {
        String routeId = choice.route().id();
        request.pause();
        // Vert.x tells a request's failure once, to the handler set then: one while the session is read
        // (a body the browser sent malformed, the browser gone) is kept for the verdict.
        Throwable[] broken = new Throwable[1];
        request.exceptionHandler(cause -> broken[0] = cause);
        String sessionId = cookies.sessionId(request);
        Future<SessionStore.Read> lookup = sessionId == null ? Future.succeededFuture()
                : store.read(sessionId, choice.idleLockMillis());
        lookup.onComplete(found -> {
            SessionStore.Read read = found.succeeded() ? found.result() : null;
            Session session = read == null ? null : read.session();
            if (session != null && session.refreshDue(System.currentTimeMillis() / 1000)) {
                endpoints.refresh(request, sessionId, session, routeId);
            }
            Admission.Verdict verdict = found.failed() ? Admission.sessionsUnavailable()
                    : current.admission().decide(facts, choice, session, read == null ? 0 : read.idleMillis());
            if (verdict.kind() != Admission.Kind.FORWARD) {
                request.resume();
            }
            if (verdict.kind() == Admission.Kind.FORWARD && broken[0] != null) {
                // Not sent to the app: the browser's request cannot be passed on whole.
                boolean left = Access.browserGone(broken[0]);
                record(request, routeId, left ? Access.LEFT : Access.MALFORMED, session, left ? 0 : Refusal.MALFORMED_BODY.status());
                return;
            }
            switch (verdict.kind()) {
                case FORWARD -> admitted.accept(session, verdict.decision());
                case LOGIN -> afterRecorded(request, record(request, routeId, verdict.decision(), session, 302),
                        () -> endpoints.login(request, RequestPaths.safeReturn(request.uri()), verdict.level(),
                                verdict.stepUp() ? sessionId : null, verdict.fresh()));
                case REFUSE -> refuse(request, verdict.refusal(), routeId, session, verdict.decision());
            }
        });
    }

    private void forward(HttpServerRequest request, Route route, Session session, Decision decision, HttpClient own) {
        String sessionId = session == null ? null : cookies.sessionId(request);
        MultiMap incoming = request.headers();
        String peer = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
        String client = clientAddress(peer, incoming);
        Access access = new Access(ids.next(), decision, route.config().id(), request.method().name(), request.path(),
                session, client, incoming.get(X_REQUEST_ID), recordAccess);
        Consumer<MultiMap> added = forApp(incoming, cookies.withoutOwn(incoming.getAll(HttpHeaderNames.COOKIE)), peer,
                request.authority(), route.config(), session, access.id)::applyTo;
        if (request.canUpgradeToWebSocket()) {
            added.accept(incoming);
            if (sessionId != null) {
                openWebSockets.opened(request.connection(), sessionId);
            }
            route.webSockets().apply(access).handle(request);
        } else {
            String banner = route.config().banner() && session != null && request.method() == io.vertx.core.http.HttpMethod.GET
                    ? Banner.html(session, sessionId, Refusal.english(request.getHeader(ACCEPT_LANGUAGE))) : null;
            route.forwarder().forward(request, own, added, session != null, access, banner);
        }
    }

    /**
     * Makes the browser's headers fit for the app, in place: spoofed identity headers, the gateway's
     * cookies ({@code cookies} is the Cookie header without them, null when none is left) and (from
     * a peer that is not a trusted proxy) forwarding headers out. Returns what the gateway sets on the
     * request to the app, {@code requestId} ({@code X-HC-Request-Id}) included. Set there rather than
     * on the browser's headers copied into it: each value is checked once, not twice.
     */
    private AppHeaders forApp(MultiMap incoming, String cookies, String peer, HostAndPort authority, RouteConfig route,
                              Session session, String requestId) {
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
                requestId, session == null ? null : signer.headers(session, route));
    }

    /**
     * What the gateway sets on a request to an app: the forwarding headers (proto and host null when
     * a trusted proxy set them), the request's id, and the person's identity (null on a public path
     * without a session).
     */
    private record AppHeaders(String proto, String host, String forwardedFor, String requestId,
                              HeaderContract.Prepared identity) {

        void applyTo(MultiMap headers) {
            if (proto != null) {
                headers.set("x-forwarded-proto", proto);
                headers.set("x-forwarded-host", host);
            }
            headers.set("x-forwarded-for", forwardedFor);
            headers.set(X_HC_REQUEST_ID, requestId);
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
            headers.set(X_HC_REQUEST_ID, requestId);
            if (identity != null) {
                identity.applyTo(headers);
            }
        }
    }

    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    /**
     * Whether {@code request} takes the fast lane ({@link FastLane}): a plain HTTP/1.1 request to an
     * http app whose session is readable at once and that {@link Admission} lets through. Anything else
     * (the gateway's own paths, refusals, logins, a session only another node holds, a refresh due, an upgrade, a
     * body in chunks) returns null with the request untouched, and Vert.x's path carries out the same
     * step's verdict.
     */
    private FastLane.Pass admit(io.netty.handler.codec.http.HttpRequest request, FastLane.Browser browser) {
        if (!(request.headers() instanceof MultiMap headers) || !FastLane.eligible(request)) {
            return null;
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        HostAndPort authority = hosts.size() == 1 ? browser.authority.of(hosts.get(0), PARSE_AUTHORITY) : null;
        String method = request.method().name();
        // Eligible: HTTP/1.1, no Transfer-Encoding, no upgrade.
        Admission.Facts facts = new Admission.Facts(method, uri, path, hosts, authority, false, null, false, null);
        Routing current = routing;
        if (!(current.admission().target(facts) instanceof RouteChoice choice)) {
            return null;
        }
        Route route = current.routes().get(choice.index());
        if (route.direct() == null) {
            return null;
        }
        SessionCookies.Read read = browser.cookies.of(headers.getAll(HttpHeaderNames.COOKIE), readCookies);
        String sessionId = read.sessionId();
        Session session = null;
        long idle = 0;
        if (sessionId != null) {
            Future<SessionStore.Read> found = store.read(sessionId, choice.idleLockMillis());
            if (!found.succeeded()) {
                return null;
            }
            session = found.result() == null ? null : found.result().session();
            idle = found.result() == null ? 0 : found.result().idleMillis();
            if (session != null && session.refreshDue(System.currentTimeMillis() / 1000)) {
                return null;
            }
        }
        Admission.Verdict verdict = current.admission().decide(facts, choice, session, idle);
        if (verdict.kind() != Admission.Kind.FORWARD) {
            return null;
        }
        // Admitted: from here on the request is changed for the app.
        Access access = new Access(ids.next(), verdict.decision(), route.config().id(), method, path, session,
                clientAddress(browser.peer, headers), headers.get(X_REQUEST_ID), recordAccess);
        AppHeaders added = forApp(headers, read.forApp(), browser.peer, authority, route.config(), session, access.id);
        fastLane.increment();
        return new FastLane.Pass(route.direct(), route.direct().requestFor(request, added::applyTo), session != null, access);
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

    private Future<Void> record(HttpServerRequest request, String routeId, Decision decision, Session session, int status) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return record(request.method().name(), request.path(), clientAddress(peer, request.headers()),
                request.getHeader(X_REQUEST_ID), routeId, decision, session, status);
    }

    /** A decision the gateway answers itself: its record has an id of its own, like an access's. */
    private Future<Void> record(String method, String path, String client, String clientRequestId, String routeId,
                                Decision decision, Session session, int status) {
        return record(new DecisionEvent(decision, routeId, method, path, session, status, client, ids.next(),
                clientRequestId, DecisionEvent.ANSWERED_BY_GATEWAY));
    }

    private Future<Void> record(DecisionEvent event) {
        decisions.get(event.decision().outcome()).increment();
        return listener.decided(event);
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
}
