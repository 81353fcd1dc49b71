package fr.hcbroker.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * The floor under the gateway's throughput, harness only: a bare HTTP/1.1 relay on the gateway's JVM,
 * Netty version, transport and codecs, with none of the gateway's work (no session, policy, identity
 * headers, assertion or audit record). Each browser connection gets one app connection on its own
 * event loop, as on the gateway's fast lane; requests and answers pass through as Netty decodes them.
 * Measured against nginx in the same run, it tells what the platform costs before the gateway
 * decides anything, so that the gateway / nginx ratio can be read as platform plus the gateway's own work.
 */
public final class NettyRelay {

    private NettyRelay() {
    }

    /** {@code <port> <app port>}: listens on 127.0.0.1, relays to the app on 127.0.0.1. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int app = Integer.parseInt(args[1]);
        boolean epoll = Epoll.isAvailable();
        // As many event loops as the gateway's server instances: one per core.
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        new ServerBootstrap().group(loops)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel browser) {
                        browser.pipeline().addLast(new HttpServerCodec(), new BrowserSide(app, epoll));
                    }
                })
                .bind("127.0.0.1", port).sync();
        System.out.println("Netty relay on 127.0.0.1:" + port + " to the app on 127.0.0.1:" + app
                + (epoll ? " (epoll)" : " (Java NIO)"));
        Thread.currentThread().join();
    }

    /** A browser's connection: its app connection is opened first, then its requests go there as they come. */
    private static final class BrowserSide extends ChannelInboundHandlerAdapter {
        private final int appPort;
        private final boolean epoll;
        private Channel app;

        BrowserSide(int appPort, boolean epoll) {
            this.appPort = appPort;
            this.epoll = epoll;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel browser = ctx.channel();
            browser.config().setAutoRead(false); // nothing to relay to until the app's connection is open
            new Bootstrap().group(browser.eventLoop())
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new HttpClientCodec(), new AppSide(browser));
                        }
                    })
                    .connect("127.0.0.1", appPort)
                    .addListener((ChannelFutureListener) opened -> {
                        if (opened.isSuccess()) {
                            app = opened.channel();
                            app.closeFuture().addListener(closed -> browser.close());
                            browser.config().setAutoRead(true);
                        } else {
                            browser.close();
                        }
                    });
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + appPort);
            }
            app.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            app.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (app != null) {
                app.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The app's answers, relayed to the browser as they come, flushed once per read. */
    private static final class AppSide extends ChannelInboundHandlerAdapter {
        private final Channel browser;

        AppSide(Channel browser) {
            this.browser = browser;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (browser.isActive()) {
                browser.write(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            browser.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
