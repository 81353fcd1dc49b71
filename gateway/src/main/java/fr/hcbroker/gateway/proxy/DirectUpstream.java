package fr.hcbroker.gateway.proxy;

import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A route's app as {@link FastLane} reaches it: plain HTTP/1.1 keep-alive connections, pooled per
 * event loop (a connection is only ever used by the loop that opened it, so nothing is shared between
 * threads), opened with the route's timeout as connect timeout and as the longest silence allowed
 * during an exchange. Routes to an https app keep to Vert.x's client.
 */
final class DirectUpstream {

    /** Idle connections kept per event loop; more are closed as they come back. */
    static final int MAX_IDLE = 64;
    /** An answer's head, as the gateway's Vert.x client accepts it. */
    private static final int MAX_HEAD = 8192;

    private static final DefaultHttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private final Vertx vertx;
    private final String host;
    private final int port;
    /** The literal address, or null when the name is resolved at each new connection. */
    private final InetSocketAddress literal;
    private final String hostHeader;
    private final int timeoutMs;
    private final Set<String> ownCookies;
    private final Timer answered;
    private final FastThreadLocal<ArrayDeque<Channel>> idle = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    /** Null when the lane cannot reach {@code upstream} (https). */
    static DirectUpstream of(Vertx vertx, URI upstream, int timeoutMs, Set<String> ownCookies, Timer answered) {
        return "http".equals(upstream.getScheme()) ? new DirectUpstream(vertx, upstream, timeoutMs, ownCookies, answered) : null;
    }

    private DirectUpstream(Vertx vertx, URI upstream, int timeoutMs, Set<String> ownCookies, Timer answered) {
        this.vertx = vertx;
        this.port = upstream.getPort() > 0 ? upstream.getPort() : 80;
        String name = upstream.getHost();
        // URI keeps an IPv6 literal's brackets: the Host header wants them, the address does not.
        this.host = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
        this.literal = NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)
                ? new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port) : null;
        // As Vert.x's client writes it: the port only when it is not http's.
        this.hostHeader = port == 80 ? name : name + ":" + port;
        this.timeoutMs = timeoutMs;
        this.ownCookies = ownCookies;
        this.answered = answered;
    }

    /**
     * The request for the app: the browser's method, target in origin-form and headers (already made
     * fit by the gateway: checked by the decoder) without the hop-by-hop ones and its Host, the app's
     * Host, then {@code added}. Headers that Netty copies out as bytes, not checked again.
     */
    HttpRequest requestFor(HttpRequest incoming, Consumer<HttpHeaders> added) {
        HttpHeaders headers = UNCHECKED.newHeaders();
        for (var it = incoming.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            if (!AnswerPolicy.hopByHop(name) && !AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
                headers.add(name, header.getValue());
            }
        }
        headers.set(HttpHeaderNames.HOST, hostHeader);
        added.accept(headers);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, incoming.method(), RequestPaths.originForm(incoming.uri()), headers);
    }

    Set<String> ownCookies() {
        return ownCookies;
    }

    /** How long apps take to answer (until the head of their answer), with the forwarder's. */
    Timer answered() {
        return answered;
    }

    /** An idle open connection of the calling event loop, or null. */
    Channel pooled() {
        ArrayDeque<Channel> channels = idle.get();
        Channel channel;
        while ((channel = channels.pollFirst()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** A connection whose exchange ended cleanly, back to its loop's pool (the most recent first). */
    void release(Channel channel) {
        ArrayDeque<Channel> channels = idle.get();
        if (channels.size() < MAX_IDLE) {
            channels.addFirst(channel);
        } else {
            channel.close();
        }
    }

    /** A new connection on {@code browser}'s event loop and transport; its answers go to {@link FastLane.AppSide}. */
    Future<Channel> connect(Channel browser) {
        EventLoop loop = browser.eventLoop();
        Promise<Channel> connected = loop.newPromise();
        Bootstrap bootstrap = new Bootstrap().group(loop)
                .channel(browser instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(MAX_HEAD, MAX_HEAD, 8192),
                                new IdleStateHandler(0, 0, timeoutMs, TimeUnit.MILLISECONDS),
                                new FastLane.AppSide());
                    }
                });
        if (literal != null) {
            open(bootstrap, literal, connected);
        } else {
            // A name lookup can block: never on the event loop.
            vertx.<InetSocketAddress>executeBlocking(() -> new InetSocketAddress(InetAddress.getByName(host), port), false)
                    .onComplete(resolved -> loop.execute(() -> {
                        if (resolved.succeeded()) {
                            open(bootstrap, resolved.result(), connected);
                        } else {
                            connected.tryFailure(resolved.cause() instanceof UnknownHostException unknown
                                    ? unknown : new UnknownHostException(host));
                        }
                    }));
        }
        return connected;
    }

    private static void open(Bootstrap bootstrap, InetSocketAddress address, Promise<Channel> connected) {
        bootstrap.connect(address).addListener((ChannelFutureListener) opening -> {
            if (opening.isSuccess()) {
                connected.trySuccess(opening.channel());
            } else {
                connected.tryFailure(opening.cause());
            }
        });
    }
}
