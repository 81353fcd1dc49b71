package fr.hcbroker.stack.client;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * An HTTP client that behaves like a browser for login tests: keeps cookies, follows redirects
 * itself (so a test can stop at a callback URL and read the code), and fills and submits forms.
 */
public final class Browser {

    /** A page as the browser ended on it. */
    public record Page(int status, URI uri, String body) {
        public Document document() {
            return Jsoup.parse(body, uri.toString());
        }

        /** The form with the given id, or the first form of the page. */
        public Element form(String id) {
            Element form = id == null ? document().selectFirst("form") : document().getElementById(id);
            if (form == null) {
                throw new AssertionError("no form " + (id == null ? "" : "#" + id) + " at " + uri + ":\n" + body);
            }
            return form;
        }
    }

    /** What a browser navigating to a page accepts (some servers answer 401 instead of a login redirect otherwise). */
    private static final String ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8";

    private final HttpClient http;
    private final CookieManager cookies;

    public Browser() {
        this(null);
    }

    public Browser(SSLContext tls) {
        this(tls, new CookieManager(null, CookiePolicy.ACCEPT_ALL));
    }

    private Browser(SSLContext tls, CookieManager cookies) {
        this.cookies = cookies;
        HttpClient.Builder builder = HttpClient.newBuilder()
                // As browsers: HTTP/1.1 to an http:// origin. Java's default offers an h2c upgrade with
                // every such request, which no browser does (and which the gateway's fast lane leaves
                // to Vert.x's path, so tests would not see the path browsers take).
                .version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new LoopbackAsSecure(cookies))
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        http = builder.build();
    }

    /** The same browser (same cookies) with other TLS settings, e.g. once a card is inserted in the reader. */
    public Browser withTls(SSLContext tls) {
        return new Browser(tls, cookies);
    }

    /** The Cookie header this browser would send to {@code url} (for load tools that replay a session). */
    public String cookieHeader(String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        // The store matches by host only (ports aside): keep the cookies a browser would send to this
        // path, or Keycloak's own cookies (same host, path /realms/...) ride along with every request.
        return cookies.getCookieStore().get(LoopbackAsSecure.asSecure(uri)).stream()
                .filter(c -> c.getPath() == null || path.startsWith(c.getPath()))
                .map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
    }

    /** GET, following redirects until {@code stop} matches a location (that location is returned, not fetched). */
    public Page get(String url, Predicate<URI> stop) {
        return follow(HttpRequest.newBuilder(URI.create(url)).header("accept", ACCEPT).GET().build(), stop);
    }

    public Page get(String url) {
        return get(url, u -> false);
    }

    /** Fills {@code fields} into the form and submits it as the browser would. */
    public Page submit(Page page, Element form, Map<String, String> fields, Predicate<URI> stop) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Element input : form.select("input[name]")) {
            String type = input.attr("type");
            if (type.equals("submit") || (type.equals("checkbox") && !input.hasAttr("checked"))) {
                continue;
            }
            values.put(input.attr("name"), input.val());
        }
        values.putAll(fields);
        String body = values.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        URI action = page.uri().resolve(form.attr("action").isEmpty() ? page.uri().toString() : form.attr("action"));
        return follow(HttpRequest.newBuilder(action)
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), stop);
    }

    public Page submit(Page page, Map<String, String> fields, Predicate<URI> stop) {
        return submit(page, page.form(null), fields, stop);
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Page follow(HttpRequest request, Predicate<URI> stop) {
        HttpResponse<String> response = send(request);
        for (int hops = 0; hops < 20; hops++) {
            int status = response.statusCode();
            if (status < 300 || status >= 400 || response.headers().firstValue("location").isEmpty()) {
                return new Page(status, response.uri(), response.body());
            }
            URI next = response.uri().resolve(response.headers().firstValue("location").get());
            if (stop.test(next)) {
                return new Page(status, next, response.body());
            }
            response = send(HttpRequest.newBuilder(next).header("accept", ACCEPT).GET().build());
        }
        throw new AssertionError("too many redirects from " + request.uri());
    }

    /**
     * Browsers treat http://localhost as a secure context and send it {@code Secure} cookies (Keycloak
     * sets them); the JDK does not, so loopback URIs are presented to the cookie store as https.
     */
    private static final class LoopbackAsSecure extends CookieHandler {
        private final CookieManager store;

        LoopbackAsSecure(CookieManager store) {
            this.store = store;
        }

        private static URI asSecure(URI uri) {
            boolean loopback = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost());
            if (!loopback || !"http".equals(uri.getScheme())) {
                return uri;
            }
            try {
                return new URI("https", uri.getUserInfo(), uri.getHost(), uri.getPort(), uri.getPath(), null, null);
            } catch (java.net.URISyntaxException e) {
                return uri;
            }
        }

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) throws IOException {
            return store.get(asSecure(uri), headers);
        }

        @Override
        public void put(URI uri, Map<String, List<String>> headers) throws IOException {
            store.put(asSecure(uri), headers);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
