package fr.hcbroker.stack.psc;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The stand-in's wallet host: PSC's authorization endpoint lives on a host of its own
 * (wallet.esw.esante.gouv.fr/auth), apart from the issuer's host that serves tokens, userinfo and keys
 * (DESIGN.md §3). This server, on a second loopback address ({@value #HOST}, which Linux routes to
 * {@code lo} like the whole of 127.0.0.0/8), answers only {@code GET /auth}: it passes the browser on
 * to the stand-in realm's authorization endpoint with the key that realm demands
 * ({@code WalletHostExecutorFactory}). Any other request (a token or userinfo request sent here) is
 * refused. So a provider must take both endpoints from the discovery document, as PSC requires.
 */
public final class PscWallet implements AutoCloseable {

    /** The wallet's address: not the issuer's host name ({@code localhost}), yet on this machine. */
    public static final String HOST = "127.0.0.2";
    public static final String PATH = "/auth";
    /** The parameter the stand-in realm checks (WalletHostExecutorFactory.PARAMETER in hc-psc-stand-in). */
    static final String PARAMETER = "hc_wallet";

    private final HttpServer server;

    private PscWallet(HttpServer server) {
        this.server = server;
    }

    /** The wallet's authorization endpoint when it listens on {@code port}. */
    public static String authorizationEndpoint(int port) {
        return "http://" + HOST + ":" + port + PATH;
    }

    /**
     * Keycloak's options for the stand-in realm: its discovery document names the wallet's endpoint, and
     * it refuses an authorization request that does not carry {@code key}.
     */
    public static Map<String, String> keycloakEnvironment(int port, String key) {
        return Map.of("KC_SPI_WELL_KNOWN__WALLET_OPENID_CONFIGURATION__AUTHORIZATION_ENDPOINT", authorizationEndpoint(port),
                "KC_SPI_WELL_KNOWN__WALLET_OPENID_CONFIGURATION__WALLET_KEY", key);
    }

    /**
     * Listens on {@value #HOST}:{@code port}, passing authorization requests on to {@code issuer}'s
     * endpoint. The port may be Keycloak's own: Keycloak listens on 127.0.0.1 only.
     */
    public static PscWallet start(Vertx vertx, int port, String issuer, String key) {
        String target = issuer + "/protocol/openid-connect/auth";
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> handle(request, target, key))
                .listen(port, HOST).await();
        return new PscWallet(server);
    }

    private static void handle(HttpServerRequest request, String target, String key) {
        if (request.method() != HttpMethod.GET || !PATH.equals(request.path())) {
            request.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                    .end("This PSC wallet host serves only GET " + PATH + "; tokens and userinfo are on the issuer's host.\n");
            return;
        }
        // The request's own parameters, without any key a client tried to supply.
        StringJoiner query = new StringJoiner("&", target + "?", "");
        request.params().forEach((name, value) -> {
            if (!PARAMETER.equals(name)) {
                query.add(encode(name) + "=" + encode(value));
            }
        });
        query.add(PARAMETER + "=" + encode(key));
        request.response().setStatusCode(302).putHeader("location", query.toString())
                .putHeader("cache-control", "no-store").end();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close().await();
    }
}
