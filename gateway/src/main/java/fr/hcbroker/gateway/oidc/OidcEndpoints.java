package fr.hcbroker.gateway.oidc;

import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.proxy.GatewayServer;
import fr.hcbroker.gateway.proxy.Notice;
import fr.hcbroker.gateway.proxy.Refusal;
import fr.hcbroker.gateway.proxy.RequestPaths;
import fr.hcbroker.gateway.session.PendingLogin;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.gateway.session.SessionCookies;
import fr.hcbroker.gateway.session.SessionStore;
import fr.hcbroker.loa.Level;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The gateway's side of OpenID Connect with Keycloak: login and step-up, the callback, logout,
 * back-channel logout and the background refresh of a session's tokens. Every answer is recorded
 * first, through {@link Answers}.
 */
public final class OidcEndpoints {

    /** What the endpoints need of the gateway: records, and refusals (their record, then their page). */
    public interface Answers {

        /** Records a decision taken on {@code request}; completes when it is recorded as promised. */
        Future<Void> record(HttpServerRequest request, String routeId, Decision decision, Session session, int status);

        /** Answers with the refusal's page once its record is written. */
        void refuse(HttpServerRequest request, Refusal refusal);

        /** Sends an answer only once its record is written (else a 503 page). */
        void afterRecorded(HttpServerRequest request, Future<Void> recorded, Runnable send);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Where Keycloak sends the browser back after a change of user: a login demanding a new authentication. */
    public static final String SWITCHED = "/.hc/switched";

    private final URI publicUrl;
    private final SessionStore store;
    private final OidcProvider oidc;
    private final SessionCookies cookies;
    private final Answers answers;
    /** Told when a step-up replaces a session (from, to): what belonged to the old one moves. */
    private final BiConsumer<String, String> replaced;
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> refreshes = new java.util.HashMap<>();

    public OidcEndpoints(URI publicUrl, SessionStore store, OidcProvider oidc, SessionCookies cookies, Answers answers,
                         BiConsumer<String, String> replaced, MeterRegistry metrics) {
        this.publicUrl = publicUrl;
        this.store = store;
        this.oidc = oidc;
        this.cookies = cookies;
        this.answers = answers;
        this.replaced = replaced;
        for (String result : List.of("ok", "refused", "unavailable")) {
            refreshes.put(result, metrics.counter("hc_gateway_token_refreshes", "result", result));
        }
    }

    /** Sends the browser to Keycloak for {@code level}; {@code replacing}: the session a step-up replaces, or null. */
    public void login(HttpServerRequest request, String returnPath, Level level, String replacing) {
        login(request, returnPath, level, replacing, false);
    }

    /** The same; {@code fresh}: a new authentication is demanded, at Keycloak and at PSC ({@code prompt=login}). */
    public void login(HttpServerRequest request, String returnPath, Level level, String replacing, boolean fresh) {
        String existing = cookies.loginValue(request);
        // One value per browser, kept while it has one: tabs logging in at once all keep theirs valid.
        String browser = existing != null && existing.matches("[A-Za-z0-9_-]{43}") ? existing : random();
        oidc.start(returnPath, level, replacing, browser, fresh)
                .compose(start -> {
                    String url = start.getKey();
                    int hash = url.lastIndexOf('#');
                    return store.putPending(url.substring(hash + 1), start.getValue()).map(v -> url.substring(0, hash));
                })
                .onSuccess(url -> request.response().addCookie(cookies.login(browser))
                        .setStatusCode(302).putHeader("location", url)
                        .putHeader("cache-control", "no-store").end())
                .onFailure(failure -> unavailableOrRefused(request, failure));
    }

