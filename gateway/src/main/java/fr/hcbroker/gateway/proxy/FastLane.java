package fr.hcbroker.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's common case served beneath Vert.x: an allowed request of a logged-in person (or to a
 * public path) on a plain HTTP/1.1 keep-alive connection, relayed to its app over a pooled connection
 * of the same event loop, Netty's request and response objects passed on without being rebuilt.
 * Vert.x's request, response and client objects cost about a third of the gateway's time per request
 * (measured against nginx, docs/en/gateway.md).
 *
 * <p>One per browser connection, in its pipeline right before Vert.x's handler, after Vert.x's HTTP
 * decoder and encoder. The gateway ({@link Gate}) decides whether a request may take this lane; every
 * other request (its own endpoints, logins, refusals, WebSockets, anything unusual) goes on to Vert.x
 * unchanged, and is decided there again. Order is kept: the lane takes a request only while Vert.x
 * owes no answer on the connection, and a request pipelined behind one of the lane's hands the
 * connection to Vert.x for good once that one is answered.
 */
final class FastLane extends ChannelDuplexHandler {

    /** The gateway's side: whether a request takes the lane. */
    interface Gate {
        /**
         * The request's way to its app, with the request made for it and the decision recorded; or
         * null, and the request untouched, for Vert.x to handle.
         */
        Pass admit(HttpRequest request, Browser browser);
    }

    /**
     * What stays the same from one request to the next on a browser's connection, worked out once:
     * the peer's address, and the gateway's last readings of the Host and Cookie headers. A browser
     * sends the same ones request after request; decoding its cookies strictly took an eighth of the
     * lane's time per request.
     */
    static final class Browser {
        final String peer;
        final LastResult<String, io.vertx.core.net.HostAndPort> authority = new LastResult<>();
        final LastResult<List<String>, fr.hcbroker.gateway.session.SessionCookies.Read> cookies = new LastResult<>();

        Browser(String peer) {
            this.peer = peer;
        }
    }

    /**
     * An admitted request's app and the request to send it, whether the answer is personal (its Cache-Control then set by
     * {@link AnswerPolicy}), and its access, told the outcome (the app's status, a 502 or 504, the browser leaving).
     */
    record Pass(DirectUpstream upstream, HttpRequest toApp, boolean personal, Access access) {
    }

    private final Gate gate;
    private final Browser browser;
    private Exchange exchange;
    /** The request being received belongs to the lane (its body goes to the app or is dropped). */
    private boolean laneInbound;
    /** Requests handed to Vert.x whose answer has not been written in full yet. */
    private int vertxOwes;
    /** Everything goes to Vert.x from now on: an upgrade, or requests pipelined behind the lane's. */
    private boolean passive;
    /** Messages that arrived while the lane's exchange ran (pipelining): Vert.x's once it ends. */
    private List<Object> held;
    /** Vert.x has begun the answer it owes (its head is out, its end not yet). */
    private boolean vertxAnswering;
    /** The {@code Accept-Language} of the last request handed to Vert.x. */
    private String vertxLanguage;

    FastLane(Gate gate, String peer) {
        this.gate = gate;
        this.browser = new Browser(peer);
    }

