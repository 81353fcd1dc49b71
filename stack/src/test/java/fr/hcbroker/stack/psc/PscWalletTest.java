package fr.hcbroker.stack.psc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PscWalletTest {

    private static final String ISSUER = "http://localhost:1/realms/esante-wallet";
    private static Vertx vertx;
    private static PscWallet wallet;
    private static String endpoint;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(PscWallet.HOST))) {
            port = socket.getLocalPort();
        }
        vertx = Vertx.vertx();
        wallet = PscWallet.start(vertx, port, ISSUER, "the-key");
        endpoint = PscWallet.authorizationEndpoint(port);
    }

    @AfterAll
    static void stop() {
        wallet.close();
        vertx.close().await();
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void authorizationRequestsArePassedOnWithTheKeyInPlaceOfAnyGuess() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(endpoint
                + "?client_id=c&redirect_uri=http%3A%2F%2Flocalhost%2Fcb%3Fa%3D1%26b%3D2&hc_wallet=guess&state=%C3%A9")).build());
        assertThat(response.statusCode()).isEqualTo(302);
        String location = response.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith(ISSUER + "/protocol/openid-connect/auth?")
                .contains("client_id=c", "redirect_uri=http%3A%2F%2Flocalhost%2Fcb%3Fa%3D1%26b%3D2", "state=%C3%A9")
                .endsWith("&hc_wallet=the-key")
                .doesNotContain("guess");
        assertThat(URI.create(endpoint).getHost()).isNotEqualTo(URI.create(ISSUER).getHost());
    }

    @Test
    void everythingElseIsRefused() throws Exception {
        String root = endpoint.substring(0, endpoint.length() - PscWallet.PATH.length());
        for (String path : List.of("/realms/esante-wallet/protocol/openid-connect/token",
                "/realms/esante-wallet/protocol/openid-connect/userinfo", "/realms/esante-wallet/protocol/openid-connect/auth",
                "/auth/", "/")) {
            assertThat(send(HttpRequest.newBuilder(URI.create(root + path)).build()).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(send(HttpRequest.newBuilder(URI.create(endpoint)).POST(HttpRequest.BodyPublishers.ofString("code=x"))
                .header("content-type", "application/x-www-form-urlencoded").build()).statusCode())
                .as("a token request sent to the wallet").isEqualTo(404);
    }
}