    public void callback(HttpServerRequest request) {
        String state = request.getParam("state");
        String code = request.getParam("code");
        if (state != null && code == null && request.getParam("error") != null) {
            cancelled(request, state, request.getParam("error"));
            return;
        }
        if (state == null || code == null) {
            answers.refuse(request, Refusal.CALLBACK_INCOMPLETE);
            return;
        }
        store.takePending(state).onComplete(taken -> {
            PendingLogin pending = taken.succeeded() ? taken.result() : null;
            if (pending != null && !pending.browser().equals(cookies.loginValue(request))) {
                // A callback link opened in another browser than the one that logged in: completing it
                // would log this person in as whoever did (login CSRF). The attempt is spent.
                answers.refuse(request, Refusal.LOGIN_IN_ANOTHER_BROWSER);
                return;
            }
            if (pending == null) {
                answers.refuse(request, Refusal.LOGIN_EXPIRED);
                return;
            }
            String sessionId = random();
            oidc.complete(code, pending, random())
                    .compose(session -> store.put(sessionId, session).map(session))
                    .compose(session -> {
                        if (pending.replacing() == null) {
                            return Future.succeededFuture(session);
                        }
                        replaced.accept(pending.replacing(), sessionId);
                        return store.remove(pending.replacing()).map(session);
                    })
                    .compose(session -> answers.record(request, null,
                            new Decision(Outcome.ALLOW, "login at " + session.level().acr()), session, 302).map(session))
                    .onSuccess(session -> request.response().addCookie(cookies.session(sessionId)).setStatusCode(302)
                            .putHeader("location", RequestPaths.safeReturn(pending.returnPath()))
                            .putHeader("cache-control", "no-store").end())
                    .onFailure(failure -> unavailableOrRefused(request, failure));
        });
    }

    /**
     * Keycloak sent the person back without a login (RFC 6749 §4.1.2.1: {@code error}, typically
     * {@code access_denied} when they pressed "cancel and go back to the application" on the card
     * page). A step-up cancelled leaves the session as it was, at its level; a login cancelled leaves
     * none. Either way a page says so in the person's language, rather than "login interrupted". The
     * attempt is spent, and only the browser that started it gets the page.
     */
    private void cancelled(HttpServerRequest request, String state, String error) {
        store.takePending(state).onComplete(taken -> {
            PendingLogin pending = taken.succeeded() ? taken.result() : null;
            if (pending == null || !pending.browser().equals(cookies.loginValue(request))) {
                answers.refuse(request, pending == null ? Refusal.LOGIN_EXPIRED : Refusal.LOGIN_IN_ANOTHER_BROWSER);
                return;
            }
            boolean stepUp = pending.replacing() != null;
            // The error code is Keycloak's word, one token: kept short in the record.
            String code = error.length() > 40 || !error.matches("[a-z_]+") ? "other" : error;
            // The record names whose step-up it was: the session it would have replaced, still open.
            Future<Session> kept = stepUp ? store.get(pending.replacing()).otherwise((Session) null) : Future.succeededFuture();
            kept.onComplete(session -> answers.afterRecorded(request, answers.record(request, null, new Decision(Outcome.DENY,
                            (stepUp ? "step-up cancelled at Keycloak (" : "login cancelled at Keycloak (") + code + ")"),
                            session.result(), 200),
                    () -> (stepUp ? Notice.STEP_UP_CANCELLED : Notice.LOGIN_CANCELLED).send(request)));
        });
    }

    /**
     * Logout or change of user: a GET (or HEAD) only shows the confirmation page, whose button posts the
     * token ({@link SignOut}); a POST without it ends nothing. So no other page (a link, an image, a
     * form on another host of the domain) can log a person out or switch the user.
     */
    public void signOut(HttpServerRequest request, SignOut.Kind kind) {
        boolean english = Refusal.english(request.getHeader("accept-language"));
        String sessionId = cookies.sessionId(request);
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
            request.response().putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .putHeader("content-language", english ? "en" : "fr")
                    .putHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
                    .end(SignOut.page(kind, sessionId, english));
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(405).putHeader("allow", "GET, HEAD, POST").end();
            return;
        }
        request.setExpectMultipart(true);
        request.end().onComplete(read -> {
            if (read.failed() || !SignOut.confirmed(sessionId, request.getFormAttribute(SignOut.FIELD))) {
                answers.refuse(request, Refusal.SIGN_OUT_UNCONFIRMED);
                return;
            }
            endSession(request, sessionId, kind);
        });
    }

