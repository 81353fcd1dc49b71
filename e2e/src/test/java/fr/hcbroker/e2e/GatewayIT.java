package fr.hcbroker.e2e;

import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.demo.DemoAccounts;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(StackExtension.class)
@DisplayName("The gateway in front of the demo legacy app, with the real Keycloak")
class GatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;
    private static AdminApi admin;
    /** One login of the accented demo nurse, shared: a TOTP code can be used only once. */
    private static Browser nurse;

    @BeforeAll
    static void logIn(Stack running) {
        stack = running;
        admin = new AdminApi(running);
        DemoProfessional helene = DemoProfessional.ALL.get(1);
        nurse = new Browser();
        Browser.Page echo = login(nurse, "/echo", helene.username(), helene.password(), helene.totpSecret());
        assertThat(echo.status()).isEqualTo(200);
    }

    /** Follows the gateway to Keycloak, fills password and TOTP, and lands back on {@code path}. */
    static Browser.Page login(Browser browser, String path, String username, String password, String totpSecret) {
        Browser.Page form = browser.get(stack.gatewayUrl() + path);
        assertThat(form.body()).contains("kc-form-login");
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", username, "password", password), u -> false);
        return browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totpSecret)), u -> false);
    }

    static String newUser(Map<String, List<String>> attributes, String[] secretOut) {
        String name = "gw-" + UUID.randomUUID().toString().substring(0, 8);
        secretOut[0] = "totp-" + UUID.randomUUID();
        admin.createUser(name, "Pw-" + name, secretOut[0], attributes);
        return name;
    }

    static JsonNode echo(Browser browser, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path));
        headers.forEach(request::header);
        HttpResponse<String> response = browser.send(request.build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Nested
    @DisplayName("identity headers")
    class Headers {

        @Test
        void theAppSeesTheContractHeadersWithAccentsPercentEncoded() throws Exception {
            JsonNode seen = echo(nurse, "/echo", Map.of());
            DemoProfessional helene = DemoProfessional.ALL.get(1);
            assertThat(seen.path("x-hc-user").asText()).isEqualTo(helene.username());
            assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(helene.idNat());
            assertThat(seen.path("x-hc-rpps").asText()).isEqualTo(helene.idNat().substring(1));
            assertThat(seen.path("x-hc-given-name").asText()).isEqualTo("H%C3%A9l%C3%A8ne");
            assertThat(seen.path("x-hc-family-name").asText()).isEqualTo("Lef%C3%A8vre-Dupr%C3%A9");
            assertThat(seen.path("x-hc-email").asText()).isEqualTo(helene.email());
            assertThat(seen.path("x-hc-profession").asText()).isEqualTo("60");
            assertThat(seen.path("x-hc-structure").asText()).isEqualTo(DemoAccounts.DEMO_STRUCTURE);
            assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
            assertThat(seen.path("x-hc-amr").asText().split(",")).contains("pwd", "otp", "mfa");
            assertThat(seen.path("x-hc-session").asText()).isNotBlank();
            assertThat(seen.path("cookie").asText()).doesNotContain("hc_session");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(value = java.net.http.HttpClient.Version.class)
        @DisplayName("the gateway's cookies are taken out of the app's Cookie header, in any case, the app's own kept in order")
        void onlyTheGatewaysCookiesAreTakenOut(java.net.http.HttpClient.Version version) throws Exception {
            // HTTP/1.1 takes the fast lane; Java's HTTP/2 mode offers h2c, which leaves the request to Vert.x.
            java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().version(version).build();
            String session = nurse.cookieHeader(stack.gatewayUrl() + "/echo");
            HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                    .header("cookie", "app=1; " + session + ";HC_LOGIN=x ;  theme=dark")
                    .header("cookie", "b=2;;  c = 3 ; Hc_Session=other").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode seen = JSON.readTree(response.body());
            assertThat(seen.path("x-hc-user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
            assertThat(seen.path("cookie").asText()).isEqualTo("app=1; theme=dark; b=2; c = 3");
        }

        @Test
        @DisplayName("on one kept-alive connection, each request is read with its own cookies (the lane remembers the last reading)")
        void eachRequestOfAConnectionIsReadWithItsOwnCookies() throws Exception {
            String[] secret = new String[1];
            String other = newUser(Map.of(), secret);
            Browser otherBrowser = new Browser();
            assertThat(login(otherBrowser, "/echo", other, "Pw-" + other, secret[0]).status()).isEqualTo(200);
            String nurseCookies = nurse.cookieHeader(stack.gatewayUrl() + "/echo");
            String otherCookies = otherBrowser.cookieHeader(stack.gatewayUrl() + "/echo");
            String helene = DemoProfessional.ALL.get(1).username();
            URI gateway = URI.create(stack.gatewayUrl());
            try (KeptAlive connection = new KeptAlive(gateway)) {
                assertThat(connection.echoedUser(nurseCookies + "; app=1")).isEqualTo(helene);
                assertThat(connection.echoedUser(otherCookies + "; app=1")).isEqualTo(other);
                assertThat(connection.echoedUser("app=1")).isEqualTo("302");
                assertThat(connection.echoedUser("hc_session=forged")).isEqualTo("302");
                assertThat(connection.echoedUser(nurseCookies)).isEqualTo(helene);
                assertThat(connection.echoedUser(nurseCookies + "; app=2")).isEqualTo(helene);
                assertThat(connection.lastCookieSeenByTheApp()).isEqualTo("app=2");
                assertThat(connection.echoedUser(otherCookies)).isEqualTo(other);
                assertThat(connection.lastCookieSeenByTheApp()).isEmpty();
            }
        }

        /** HTTP/1.1 requests to /echo, one at a time, on a single kept-alive socket: the same connection for sure. */
        private static final class KeptAlive implements AutoCloseable {
            private final java.net.Socket socket;
            private final java.io.DataInputStream in;
            private final String host;
            private JsonNode last;

            KeptAlive(URI server) throws java.io.IOException {
                socket = new java.net.Socket(server.getHost(), server.getPort());
                socket.setSoTimeout(10_000);
                in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
                host = server.getHost() + ":" + server.getPort();
            }

            /** The X-HC-User the app saw, or the status when the gateway answered itself. */
            String echoedUser(String cookies) throws Exception {
                socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookies + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                String status = line().split(" ")[1];
                int length = -1;
                for (String header = line(); !header.isEmpty(); header = line()) {
                    assertThat(header.toLowerCase(java.util.Locale.ROOT)).doesNotStartWith("transfer-encoding");
                    if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                assertThat(length).as("a length, so the connection stays usable").isNotNegative();
                byte[] body = new byte[length];
                in.readFully(body);
                if (!status.equals("200")) {
                    last = null;
                    return status;
                }
                last = JSON.readTree(body);
                return last.path("x-hc-user").asText();
            }

            String lastCookieSeenByTheApp() {
                return last.path("cookie").asText();
            }

            private String line() throws java.io.IOException {
                StringBuilder line = new StringBuilder();
                for (int c = in.read(); c != '\n'; c = in.read()) {
                    assertThat(c).as("the connection was closed").isNotNegative();
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
                return line.toString();
            }

            @Override
            public void close() throws java.io.IOException {
                socket.close();
            }
        }

        @Test
        void aLoggedInPersonsRequestsTakeTheFastLaneWithTheSameContract() throws Exception {
            // As a browser sends them: HTTP/1.1 on one kept-alive connection (Java's client, in its
            // default mode, offers an h2c upgrade with every request, which the lane leaves to Vert.x).
            java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            String cookies = nurse.cookieHeader(stack.gatewayUrl() + "/echo");
            double before = fastLaneRequests();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                        .header("cookie", cookies).header("X-HC-User", "spoofed").header("x_hc_idnat", "spoofed").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode seen = JSON.readTree(response.body());
                assertThat(seen.path("x-hc-user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
                assertThat(seen.path("x-hc-idnat").asText()).isEqualTo(DemoProfessional.ALL.get(1).idNat());
                assertThat(seen.path("x_hc_idnat").isMissingNode()).isTrue();
                assertThat(seen.path("x-hc-assertion").asText()).isNotBlank();
                assertThat(seen.path("cookie").asText()).doesNotContain("hc_session");
            }
            assertThat(fastLaneRequests()).isEqualTo(before + 3);
        }

        private static double fastLaneRequests() {
            String metrics = new Browser().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/metrics")).build()).body();
            java.util.regex.Matcher count = java.util.regex.Pattern.compile("(?m)^hc_gateway_fast_lane_total (\\S+)$").matcher(metrics);
            assertThat(count.find()).as(metrics).isTrue();
            return Double.parseDouble(count.group(1));
        }

        @Test
        void theAppVerifiesTheAssertionAgainstThePublishedJwks() throws Exception {
            JsonNode seen = echo(nurse, "/echo", Map.of());
            SignedJWT assertion = SignedJWT.parse(seen.path("x-hc-assertion").asText());
            JWKSet keys = JWKSet.parse(nurse.send(HttpRequest.newBuilder(
                    URI.create(stack.gatewayUrl() + "/.well-known/hc-broker/jwks.json")).build()).body());
            ECKey key = (ECKey) keys.getKeyByKeyId(assertion.getHeader().getKeyID());
            assertThat(assertion.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
            assertThat(assertion.verify(new ECDSAVerifier(key))).isTrue();
            JWTClaimsSet claims = assertion.getJWTClaimsSet();
            assertThat(claims.getIssuer()).isEqualTo(stack.gatewayUrl());
            assertThat(claims.getAudience()).containsExactly("demo-app");
            assertThat(claims.getStringClaim("idnat")).isEqualTo(DemoProfessional.ALL.get(1).idNat());
            assertThat(claims.getStringClaim("acr")).isEqualTo("eidas2");
            assertThat(claims.getJWTID()).isNotBlank();
            assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isLessThanOrEqualTo(60_000);
            assertThat(claims.getExpirationTime()).isInTheFuture();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"X-HC-User", "x-hc-user", "X_HC_USER", "X-Hc-LoA", "x_hc_loa", "X-HC-IdNat",
                "X-HC-Assertion", "X-HC-Extra"})
        void spoofedHeadersNeverReachTheApp(String name) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                    .header(name, "admin").header(name, "eidas3").build();
            JsonNode seen = JSON.readTree(nurse.send(request).body());
            assertThat(seen.path("x-hc-user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
            assertThat(seen.path("x-hc-loa").asText()).isEqualTo("eidas2");
            seen.fields().forEachRemaining(field -> assertThat(field.getValue().asText()).doesNotContain("admin", "eidas3"));
            assertThat(seen.has(name.toLowerCase())).isEqualTo(name.toLowerCase().startsWith("x-hc-")
                    && !name.equalsIgnoreCase("X-HC-Extra"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"X-HC-User", "x_hc_user", "X-HC-LoA", "X-Hc-Assertion"})
        void onAPublicPathSpoofedHeadersAreStrippedToo(String name) throws Exception {
            JsonNode seen = echo(new Browser(), "/public/echo", Map.of(name, "admin"));
            seen.fields().forEachRemaining(field -> assertThat(field.getValue().asText()).isNotEqualTo("admin"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"REMOTE_USER", "Remote-User", "remote_user"})
        void aRouteRenamingHeadersStripsTheRenamedNameWhateverItsSpelling(String name) throws Exception {
            JsonNode seen = echo(nurse, "/cgi/echo", Map.of(name, "admin"));
            assertThat(seen.path("remote_user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
            assertThat(seen.has("x-hc-user")).isFalse();
            assertThat(seen.has("x-hc-email")).isFalse();
            seen.fields().forEachRemaining(field -> assertThat(field.getValue().asText()).isNotEqualTo("admin"));
        }

        @Test
        @DisplayName("a Host the gateway does not answer to by name reaches the catch-all app as the gateway's own host (no host-header poisoning of the app's links)")
        void anUnknownHostIsNotPassedOnAsTheHostTheBrowserUsed() throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String answer = raw(gateway, "GET /public/echo HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200");
            JsonNode seen = JSON.readTree(answer.substring(answer.indexOf('{'), answer.lastIndexOf('}') + 1));
            assertThat(seen.path("x-forwarded-host").asText()).isEqualTo(gateway.getRawAuthority());
            String own = raw(gateway, "GET /public/echo HTTP/1.1\r\nHost: " + gateway.getRawAuthority()
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(JSON.readTree(own.substring(own.indexOf('{'), own.lastIndexOf('}') + 1)).path("x-forwarded-host").asText())
                    .isEqualTo(gateway.getRawAuthority());
        }

        @Test
        void forwardedHeadersFromAnUntrustedPeerAreReplaced() throws Exception {
            JsonNode seen = echo(nurse, "/echo", Map.of("X-Forwarded-For", "10.6.6.6", "X-Forwarded-Host", "evil.example"));
            assertThat(seen.path("x-forwarded-for").asText()).doesNotContain("10.6.6.6");
            assertThat(seen.path("x-forwarded-host").asText()).doesNotContain("evil");
        }
    }

    @Nested
    @DisplayName("policy")
    class Policy {

        @Test
        void aLevel3RouteRedirectsAnEidas2SessionToKeycloakAskingForEidas3() {
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/high/echo")).build());
            assertThat(response.statusCode()).isEqualTo(302);
            String location = response.headers().firstValue("location").orElseThrow();
            assertThat(location).startsWith(stack.keycloakUrl() + "/realms/hospiconnect/protocol/openid-connect/auth")
                    .contains("acr_values=eidas3");
        }

        @Test
        void aRouteForPharmacistsRefusesANurseWithTheReason() {
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/pharmacy/echo")).build());
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("profession not allowed");
            assertThat(response.headers().firstValue("content-security-policy").orElseThrow()).contains("frame-ancestors 'none'");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/public/../echo", "/public/%2e%2e/echo", "/public%2fecho", "/public/..%2fecho",
                "/public/..;/pharmacy/echo", "/public/..;x=1/echo", "/%70harmacy/echo", "/pharm%61cy/echo"})
        void ambiguousPathsThatCouldEscapeAPublicPrefixAreRefused(String path) {
            HttpResponse<String> response = new Browser().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).build());
            assertThat(response.statusCode()).isEqualTo(400);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://evil.example/echo", "http://evil.example", "HTTP://user@%s/echo", "http://%s.evil.example/echo"})
        void aTargetNamingAnotherHostThanTheHostHeaderIsRefused(String target) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String host = gateway.getHost() + ":" + gateway.getPort();
            String answer = raw(gateway, "GET " + target.formatted(host) + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400");
        }

        @ParameterizedTest(name = "[{index}] {1}")
        @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
                "/public/\u00c3\u00a9cho | unencoded UTF-8 (é)", "/public/echo?q=a\u0001b | a control character",
                "/public/echo?q=\u007f | DEL", "/public/echo?q=\u00e9 | a Latin-1 byte"})
        void aTargetWithCharactersNoUriHoldsIsRefused(String target, String what) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String host = gateway.getHost() + ":" + gateway.getPort();
            // Raw bytes, as a hostile client sends them (raw() writes each character as one byte).
            for (String connection : List.of("keep-alive", "close")) {
                String answer = raw(gateway, "GET " + target + " HTTP/1.1\r\nHost: " + host
                        + "\r\nConnection: " + connection + "\r\n\r\n" + (connection.equals("keep-alive")
                        ? "GET /public/echo HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n" : ""));
                assertThat(answer).as(what).startsWith("HTTP/1.1 400");
            }
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"", "Host: %s\r\nHost: evil.example\r\n", "Host: evil.example\r\nHost: %s\r\n", "Host: %s evil\r\n"})
        void aMissingRepeatedOrInvalidHostIsRefused(String hostLines) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String host = gateway.getHost() + ":" + gateway.getPort();
            String answer = raw(gateway, "GET /public/echo HTTP/1.1\r\n" + hostLines.formatted(host, host)
                    + "Connection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400");
        }

        @Test
        void anAbsoluteTargetNamingItsOwnHostReachesTheApp() throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String host = gateway.getHost() + ":" + gateway.getPort();
            String answer = raw(gateway, "GET http://" + host + "/public/echo HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200").contains("x-forwarded-host");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/pharmacy;jsessionid=A1B2/echo", "//pharmacy/echo", "/pharmacy;x"})
        void aPathSpelledAsServletContainersReadItFallsUnderItsOwnRoute(String path) {
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).build());
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("profession not allowed");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/.hc/anything", "/.hc/logout/", "/.hc", "/.well-known/hc-broker/jwks.json;x",
                "/.well-known/hc-broker/other", "//.hc/x", "/.hc;x/y"})
        void theGatewaysOwnNamespacesNeverReachAnApp(String path) {
            // The catch-all route would send these to the echo app, which answers 200 with what it saw.
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).build());
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).doesNotContain("x-hc-user");
        }

        /** Methods are case-sensitive; an app server that reads them without case must not get one either. */
        @ParameterizedTest(name = "[{index}] {0} is refused: the app would echo the request back, identity headers and assertion included")
        @ValueSource(strings = {"TRACE", "trace", "TRACK", "Track"})
        void echoMethodsAreRefused(String method) {
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow").orElseThrow()).contains("GET").doesNotContain("TRACE");
            assertThat(response.body()).doesNotContain("x-hc-");
        }
    }

    /**
     * Paths a legacy server (IIS, Windows, a framework decoding twice) reads as another route's than the
     * gateway's first reading: each spelling is tried in the fast lane's shape (origin-form), in one it
     * leaves to Vert.x (absolute-form) and as a WebSocket upgrade, as raw bytes.
     */
    @Nested
    @DisplayName("paths: the strictest route wins")
    class Paths {

        /** The status of the gateway's answer to {@code target} in each of the three ways. */
        private List<Integer> statuses(String target, String cookies, Map<String, String> extra) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String host = gateway.getHost() + ":" + gateway.getPort();
            StringBuilder headers = new StringBuilder("Host: " + host + "\r\nCookie: " + cookies + "\r\n");
            extra.forEach((name, value) -> headers.append(name).append(": ").append(value).append("\r\n"));
            String keptAlive = raw(gateway, "GET " + target + " HTTP/1.1\r\n" + headers + "\r\n"
                    + "GET /public/echo HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            // Absolute-form: a shape the fast lane leaves to Vert.x.
            String closing = raw(gateway, "GET http://" + host + target + " HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n");
            String upgrade = statusLine(gateway, "GET " + target + " HTTP/1.1\r\n" + headers + "Connection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Origin: " + stack.gatewayUrl() + "\r\n\r\n");
            return Stream.of(keptAlive, closing, upgrade).map(answer -> Integer.parseInt(answer.substring(9, 12))).toList();
        }

        /** The first line of the answer: a refused upgrade leaves the connection open. */
        private static String statusLine(URI server, String request) throws Exception {
            try (java.net.Socket socket = new java.net.Socket(server.getHost(), server.getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
            }
        }

        private String nurseCookies() {
            return nurse.cookieHeader(stack.gatewayUrl() + "/echo");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/PHARMACY/echo", "/Pharmacy/echo", "/pHARMACY", "/pharmacy./echo", "/PHARMACY.../echo",
                "/pharmacy%20/echo", "/Pharmacy.%20./echo", "/pharmacy::$INDEX_ALLOCATION/echo", "/pharmacy:x/echo",
                "/PHARMACY;x/echo", "//Pharmacy//echo", "/pharmacy.;jsessionid=1/echo", "/pharmacy::$DATA"})
        @DisplayName("a spelling Windows or IIS reads as /pharmacy is decided by the pharmacy's policy on both lanes and upgrades")
        void aSpellingALegacyServerReadsAsThePharmacyIsThePharmacys(String target) throws Exception {
            assertThat(statuses(target, nurseCookies(), Map.of())).containsExactly(403, 403, 403);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/HIGH/echo", "/high./echo", "/High%20/echo", "/high::$DATA/echo"})
        void aSpellingALegacyServerReadsAsTheLevel3RouteAsksForLevel3(String target) throws Exception {
            assertThat(statuses(target, nurseCookies(), Map.of())).containsExactly(302, 302, 302);
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + target)).build());
            assertThat(response.headers().firstValue("location").orElseThrow()).contains("acr_values=eidas3");
        }

        @ParameterizedTest(name = "[{index}] {0}: {1}")
        @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
                "raw end of path | /pharmacy#/echo", "raw end of path | /echo#/../pharmacy/echo",
                "encoded parameter beside dots | /public/..%3B/pharmacy/echo", "encoded parameter | /pharmacy%3bx/echo",
                "encoded query | /public%3F/../pharmacy/echo", "encoded fragment | /public%23/pharmacy/echo",
                "encoded dots | /public/%2E%2E/pharmacy/echo", "encoded dots | /public/.%2e/pharmacy/echo",
                "double encoding | /public/%252E%252E/pharmacy/echo", "double encoding | /public%252Fpharmacy/echo",
                "double encoding | /%2570harmacy/echo", "IIS %u escape | /public/%u002E%u002E/pharmacy/echo",
                "encoded control | /pharmacy%00/echo", "encoded control | /echo%0a", "encoded control | /echo%09",
                "encoded control | /echo%1F", "encoded control | /echo%7f",
                "fullwidth dots | /public/%EF%BC%8E%EF%BC%8E/pharmacy/echo", "Windows short name | /PHARMA~1/echo",
                "overlong UTF-8 | /public/%c0%ae%c0%ae/pharmacy/echo"})
        @DisplayName("a path a server reads another way is refused on both lanes and upgrades, and never reaches the app")
        void aPathAServerReadsAnotherWayIsRefused(String family, String target) throws Exception {
            assertThat(statuses(target, nurseCookies(), Map.of())).as(family).containsExactly(400, 400, 400);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/PUBLIC/echo", "/public./echo", "/Public%20/echo", "/public::$DATA/echo"})
        @DisplayName("a public path is public only as written: another spelling asks for a login")
        void aPublicPathIsPublicOnlyAsWritten(String target) throws Exception {
            assertThat(statuses(target, "app=1", Map.of())).containsExactly(302, 302, 302);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"X-Original-URL", "X-Rewrite-URL", "x_original_url", "X-ORIGINAL-URI", "X-Envoy-Original-Path"})
        @DisplayName("headers some servers honour as the path never reach the app, on either lane")
        void pathOverrideHeadersAreRemoved(String name) throws Exception {
            for (java.net.http.HttpClient.Version version : java.net.http.HttpClient.Version.values()) {
                java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().version(version).build();
                HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                        .header("cookie", nurseCookies()).header(name, "/pharmacy/echo").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode seen = JSON.readTree(response.body());
                assertThat(seen.path("x-hc-user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
                assertThat(response.body().toLowerCase(java.util.Locale.ROOT)).doesNotContain("/pharmacy/echo");
            }
        }

        @Test
        @DisplayName("the record of a refused spelling names the route it was read as, the path as sent")
        void theRecordNamesTheStrictRoute() throws Exception {
            String id = "case-" + UUID.randomUUID();
            assertThat(statuses("/PHARMACY/echo", nurseCookies(), Map.of("X-Request-Id", id))).containsExactly(403, 403, 403);
            List<JsonNode> mine = new java.util.ArrayList<>();
            for (java.nio.file.Path file : AuditFiles.of(stack, "gateway")) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    JsonNode record = JSON.readTree(line);
                    if (record.path("details").path("client_request_id").asText().equals(id)) {
                        mine.add(record);
                    }
                }
            }
            assertThat(mine).hasSize(3).allSatisfy(r -> {
                assertThat(r.path("route").asText()).isEqualTo("demo-pharmacy");
                assertThat(r.path("reason").asText()).isEqualTo("profession not allowed");
                assertThat(r.path("path").asText()).isEqualTo("/PHARMACY/echo");
                assertThat(r.path("status").asInt()).isEqualTo(403);
            });
        }
    }

    /** One request written as is (what an HTTP client would not send), the whole answer read back. */
    static String raw(URI server, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Nested
    @DisplayName("sessions and login")
    class Sessions {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "x; hc_session=y", "../../etc/passwd"})
        void aForgedSessionCookieLeadsToLoginNotToTheApp(String value) {
            HttpResponse<String> response = new Browser().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo"))
                    .header("cookie", "hc_session=" + value).build());
            assertThat(response.statusCode()).isEqualTo(302);
            assertThat(response.headers().firstValue("location").orElseThrow()).startsWith(stack.keycloakUrl());
        }

        @Test
        void aCallbackWithAnUnknownStateIsRefused() {
            HttpResponse<String> response = new Browser().send(HttpRequest.newBuilder(URI.create(
                    stack.gatewayUrl() + "/.hc/callback?state=made-up&code=made-up")).build());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().allValues("set-cookie")).isEmpty();
        }

        @Test
        void aReplayedCallbackIsRefusedAndCreatesNoSession() {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser browser = new Browser();
            Browser.Page form = browser.get(stack.gatewayUrl() + "/echo");
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", user, "password", "Pw-" + user), u -> false);
            Browser.Page callback = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(secret[0])), u -> u.getPath().equals("/.hc/callback"));
            HttpResponse<String> first = browser.send(HttpRequest.newBuilder(callback.uri()).build());
            assertThat(first.statusCode()).isEqualTo(302);
            HttpResponse<String> replay = browser.send(HttpRequest.newBuilder(callback.uri()).build());
            assertThat(replay.statusCode()).isEqualTo(400);
            assertThat(replay.headers().allValues("set-cookie")).isEmpty();
        }

        @Test
        @DisplayName("a callback link opened in another browser logs no one in (login CSRF)")
        void aCallbackCompletedByAnotherBrowserIsRefusedAndCreatesNoSession() {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser attacker = new Browser();
            Browser.Page form = attacker.get(stack.gatewayUrl() + "/echo");
            Browser.Page otp = attacker.submit(form, form.form("kc-form-login"),
                    Map.of("username", user, "password", "Pw-" + user), u -> false);
            Browser.Page callback = attacker.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(secret[0])), u -> u.getPath().equals("/.hc/callback"));
            Browser victim = new Browser();
            victim.get(stack.gatewayUrl() + "/echo", u -> true); // the victim has a login cookie of its own
            HttpResponse<String> opened = victim.send(HttpRequest.newBuilder(callback.uri()).build());
            assertThat(opened.statusCode()).isEqualTo(400);
            assertThat(opened.body()).contains("autre navigateur");
            assertThat(opened.headers().allValues("set-cookie")).noneMatch(c -> c.startsWith("hc_session="));
            assertThat(victim.get(stack.gatewayUrl() + "/echo", u -> true).status()).isEqualTo(302);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"//evil.example/", "/\\evil.example", "/%2f%2fevil.example", "https://evil.example/"})
        void aLoginNeverReturnsToAnotherHost(String target) throws Exception {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser browser = new Browser();
            Browser.Page form = browser.get(stack.gatewayUrl() + "/.hc/login?return="
                    + java.net.URLEncoder.encode(target, java.nio.charset.StandardCharsets.UTF_8));
            Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                    Map.of("username", user, "password", "Pw-" + user), u -> false);
            Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"),
                    Map.of("otp", Totp.now(secret[0])), u -> !u.getHost().equals("localhost"));
            assertThat(landed.uri().getHost()).isEqualTo("localhost");
            assertThat(landed.uri().toString()).isEqualTo(stack.gatewayUrl() + "/");
        }

        @Test
        void oversizedHeadersAreRefused() {
            HttpResponse<String> response = new Browser().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/public/echo"))
                    .header("x-big", "a".repeat(40_000)).build());
            assertThat(response.statusCode()).isIn(400, 431);
        }

        @Test
        void logoutEndsTheGatewayAndKeycloakSessionsSoTheNextPersonMustLogIn() {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser browser = new Browser();
            assertThat(login(browser, "/echo", user, "Pw-" + user, secret[0]).status()).isEqualTo(200);
            // A GET only asks (any page can make a browser GET); the page's button posts its token.
            Browser.Page confirm = browser.get(stack.gatewayUrl() + "/.hc/logout");
            assertThat(confirm.status()).isEqualTo(200);
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo")).build()).statusCode())
                    .isEqualTo(200);
            // Keycloak's session ends at its end-session endpoint, with an ID token hint: no confirmation there.
            Browser.Page atKeycloak = browser.submit(confirm, Map.of(), u -> !u.toString().startsWith(stack.gatewayUrl()));
            assertThat(atKeycloak.uri().toString()).contains("/protocol/openid-connect/logout").contains("id_token_hint=");
            // Keycloak then sends the browser to the gateway's "you are logged out" page.
            Browser.Page home = browser.get(atKeycloak.uri().toString());
            assertThat(home.uri().toString()).isEqualTo(stack.gatewayUrl() + "/.hc/logged-out");
            assertThat(home.body()).contains("Vous êtes déconnecté", "/.hc/login").doesNotContain(user);
            assertThat(browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo")).build()).statusCode())
                    .isEqualTo(302);
            // The same browser (a shared workstation) asks for the app again: Keycloak wants a login,
            // it does not sign the previous person in silently.
            Browser.Page next = browser.get(stack.gatewayUrl() + "/echo");
            assertThat(next.body()).contains("kc-form-login").doesNotContain(user);
        }

        @Test
        void aBackChannelLogoutFromKeycloakEndsTheGatewaySession() throws Exception {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser browser = new Browser();
            assertThat(login(browser, "/echo", user, "Pw-" + user, secret[0]).status()).isEqualTo(200);
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(user) + "/logout", Map.of()))
                    .isEqualTo(204);
            long deadline = System.currentTimeMillis() + 5000;
            int status = 200;
            while (status == 200 && System.currentTimeMillis() < deadline) {
                status = browser.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo")).build()).statusCode();
                Thread.sleep(100);
            }
            assertThat(status).isEqualTo(302);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"", "not-a-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."})
        void aForgedLogoutTokenIsRefused(String token) {
            HttpResponse<String> response = new Browser().send(HttpRequest.newBuilder(URI.create(
                            stack.gatewayUrl() + "/.hc/backchannel-logout"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("logout_token=" + token)).build());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(echoStillWorks()).isTrue();
        }

        private boolean echoStillWorks() {
            return nurse.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/echo")).build()).statusCode() == 200;
        }
    }

    @Nested
    @DisplayName("audit trail")
    class Audit {

        private List<JsonNode> records(String source) throws Exception {
            List<JsonNode> records = new java.util.ArrayList<>();
            for (java.nio.file.Path file : AuditFiles.of(stack, source)) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    records.add(JSON.readTree(line));
                }
            }
            return records;
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"gzip, chunked", "chunked, identity", "identity", "chunked\r\nTransfer-Encoding: gzip",
                "gzip\r\nTransfer-Encoding: chunked"})
        @DisplayName("a transfer coding other than chunked alone is refused before any decision (by Netty's decoder or the gateway), and recorded as refused, not as an access")
        void aRequestFramedTwoWaysIsRefusedAndRecordedAsSuch(String coding) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String id = "smuggle-" + java.util.UUID.randomUUID();
            String answer = raw(gateway, "POST /public/echo HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort()
                    + "\r\nX-Request-Id: " + id + "\r\nTransfer-Encoding: " + coding
                    + "\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400").doesNotContain("\"method\"");
            List<JsonNode> mine = records("gateway").stream().filter(r -> r.path("details").path("client_request_id").asText().equals(id)).toList();
            assertThat(mine).singleElement().satisfies(r -> {
                assertThat(r.path("outcome").asText()).isEqualTo("deny");
                assertThat(r.path("reason").asText()).isIn("transfer coding other than chunked alone", "malformed request");
                assertThat(r.path("status").asInt()).isEqualTo(400);
            });
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"a bare line feed ending a chunk", "a chunk size that is not hexadecimal", "a chunk longer than its size"})
        @DisplayName("a body whose chunks break HTTP's framing gets a 400 page and one record naming the browser's body, not an upstream error")
        void aMalformedBodyIsRecordedAsTheBrowsers(String what) throws Exception {
            String chunks = switch (what) {
                case "a bare line feed ending a chunk" -> "5\nhello\n0\n\n";
                case "a chunk size that is not hexadecimal" -> "zz\r\nhello\r\n0\r\n\r\n";
                default -> "3\r\nhello\r\n0\r\n\r\n";
            };
            URI gateway = URI.create(stack.gatewayUrl());
            String id = "malformed-body-" + java.util.UUID.randomUUID();
            String answer = raw(gateway, "POST /public/echo HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort()
                    + "\r\nX-Request-Id: " + id + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("Requête invalide").doesNotContain("\"method\"");
            List<JsonNode> mine = List.of();
            for (long deadline = System.currentTimeMillis() + 5_000; mine.isEmpty() && System.currentTimeMillis() < deadline; ) {
                Thread.sleep(50); // an access's record is on disk within the group-commit window
                mine = records("gateway").stream().filter(r -> r.path("details").path("client_request_id").asText().equals(id)).toList();
            }
            assertThat(mine).singleElement().satisfies(r -> {
                assertThat(r.path("reason").asText()).isEqualTo("request body malformed");
                assertThat(r.path("status").asInt()).isEqualTo(400);
                assertThat(r.path("route").asText()).isEqualTo("demo-public");
                assertThat(r.path("path").asText()).isEqualTo("/public/echo");
            });
        }

        static Stream<Arguments> undecodableHeads() {
            return Stream.of(
                    Arguments.of("a header name with a space", "Bad Name: x\r\n", 400, "malformed request"),
                    Arguments.of("a header line without a colon", "No colon\r\n", 400, "malformed request"),
                    Arguments.of("a control character in a value", "X-Test: a\u0001b\r\n", 400, "malformed request"),
                    Arguments.of("two lengths", "Content-Length: 5\r\nContent-Length: 6\r\n", 400, "malformed request"),
                    Arguments.of("a length and chunked", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400,
                            "malformed request"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("undecodableHeads")
        @DisplayName("a request Netty's decoder refuses is recorded as a denial before the answer, with what was read of it")
        void aRequestTheDecoderRefusesIsRecorded(String what, String badHeaders, int status, String reason) throws Exception {
            URI gateway = URI.create(stack.gatewayUrl());
            String id = "undecodable-" + java.util.UUID.randomUUID();
            String answer = raw(gateway, "POST /public/echo HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort()
                    + "\r\nX-Request-Id: " + id + "\r\n" + badHeaders + "\r\nhello");
            assertThat(answer).startsWith("HTTP/1.1 " + status).doesNotContain("\"method\"");
            List<JsonNode> mine = records("gateway").stream().filter(r -> r.path("details").path("client_request_id").asText().equals(id)).toList();
            assertThat(mine).singleElement().satisfies(r -> {
                assertThat(r.path("outcome").asText()).isEqualTo("deny");
                assertThat(r.path("reason").asText()).isEqualTo(reason);
                assertThat(r.path("status").asInt()).isEqualTo(status);
                assertThat(r.path("method").asText()).isEqualTo("POST");
                assertThat(r.path("path").asText()).isEqualTo("/public/echo");
            });
        }

        @Test
        @DisplayName("a request line too long is refused with 414 and recorded, without the line it could not read")
        void aRequestLineTooLongIsRecorded() throws Throwable {
            URI gateway = URI.create(stack.gatewayUrl());
            JsonNode record = theOneNewRecord("request line too long", () -> assertThat(raw(gateway, "GET /public/echo?"
                    + "a".repeat(10_000) + " HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort() + "\r\n\r\n"))
                    .contains(" 414 "));
            assertThat(record.path("status").asInt()).isEqualTo(414);
            assertThat(record.path("path").asText("")).doesNotContain("aaaa").doesNotContain("bad-request");
        }

        @Test
        @DisplayName("a request head too large is refused with 431 and recorded with its request line (its headers are not kept)")
        void aRequestHeadTooLargeIsRecorded() throws Throwable {
            URI gateway = URI.create(stack.gatewayUrl());
            JsonNode record = theOneNewRecord("request head too large", () -> assertThat(raw(gateway, "POST /public/echo HTTP/1.1\r\nHost: "
                    + gateway.getHost() + ":" + gateway.getPort() + "\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 431"));
            assertThat(record.path("status").asInt()).isEqualTo(431);
            assertThat(record.path("method").asText()).isEqualTo("POST");
            assertThat(record.path("path").asText()).isEqualTo("/public/echo");
        }

        /** The denial with {@code reason} that {@code send} added to the gateway's trail: exactly one. */
        private JsonNode theOneNewRecord(String reason, org.junit.jupiter.api.function.Executable send) throws Throwable {
            long before = records("gateway").stream().filter(r -> r.path("reason").asText().equals(reason)).count();
            send.execute();
            List<JsonNode> all = records("gateway").stream().filter(r -> r.path("reason").asText().equals(reason)).toList();
            assertThat(all).hasSize((int) before + 1);
            JsonNode last = all.get(all.size() - 1);
            assertThat(last.path("outcome").asText()).isEqualTo("deny");
            return last;
        }

        @Test
        @DisplayName("a back-channel logout is recorded once per session it ends, naming whose it was")
        void aBackChannelLogoutRecordNamesThePerson() throws Exception {
            String[] secret = new String[1];
            String user = newUser(Map.of(), secret);
            Browser browser = new Browser();
            assertThat(login(browser, "/echo", user, "Pw-" + user, secret[0]).status()).isEqualTo(200);
            assertThat(admin.send("POST", "/admin/realms/hospiconnect/users/" + admin.userId(user) + "/logout", Map.of()))
                    .isEqualTo(204);
            long deadline = System.currentTimeMillis() + 5000;
            while (records("gateway").stream().noneMatch(r -> r.path("reason").asText().equals("back-channel logout")
                    && r.path("user").asText().equals(user)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(records("gateway")).anySatisfy(r -> {
                assertThat(r.path("event").asText()).isEqualTo("logout");
                assertThat(r.path("reason").asText()).isEqualTo("back-channel logout");
                assertThat(r.path("user").asText()).isEqualTo(user);
                assertThat(r.path("loa").asText()).isEqualTo("eidas2");
            });
        }

        @Test
        @DisplayName("an unknown address under the gateway's own paths is refused with 404 and on disk before the answer")
        void anUnknownGatewayPathIsRecorded() throws Exception {
            String id = "own-" + java.util.UUID.randomUUID();
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(
                    URI.create(stack.gatewayUrl() + "/.hc/nothing-here")).header("X-Request-Id", id).build());
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(records("gateway")).filteredOn(r -> r.path("details").path("client_request_id").asText().equals(id)).singleElement()
                    .satisfies(r -> {
                        assertThat(r.path("outcome").asText()).isEqualTo("deny");
                        assertThat(r.path("reason").asText()).isEqualTo("unknown gateway path");
                        assertThat(r.path("path").asText()).isEqualTo("/.hc/nothing-here");
                        assertThat(r.path("status").asInt()).isEqualTo(404);
                    });
        }

        @Test
        void aDenialIsOnDiskWithItsReasonBeforeThePersonSeesIt() throws Exception {
            HttpResponse<String> response = nurse.send(HttpRequest.newBuilder(
                    URI.create(stack.gatewayUrl() + "/pharmacy/secret?token=SHOULD-NOT-APPEAR")).build());
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(records("gateway")).anySatisfy(r -> {
                assertThat(r.path("outcome").asText()).isEqualTo("deny");
                assertThat(r.path("reason").asText()).isEqualTo("profession not allowed");
                assertThat(r.path("route").asText()).isEqualTo("demo-pharmacy");
                assertThat(r.path("user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
                assertThat(r.path("idnat").asText()).isEqualTo(DemoProfessional.ALL.get(1).idNat());
                assertThat(r.path("loa").asText()).isEqualTo("eidas2");
                assertThat(r.path("path").asText()).isEqualTo("/pharmacy/secret");
                assertThat(r.path("status").asInt()).isEqualTo(403);
            });
        }

        @Test
        void loginsAndAllowedRequestsAreRecordedAndTheChainsVerifyWithTheCli() throws Exception {
            echo(nurse, "/echo", Map.of());
            Thread.sleep(200); // allowed requests are group-committed within 50 ms
            List<JsonNode> gateway = records("gateway");
            assertThat(gateway).anySatisfy(r -> assertThat(r.path("event").asText()).isEqualTo("login"));
            assertThat(gateway).anySatisfy(r -> {
                assertThat(r.path("event").asText()).isEqualTo("access");
                assertThat(r.path("route").asText()).isEqualTo("demo-app");
            });
            assertThat(records("keycloak")).anySatisfy(r -> {
                assertThat(r.path("event").asText()).isEqualTo("login");
                assertThat(r.path("user").asText()).isEqualTo(DemoProfessional.ALL.get(1).username());
                assertThat(r.path("loa").asText()).isEqualTo("eidas2");
            });
            String all = String.join("\n", gateway.stream().map(JsonNode::toString).toList());
            assertThat(all).doesNotContain("SHOULD-NOT-APPEAR").doesNotContain("hc_session");
            assertThat(AuditFiles.verify(AuditFiles.of(stack, "gateway"))).startsWith("OK");
            assertThat(AuditFiles.verify(AuditFiles.of(stack, "keycloak"))).startsWith("OK");
        }
    }
}