    /**
     * Whether a request is of the shape the lane relays: HTTP/1.1, an origin-form target, no
     * upgrade, no 100-continue, no transfer coding (a body with a length or none), not TRACE, CONNECT
     * or HEAD.
     * The rest is rare, and Vert.x's path handles it.
     */
    static boolean eligible(HttpRequest request) {
        var headers = request.headers();
        String uri = request.uri();
        String method = request.method().name();
        if (request.protocolVersion() != HttpVersion.HTTP_1_1 || uri.isEmpty() || uri.charAt(0) != '/'
                || uri.indexOf('#') >= 0 || method.equals("TRACE") || method.equals("CONNECT")
                // HEAD: Netty's client decoder forgets it was one when an interim answer comes first.
                || method.equals("HEAD")
                || headers.contains(HttpHeaderNames.UPGRADE) || headers.contains(HttpHeaderNames.EXPECT)
                || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        // No Connection header, or one that only says keep-alive or close (honoured after the answer).
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        return connection.isEmpty() || (connection.size() == 1 && (connection.get(0).equalsIgnoreCase("keep-alive")
                || connection.get(0).equalsIgnoreCase("close")));
    }

    /**
     * Puts a lane in a new HTTP/1.1 connection's pipeline, just before Vert.x's handler (Vert.x names
     * its handlers; an internal class gives the channel). A connection of another shape (HTTP/2, a
     * transport the lane does not open connections on) stays Vert.x's alone.
     */
    static void install(io.vertx.core.http.HttpConnection connection, Gate gate) {
        if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
            Channel channel = base.channel();
            var pipeline = channel.pipeline();
            if ((channel instanceof io.netty.channel.epoll.EpollSocketChannel
                    || channel instanceof io.netty.channel.socket.nio.NioSocketChannel)
                    && pipeline.get("httpDecoder") != null && pipeline.get("handler") != null) {
                pipeline.addBefore("handler", "hc-fast-lane", new FastLane(gate, peer(channel)));
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (passive) {
            ctx.fireChannelRead(msg);
        } else if (held != null) {
            held.add(msg);
        } else if (msg instanceof HttpRequest request) {
            if (exchange != null) {
                // Pipelined behind the lane's request: held until its answer is out, in order.
                held = new ArrayList<>();
                held.add(msg);
                ctx.channel().config().setAutoRead(false);
                return;
            }
            Pass pass = vertxOwes == 0 && request.decoderResult().isSuccess()
                    ? gate.admit(request, browser) : null;
            if (pass == null) {
                laneInbound = false;
                vertxOwes++;
                vertxLanguage = request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE);
                if (HttpMethod.CONNECT.equals(request.method())) {
                    passive = true; // the connection may stop being HTTP: none of the lane's business
                }
                ctx.fireChannelRead(msg);
                return;
            }
            laneInbound = true;
            exchange = new Exchange(ctx, pass, !HttpUtil.isKeepAlive(request));
            if (msg instanceof HttpContent content) {
                exchange.send(content);
            }
        } else if (msg instanceof HttpContent content && laneInbound) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(content);
                if (exchange != null) {
                    exchange.pass.access().malformed(); // the browser's fault, not the app's: as on Vert.x's path
                }
                ctx.close();
            } else if (exchange != null && !exchange.sent) {
                exchange.send(content);
            } else {
                ReferenceCountUtil.release(content); // the app answered before the body ended
            }
        } else {
            if (msg instanceof HttpContent content && content.decoderResult().isFailure() && vertxOwes == 1 && !vertxAnswering) {
                // A body Vert.x cannot decode: it records the failure (Forwarder) and closes the
                // connection without a word. The person gets the page first, when it is the only answer
                // owed on the connection (never ahead of a pipelined request's own answer).
                FullHttpResponse page = Pages.response(Refusal.MALFORMED_BODY, Refusal.english(vertxLanguage));
                page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(page);
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null && exchange.app != null) {
            exchange.app.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Vert.x's answers pass here on their way out: counted, so the lane knows when Vert.x owes none. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse switching && switching.status().code() == 101) {
            // An upgrade Vert.x accepted (a WebSocket): the connection stops being HTTP. One it did
            // not (a refused WebSocket, a client's h2c offer) stays HTTP, and the lane's.
            passive = true;
        }
        boolean interim = msg instanceof HttpResponse head && head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof HttpResponse && !interim) {
            vertxAnswering = true;
        }
        if (!passive && msg instanceof LastHttpContent && !interim) {
            vertxOwes--;
            vertxAnswering = false;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && exchange.app != null && ctx.channel().isWritable()) {
            exchange.app.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.abandon();
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
    }

    /**
     * The lane's request is answered: held requests, if any, go to Vert.x, and so does the connection;
     * unless {@code replay} is false (the connection closes after that answer: RFC 9112 §9.6, requests
     * after a close are not processed).
     */
    private void ended(ChannelHandlerContext ctx, boolean replay) {
        exchange = null;
        // Reading may have been paused for the app (a body faster than it takes); Vert.x owes nothing now.
        ctx.channel().config().setAutoRead(true);
        if (held != null && !replay) {
            release();
        } else if (held != null) {
            List<Object> pipelined = held;
            held = null;
            passive = true;
            pipelined.forEach(ctx::fireChannelRead);
            ctx.fireChannelReadComplete();
        }
    }