    /**
     * Ends, in order, the gateway session, then Keycloak's and (for a login through Pro Santé Connect)
     * PSC's, in the browser: Keycloak's end-session endpoint with an ID token hint, from which Keycloak
     * sends the browser to PSC's. When that cannot be (Keycloak's session already over, Keycloak out of
     * reach), Keycloak's session is ended from the server, or at its own page; the record says which.
     * A change of user then comes back to {@code /.hc/switched}: the login, demanding a new authentication.
     */
    private void endSession(HttpServerRequest request, String sessionId, SignOut.Kind kind) {
        String name = kind == SignOut.Kind.SWITCH ? "logout for a change of user" : "logout";
        String after = publicUrl.resolve(kind == SignOut.Kind.SWITCH ? SWITCHED : GatewayServer.LOGGED_OUT).toString();
        // Read before removing, so the record says whose session ended.
        Future<Session> ended = sessionId == null ? Future.succeededFuture() : store.get(sessionId).otherwise((Session) null);
        ended.onComplete(found -> {
            Session session = found.result();
            Future<Void> removed = sessionId == null ? Future.succeededFuture() : store.remove(sessionId);
            removed.onComplete(gone -> {
                if (gone.failed()) {
                    // Nothing may say "ended" while the gateway session could still be open.
                    answers.refuse(request, Refusal.SESSIONS_UNAVAILABLE);
                    return;
                }
                String[] reason = {name};
                Future<String> next = session == null ? Future.succeededFuture(after)
                        : oidc.endSessionInBrowser(session, after).recover(notInBrowser -> oidc.endSession(session)
                                .compose(atKeycloak -> {
                                    reason[0] = name + (atKeycloak
                                            ? " (Keycloak's session ended from the server: an identity provider's, if any, was not reached)"
                                            : " (Keycloak out of reach: its session is left to its end-session page)");
                                    return atKeycloak ? Future.succeededFuture(after) : oidc.endSessionUrl(after);
                                }));
                next.onComplete(url -> answers.afterRecorded(request,
                        answers.record(request, null, new Decision(Outcome.ALLOW, reason[0]), session, 302),
                        () -> request.response().addCookie(cookies.sessionEnded()).setStatusCode(302)
                                .putHeader("location", url.succeeded() ? url.result() : after)
                                // Back and the browser's cache must show nothing of the session's pages to the next person.
                                .putHeader("clear-site-data", "\"cache\"")
                                .putHeader("cache-control", "no-store").end()));
            });
        });
    }

    public void backchannelLogout(HttpServerRequest request) {
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
                .onSuccess(ended -> answers.afterRecorded(request, ended.isEmpty()
                                ? answers.record(request, null, new Decision(Outcome.ALLOW, "back-channel logout (no session)"), null, 200)
                                : Future.all(ended.stream().map(session -> answers.record(request, null,
                                        new Decision(Outcome.ALLOW, "back-channel logout"), session, 200)).toList()).mapEmpty(),
                        () -> request.response().putHeader("cache-control", "no-store").end()))
                .onFailure(failure -> answers.afterRecorded(request,
                        answers.record(request, null, new Decision(Outcome.DENY, "invalid logout token"), null, 400),
                        () -> request.response().setStatusCode(400).putHeader("content-type", "application/json")
                                .end("{\"error\":\"invalid_request\"}")));
    }

    /**
     * Refreshes the session's tokens in the background, once at a time per session: this request goes
     * on with the session as it is, so a slow or unreachable Keycloak delays nobody (and open sessions
     * keep working while it is down; retried 30 s later). Keycloak refusing the refresh (its session
     * ended, the user was disabled) ends the gateway session: the next request logs in again.
     */
    public void refresh(HttpServerRequest request, String sessionId, Session session, String routeId) {
        if (!refreshing.add(sessionId)) {
            return;
        }
        oidc.refresh(session)
                .compose(fresh -> store.replace(sessionId, session, fresh))
                .onSuccess(replaced -> refreshes.get("ok").increment())
                .recover(failure -> {
                    if (failure instanceof OidcException refused && !refused.unavailable()) {
                        refreshes.get("refused").increment();
                        return store.remove(sessionId).compose(v -> answers.record(request, routeId, new Decision(Outcome.ALLOW,
                                "logout by Keycloak (" + refused.getMessage() + ")"), session, 0)).map(true);
                    }
                    refreshes.get("unavailable").increment();
                    return store.replace(sessionId, session,
                            session.refreshLater(System.currentTimeMillis() / 1000 + 30));
                })
                .onComplete(done -> refreshing.remove(sessionId));
    }

    private void unavailableOrRefused(HttpServerRequest request, Throwable failure) {
        boolean unavailable = failure instanceof OidcException oe && oe.unavailable();
        answers.refuse(request, unavailable ? Refusal.LOGIN_UNAVAILABLE : Refusal.LOGIN_REFUSED);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
