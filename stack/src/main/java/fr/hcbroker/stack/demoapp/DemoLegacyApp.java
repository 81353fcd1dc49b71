package fr.hcbroker.stack.demoapp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo legacy app (DESIGN.md §7): it trusts whatever headers reach it, like the apps the gateway
 * protects. {@code GET /echo} (and {@code …/echo} under any prefix) answers a JSON object of every request
 * header (names lower-cased, repeated headers joined with ", "); any other GET shows them as a page,
 * with who is signed in (from the gateway's headers) and a button that logs out through the gateway.
 */
public final class DemoLegacyApp {

    private final Vertx vertx;
    private HttpServer server;

    public DemoLegacyApp(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The demo app alone (its container in docker/compose.yaml): {@code DemoLegacyApp [port]}, on every address. */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        new DemoLegacyApp(Vertx.vertx()).start("0.0.0.0", port).await();
        System.out.println("demo legacy app listening on " + port);
    }

    public Future<HttpServer> start(String host, int port) {
        return vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(port, host)
                .onSuccess(s -> server = s);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(),
                (a, b) -> a + ", " + b));
        if (request.path().endsWith("/echo")) {
            request.response().putHeader("content-type", "application/json")
                    .end(new JsonObject(Map.copyOf(headers)).encodePrettily());
        } else if (request.method() == io.vertx.core.http.HttpMethod.GET) {
            request.response().putHeader("content-type", "text/html; charset=utf-8")
                    .putHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
                    .end(page(headers));
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    /**
     * The gateway's logout and change of user: links to its confirmation pages, whose button posts a
     * token only the gateway's page holds (no other page can end the session, this one included).
     */
    static final String LOGOUT = "/.hc/logout";
    static final String SWITCH = "/.hc/switch";

    private static String page(Map<String, String> headers) {
        StringBuilder rows = new StringBuilder();
        headers.forEach((name, value) -> rows.append("<tr><th scope=\"row\">").append(escape(name))
                .append("</th><td>").append(escape(value)).append("</td></tr>\n"));
        return """
                <!doctype html>
                <html lang="fr"><head><meta charset="utf-8"><title>Application de démonstration</title>
                <style>body{font-family:sans-serif;margin:2rem}th{text-align:left;padding-right:1rem}
                td{font-family:monospace;word-break:break-all}</style></head>
                <body><h1>Application de démonstration</h1>
                """ + signedIn(headers) + """
                <p>En-têtes reçus par l'application (ceux en <code>x-hc-</code> viennent de la passerelle).</p>
                <table>
                """ + rows + "</table></body></html>\n";
    }

    /** "Connecté : name (username), level" and the logout button, when the gateway sent an identity. */
    static String signedIn(Map<String, String> headers) {
        String user = headers.get("x-hc-user");
        if (user == null) {
            return "";
        }
        String name = (decoded(headers.getOrDefault("x-hc-given-name", "")) + " "
                + decoded(headers.getOrDefault("x-hc-family-name", ""))).trim();
        String level = headers.get("x-hc-loa");
        return "<p id=\"signed-in\">Connecté : <strong>" + escape(name.isEmpty() ? user : name) + "</strong> ("
                + escape(user) + ")" + (level == null ? "" : ", niveau " + escape(level)) + "</p>\n"
                + "<p><a id=\"logout\" href=\"" + LOGOUT + "\">Se déconnecter</a> · <a id=\"switch-user\" href=\""
                + SWITCH + "\">Changer d'utilisateur</a></p>\n";
    }

    /** The gateway percent-encodes names (RFC 3986); an undecodable value is shown as it came. */
    private static String decoded(String value) {
        try {
            return java.net.URLDecoder.decode(value.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }
}