    private static String peer(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress() : "";
    }

    /** One request relayed to its app and the answer relayed back. */
    final class Exchange {
        private final ChannelHandlerContext browser;
        private final HttpRequest request;
        private final Pass pass;
        /** The browser asked to close the connection after this answer. */
        private final boolean closing;
        /** The request's head and body parts not yet written to the app (no connection yet). */
        private List<Object> pending = new ArrayList<>(2);
        private Channel app;
        /** The whole request was given to the app's connection. */
        private boolean sent;
        private boolean answering;
        private boolean reusable = true;
        private boolean done;
        private final long started = System.nanoTime();

        Exchange(ChannelHandlerContext browser, Pass pass, boolean closing) {
            this.browser = browser;
            this.closing = closing;
            this.request = pass.toApp();
            this.pass = pass;
            pending.add(request);
            Channel pooled = pass.upstream().pooled();
            if (pooled != null) {
                attach(pooled, false); // flushed by the request's end, or when the browser's read ends
            } else {
                // Nothing more is read from the browser until the app's connection is open: its body
                // would pile up in memory meanwhile.
                browser.channel().config().setAutoRead(false);
                pass.upstream().connect(browser.channel()).addListener((io.netty.util.concurrent.Future<Channel> connected) -> {
                    if (done) {
                        if (connected.isSuccess()) {
                            connected.getNow().close();
                        }
                    } else if (!connected.isSuccess()) {
                        failed(connected.cause());
                    } else {
                        attach(connected.getNow(), true);
                    }
                });
            }
        }

        private void attach(Channel channel, boolean flush) {
            app = channel;
            channel.pipeline().get(AppSide.class).exchange = this;
            List<Object> parts = pending;
            pending = null;
            for (Object part : parts) {
                channel.write(part);
            }
            if (flush) {
                channel.flush();
                browser.channel().config().setAutoRead(true);
            }
        }

        /** Body parts still held for an app connection that will not come. */
        private void releasePending() {
            if (pending != null) {
                pending.forEach(ReferenceCountUtil::release);
                pending = null;
            }
        }

        /** This exchange is over for the app's connection: anything it still sends is not for it. */
        private void detach() {
            if (app != null) {
                AppSide side = app.pipeline().get(AppSide.class);
                if (side != null && side.exchange == this) {
                    side.exchange = null;
                }
            }
        }

        void send(HttpContent content) {
            if (content instanceof LastHttpContent) {
                sent = true;
            }
            if (app == null) {
                pending.add(content);
                return;
            }
            if (sent) {
                app.writeAndFlush(content);
            } else {
                app.write(content);
                if (!app.isWritable()) {
                    browser.channel().config().setAutoRead(false); // resumed when the app's side drains
                }
            }
        }

        /** The app's answer, head or body part. */
        void answer(HttpObject part) {
            if (done) {
                ReferenceCountUtil.release(part);
                return;
            }
            if (part instanceof HttpResponse response) {
                pass.upstream().answered().record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                answering = true;
                pass.access().answered(response.status().code());
                reusable = HttpUtil.isKeepAlive(response);
                prepare(response);
            }
            if (part instanceof LastHttpContent last) {
                done = true;
                if (!last.trailingHeaders().isEmpty()) {
                    // AnswerPolicy: trailers are not relayed; the app's end without them.
                    if (last.content().isReadable()) {
                        browser.write(new DefaultHttpContent(last.content()));
                    } else {
                        last.release();
                    }
                    part = LastHttpContent.EMPTY_LAST_CONTENT;
                }
                var written = browser.writeAndFlush(part);
                if (closing) {
                    written.addListener(ChannelFutureListener.CLOSE);
                }
                finish();
                return;
            }
            browser.write(part);
            if (!browser.channel().isWritable()) {
                app.config().setAutoRead(false); // resumed in channelWritabilityChanged
            }
        }

