package fr.hcbroker.gateway.proxy;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Proxies one plain HTTP exchange to a route's app: headers copied once each way (hop-by-hop ones
 * left out), bodies streamed with back-pressure, 502/504 with a page when the app is down or hangs.
 * WebSocket upgrades go through vertx-http-proxy instead; this path exists because that library
 * copies every header twice each way and re-formats the app's {@code Date} on every response, which
 * cost a tenth of the gateway's throughput.
 */
final class Forwarder {

    private final SocketAddress origin;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final long timeoutMs;
    private final Set<String> ownCookies;
    private final Timer answered;

    /**
     * @param ownCookies the gateway's cookies, which an app's answer can never set
     * @param answered  how long apps take to answer (until the head of their answer)
     */
    Forwarder(URI upstream, long timeoutMs, Set<String> ownCookies, Timer answered) {
        this.ssl = "https".equals(upstream.getScheme());
        this.host = upstream.getHost();
        this.port = upstream.getPort() > 0 ? upstream.getPort() : ssl ? 443 : 80;
        this.origin = SocketAddress.inetSocketAddress(port, host);
        this.timeoutMs = timeoutMs;
        this.ownCookies = ownCookies;
        this.answered = answered;
    }

    /**
     * Sends {@code request} (paused, headers already checked by the gateway) to the app, with the
     * client of the event loop it arrived on; {@code added} sets the gateway's own headers on the
     * request to the app, after the browser's are copied. {@code personal}: the request carries a
     * person's identity, so the answer is theirs (see {@link AnswerPolicy#PERSONAL}). {@code access} is
     * told the outcome (the app's status, its failure, or the browser leaving) before the answer is relayed.
     * {@code banner}: the {@link Banner} to write into the page the app answers with, or null.
     */
    void forward(HttpServerRequest request, HttpClient client, Consumer<MultiMap> added, boolean personal, Access access,
                 String banner) {
        // Only chunked alone gets here: the gateway refuses any other transfer coding first.
        String transferEncoding = request.getHeader("transfer-encoding");
        RequestOptions options = new RequestOptions().setServer(origin).setHost(host).setPort(port).setSsl(ssl)
                .setMethod(request.method()).setURI(RequestPaths.originForm(request.uri()))
                .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs);
        long started = System.nanoTime();
        BrowserBody body = new BrowserBody(request, access);
        client.request(options).onComplete(created -> {
            if (body.broken) {
                if (created.succeeded()) {
                    created.result().exceptionHandler(reset -> { }).reset(); // nothing was sent on it yet
                }
                return;
            }
            if (created.failed()) {
                request.resume();
                fail(request, created.cause(), access);
                return;
            }
            HttpClientRequest upstream = created.result();
            MultiMap headers = upstream.headers();
            for (Map.Entry<String, String> header : request.headers()) {
                String name = header.getKey();
                if (!AnswerPolicy.hopByHop(name) && !"host".equalsIgnoreCase(name)) {
                    headers.add(name, header.getValue());
                }
            }
            added.accept(headers);
            if (banner != null) {
                // The banner goes into the page as the app wrote it: not compressed.
                headers.set("accept-encoding", "identity");
            }
            // The person went away, or broke their request: stop waiting for the app on their behalf.
            body.sentTo(upstream);
            upstream.response().onComplete(answered -> {
                if (answered.succeeded()) {
                    this.answered.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    respond(request, upstream, answered.result(), personal, access, banner);
                } else {
                    fail(request, answered.cause(), access);
                }
            });
            if (transferEncoding != null) {
                upstream.setChunked(true);
            }
            if (request.headers().contains("expect")) {
                // The browser sends its body once told to go on: the app's head goes now, not with the
                // body, and the app's 100 Continue is passed back.
                upstream.continueHandler(v -> request.response().writeContinue());
                upstream.sendHead();
            }
            if (transferEncoding != null || request.headers().contains("content-length")) {
                body.relay();
            } else {
                request.resume();
                upstream.end();
            }
        });
    }

    /**
     * The browser's side of a forwarded request: its body relayed to the app with back-pressure, and
     * its failure told apart from the app's, whenever it comes (Vert.x tells it once, to the handlers
     * set then: the response's first, then the request's). Not Vert.x's pipe, which cannot say which
     * side broke: a body the browser sent malformed (a chunk whose framing is not HTTP; Vert.x then
     * closes the connection) is the browser's fault, a 400; a browser gone is recorded as gone;
     * neither is the app's failure (a 502 in the record would send the IT team after an app that
     * was fine).
     */
    private static final class BrowserBody {
        private final HttpServerRequest request;
        private final Access access;
        private HttpClientRequest upstream;
        boolean broken;

        BrowserBody(HttpServerRequest request, Access access) {
            this.request = request;
            this.access = access;
            request.exceptionHandler(this::broke);
            request.response().exceptionHandler(this::broke);
        }

        /** The request to the app, cut off if the browser's side breaks from now on. */
        void sentTo(HttpClientRequest upstream) {
            this.upstream = upstream;
        }

        void relay() {
            // The app's side failing shows in its answer's future (a 502), not here.
            upstream.exceptionHandler(appSide -> { });
            request.handler(chunk -> {
                upstream.write(chunk);
                if (upstream.writeQueueFull()) {
                    request.pause();
                    upstream.drainHandler(drained -> request.resume());
                }
            });
            request.endHandler(end -> upstream.end());
            request.resume();
        }

        private void broke(Throwable cause) {
            if (broken) {
                return;
            }
            broken = true;
            // Recorded before the app's request is reset, which fails its answer's future: a 502 otherwise.
            if (Access.browserGone(cause)) {
                access.abandoned(); // nothing if the app's answer had begun: its record is made
            } else {
                access.malformed(); // Netty's decoder refused the body; the person has its page (FastLane)
            }
            if (upstream != null) {
                upstream.reset(0, cause);
            }
        }
    }

    /** The most an answer to an HTTP/1.0 client without a length may hold (it is kept in memory). */
    static final int MAX_WHOLE_BODY = 16 * 1024 * 1024;

    /**
     * Whether a request's transfer codings are chunked alone. Any other coding, or chunked in a list
     * (over one header or several), is one the app might frame differently from us: a smuggling vector.
     */
    static boolean onlyChunked(List<String> codings) {
        return codings.size() == 1 && "chunked".equalsIgnoreCase(codings.get(0).trim());
    }

    private void respond(HttpServerRequest request, HttpClientRequest upstream, HttpClientResponse answer, boolean personal,
                         Access access, String banner) {
        // Vert.x times the wait for the head only: an app that stops sending mid-answer is cut after the
        // same silence, as the fast lane's idle handler does, rather than holding the browser forever.
        upstream.idleTimeout(timeoutMs);
        HttpServerResponse response = request.response();
        response.setStatusCode(answer.statusCode());
        if (answer.statusMessage() != null) {
            response.setStatusMessage(answer.statusMessage());
        }
        MultiMap headers = response.headers();
        for (Map.Entry<String, String> header : answer.headers()) {
            if (AnswerPolicy.relayed(header.getKey(), header.getValue(), ownCookies, false)) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        CharSequence cacheControl = AnswerPolicy.cacheControl(personal, answer.statusCode(),
                answer.headers().contains("cache-control"), answer.getHeader("content-type"));
        if (cacheControl != null) {
            headers.set("cache-control", cacheControl);
        }
        int status = answer.statusCode();
        if (request.method() == HttpMethod.HEAD || status == 204 || status == 304) {
            access.answered(status);
            answer.end().onComplete(done -> response.end());
            return;
        }
        if (banner != null && status == 200 && request.version() == HttpVersion.HTTP_1_1 && bannerFits(answer)) {
            access.answered(status);
            withBanner(request, upstream, answer, banner);
            return;
        }
        if (!answer.headers().contains("content-length")) {
            if (request.version() == HttpVersion.HTTP_1_0) {
                whole(request, upstream, answer, access);
                return;
            }
            response.setChunked(true);
        }
        access.answered(status);
        // Not ended on failure: a cut connection must look cut to the browser, not like a short body.
        answer.pipe().endOnFailure(false).to(response).onFailure(broken -> {
            upstream.reset(0, broken);
            response.reset();
        });
    }

    /** An uncompressed HTML page that is not announced larger than {@link Banner#MAX_PAGE}. */
    private static boolean bannerFits(HttpClientResponse answer) {
        String type = answer.getHeader("content-type");
        String coding = answer.getHeader("content-encoding");
        String length = answer.getHeader("content-length");
        return type != null && type.strip().regionMatches(true, 0, "text/html", 0, 9)
                && (coding == null || "identity".equalsIgnoreCase(coding.strip()))
                && (length == null || length.length() < 10 && Long.parseLong(length) <= Banner.MAX_PAGE);
    }

    /**
     * The page held until its end and relayed with the banner after its {@code <body>} tag, its length
     * counted again. Never stored: it names the person and holds the sign-out token, which the next person
     * at a shared workstation must not find in the browser's cache (nor Back show). A page that grows past
     * {@link Banner#MAX_PAGE} is relayed as it comes, without the banner.
     */
    private void withBanner(HttpServerRequest request, HttpClientRequest upstream, HttpClientResponse answer, String banner) {
        HttpServerResponse response = request.response();
        response.headers().remove("content-length").remove("etag").remove("last-modified")
                .set("cache-control", "no-store");
        Buffer page = Buffer.buffer();
        boolean[] streaming = {false};
        answer.handler(chunk -> {
            if (!streaming[0] && page.length() + chunk.length() <= Banner.MAX_PAGE) {
                page.appendBuffer(chunk);
                return;
            }
            if (!streaming[0]) {
                streaming[0] = true;
                response.setChunked(true).write(page);
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                answer.pause();
                response.drainHandler(v -> answer.resume());
            }
        });
        answer.exceptionHandler(broken -> {
            upstream.reset(0, broken);
            response.reset();
        });
        answer.endHandler(v -> {
            if (streaming[0]) {
                response.end();
                return;
            }
            Buffer withBanner = Banner.into(page, banner);
            response.end(withBanner == null ? page : withBanner);
        });
    }

    /**
     * No chunked coding in HTTP/1.0: the body is read whole so that its length can be sent, up to
     * {@link #MAX_WHOLE_BODY}. Beyond that (an export, a stream that never ends) the person gets a 502
     * rather than the gateway's heap filling up.
     */
    private void whole(HttpServerRequest request, HttpClientRequest upstream, HttpClientResponse answer, Access access) {
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        answer.handler(chunk -> {
            if (tooLarge[0]) {
                return;
            }
            if (body.length() + chunk.length() > MAX_WHOLE_BODY) {
                tooLarge[0] = true;
                upstream.reset(0, new IOException("answer too large for an HTTP/1.0 client"));
                request.response().headers().clear();
                fail(request, new IOException("answer too large for an HTTP/1.0 client"), access);
                return;
            }
            body.appendBuffer(chunk);
        });
        answer.exceptionHandler(broken -> {
            if (!tooLarge[0]) {
                access.failed(502); // cut before any of it was relayed
                request.response().reset();
            }
        });
        answer.endHandler(v -> {
            if (!tooLarge[0]) {
                access.answered(answer.statusCode()); // relayed only now: until then it could still become a 502
                request.response().end(body);
            }
        });
    }

    private void fail(HttpServerRequest request, Throwable cause, Access access) {
        if (request.response().closed()) {
            access.abandoned();
            return; // the browser left first (its leaving reset the request to the app): no one to tell
        }
        int status = UpstreamErrors.timedOut(cause) ? 504 : 502;
        access.failed(status);
        UpstreamErrors.send(request, status);
    }
}
