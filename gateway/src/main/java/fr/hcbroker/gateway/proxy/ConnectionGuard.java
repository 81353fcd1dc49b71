package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a browser's connection may hold the gateway without progress: an unfinished
 * request head past the head timeout, a request body that stops arriving past the body timeout, a
 * keep-alive connection with no new request past the idle timeout. Without these one machine opening
 * thousands of connections that never finish a head held them until the gateway ran out of file
 * descriptors (issue #34). Nothing is answered on a timeout: the connection is closed, as nginx does.
 *
 * <p>One per HTTP/1.1 connection, on every listener (main and management), placed before the fast
 * lane and Vert.x's handler so it sees decoded requests and both lanes' answers; a small companion
 * before Netty's decoder notes the first bytes of a head, which the decoder keeps until it is whole.
 * An accepted upgrade (a WebSocket, answered 101) ends its watch: WebSockets keep their own rules.
 * While the gateway owes an answer nothing is timed here: the app's side has its upstream timeout.
 *
 * <p>Cheap per request: a request only moves a deadline; one timer per connection, rescheduled when it
 * fires early, as Netty's {@code IdleStateHandler} does.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

    enum Phase { HEAD, BODY, ANSWERING, IDLE }

    /** Told when a connection is closed for lack of progress (a metric per phase). */
    interface TimedOut {
        void closed(Phase phase);
    }

    private final long headNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final TimedOut timedOut;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEAD;
    /** When the current phase runs out (System.nanoTime), meaningful in HEAD, BODY and IDLE. */
    private long deadline;
    /** Requests read whose answer is not written in full yet (pipelining). */
    private int owed;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires (System.nanoTime). */
    private long timerAt;

    ConnectionGuard(GatewayConfig.Connections limits, TimedOut timedOut) {
        this.headNanos = limits.headTimeout().toNanos();
        this.bodyNanos = limits.bodyTimeout().toNanos();
        this.idleNanos = limits.idleTimeout().toNanos();
        this.timedOut = timedOut;
    }

    /**
     * Puts a guard on a new connection, before Vert.x's handler and before the fast lane if that is
     * installed later (it is placed before the handler too). A connection of another shape (HTTP/2)
     * keeps Vert.x's own idle handling.
     */
    static void install(Channel channel, GatewayConfig.Connections limits, TimedOut timedOut) {
        var pipeline = channel.pipeline();
        if (pipeline.get("httpDecoder") != null && pipeline.get("handler") != null) {
            ConnectionGuard guard = new ConnectionGuard(limits, timedOut);
            pipeline.addBefore("handler", "hc-guard", guard);
            pipeline.addBefore("httpDecoder", "hc-guard-bytes", guard.new Bytes());
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        enter(Phase.HEAD, headNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            enter(Phase.BODY, bodyNanos);
        } else if (msg instanceof HttpContent && phase == Phase.BODY) {
            deadline = System.nanoTime() + bodyNanos;
        }
        if (msg instanceof LastHttpContent) {
            owed++;
            phase = Phase.ANSWERING;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().code() == 101) {
            // The connection stops being HTTP: a WebSocket's life is not a head's or a body's.
            ctx.pipeline().remove(this);
            ctx.pipeline().remove("hc-guard-bytes");
        } else if (msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse interim && interim.status().codeClass() == HttpStatusClass.INFORMATIONAL)
                && owed > 0 && --owed == 0 && phase == Phase.ANSWERING) {
            enter(Phase.IDLE, idleNanos);
        }
        ctx.write(msg, promise);
    }

    /** A keep-alive connection's next head begins: from now on it has the head timeout to finish it. */
    private void headBegins() {
        if (phase == Phase.IDLE) {
            enter(Phase.HEAD, headNanos);
        }
    }

    private void enter(Phase next, long nanos) {
        phase = next;
        deadline = System.nanoTime() + nanos;
        // A later deadline waits for the pending timer (it reschedules itself); an earlier one, as an idle
        // timeout shorter than the head timeout, needs a timer of its own.
        if (timer != null && timerAt - deadline > 0) {
            timer.cancel(false);
            timer = null;
        }
        if (timer == null) {
            schedule(nanos);
        }
    }

    private void schedule(long nanos) {
        timerAt = System.nanoTime() + nanos;
        timer = ctx.executor().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (phase == Phase.ANSWERING || !ctx.channel().isOpen()) {
            return; // the next phase schedules again
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
        } else {
            timedOut.closed(phase);
            ctx.close();
        }
    }

    /** Before Netty's decoder: sees a head's first bytes, which the decoder holds until it is whole. */
    final class Bytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            headBegins();
            ctx.fireChannelRead(msg);
        }
    }
}