        /**
         * The app's headers made the browser's by {@link AnswerPolicy}, as on every relay. Names and values
         * the gateway sets are Netty's constants: hashed and checked once, not on every answer.
         */
        private void prepare(HttpResponse response) {
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            var headers = response.headers();
            List<String> dropped = null;
            boolean cookies = false;
            for (Map.Entry<String, String> header : headers) {
                String name = header.getKey();
                if (AnswerPolicy.hopByHop(name)) {
                    dropped = dropped == null ? new ArrayList<>(2) : dropped;
                    dropped.add(name);
                } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.SET_COOKIE)) {
                    cookies = true;
                }
            }
            if (dropped != null) {
                dropped.forEach(headers::remove);
            }
            if (closing) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (cookies) {
                List<String> kept = new ArrayList<>();
                for (String setCookie : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
                    if (AnswerPolicy.relayed(HttpHeaderNames.SET_COOKIE, setCookie, pass.upstream().ownCookies(), false)) {
                        kept.add(setCookie);
                    }
                }
                headers.set(HttpHeaderNames.SET_COOKIE, kept);
            }
            int status = response.status().code();
            AsciiString cacheControl = AnswerPolicy.cacheControl(pass.personal(), status,
                    headers.contains(HttpHeaderNames.CACHE_CONTROL), headers.get(HttpHeaderNames.CONTENT_TYPE));
            if (cacheControl != null) {
                headers.set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
            }
            boolean bodiless = status == 204 || status == 304 || HttpMethod.HEAD.equals(request.method());
            if (!bodiless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }

        /** The app failed (refused, reset, timed out) or was cut off: a page, or a cut if it had begun. */
        void failed(Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            reusable = false;
            releasePending();
            detach();
            if (app != null) {
                app.close();
            }
            if (!browser.channel().isActive()) {
                pass.access().abandoned();
                ended(browser, false);
                return;
            }
            if (answering) {
                browser.close(); // a cut answer must look cut, not like a short one
                return;
            }
            int status = UpstreamErrors.timedOut(cause) ? 504 : 502;
            pass.access().failed(status);
            var page = UpstreamErrors.nettyPage(status, request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
            if (!sent || closing) {
                // The rest of the body is not read: the connection cannot serve another request.
                page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                browser.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
            } else {
                browser.writeAndFlush(page);
            }
            ended(browser, !closing);
        }

        /** The browser went away: its app's connection is closed, not pooled with an answer half read. */
        void abandon() {
            pass.access().abandoned(); // nothing if the app's answer had begun: its record is made
            done = true;
            releasePending();
            detach();
            if (app != null) {
                app.close();
            }
        }

        private void finish() {
            if (app != null) {
                detach();
                app.config().setAutoRead(true);
                if (reusable && sent) {
                    pass.upstream().release(app);
                } else {
                    app.close();
                }
            }
            if (!sent) {
                laneInbound = true; // the rest of the body is dropped as it comes
            }
            ended(browser, !closing);
        }
    }

    /** The app's end of a pooled connection: answers go to the exchange it serves at the moment. */
    static final class AppSide extends ChannelInboundHandlerAdapter {
        Exchange exchange;
        /** An interim answer (1xx) being skipped: the final one follows. */
        private boolean interim;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (exchange == null) {
                ReferenceCountUtil.release(msg); // nothing was asked on this connection
                ctx.close();
                return;
            }
            if (msg instanceof HttpObject part && part.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                exchange.failed(part.decoderResult().cause());
                return;
            }
            if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                if (response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                    exchange.failed(new IllegalStateException("the app switched protocols unasked"));
                    return;
                }
                interim = true; // 103 Early Hints and the like: not relayed
                return;
            }
            if (interim) {
                if (msg instanceof LastHttpContent) {
                    interim = false;
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpObject part) {
                exchange.answer(part);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (exchange != null) {
                exchange.browser.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (exchange != null && ctx.channel().isWritable()) {
                exchange.browser.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                if (exchange != null) {
                    exchange.failed(new java.util.concurrent.TimeoutException("the app did not answer in time"));
                } else {
                    ctx.close(); // idle in the pool past the timeout
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (exchange != null) {
                exchange.failed(new java.io.IOException("the app closed the connection"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (exchange != null) {
                exchange.failed(cause);
            }
            ctx.close();
        }
    }
}
