package fr.hcbroker.keycloak.psc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.conn.ClientConnectionManager;
import org.apache.http.entity.BufferedHttpEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.params.HttpParams;
import org.apache.http.protocol.HttpContext;
import org.apache.http.util.EntityUtils;
import org.jboss.logging.Logger;
import org.keycloak.connections.httpclient.HttpClientBuilder;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.truststore.TruststoreProvider;
import org.keycloak.vault.VaultCharSecret;

/**
 * The HTTP client for PSC's token and userinfo endpoints. With {@code tls_client_auth} it presents
 * the establishment's certificate (Keycloak's shared client cannot hold one per provider), built
 * with Keycloak's own {@link HttpClientBuilder} and the realm-wide trust store, and kept until the
 * file or its password reference changes. In every mode, PSC refusing the establishment (a TLS
 * handshake that fails, or a token endpoint answering {@code invalid_client} / 401) becomes
 * {@link PscRefusal#CLIENT_REFUSED}, so the person sees a page instead of Keycloak's generic error.
 */
final class PscTokenClient {

    private static final Logger LOG = Logger.getLogger(PscTokenClient.class);

    private record Source(Path file, FileTime modified, long size, String passwordReference) {
    }

    private record Built(Source source, CloseableHttpClient client) {
    }

    private final Map<String, Built> clients = new ConcurrentHashMap<>();

    /** The client for the token request: PSC refusing the establishment becomes a page. */
    CloseableHttpClient forToken(KeycloakSession session, String alias, PscSettings settings) {
        return new Refusals(client(session, alias, settings));
    }

    /** The client for userinfo and other calls that must present the same certificate as the token request. */
    CloseableHttpClient client(KeycloakSession session, String alias, PscSettings settings) {
        if (settings.clientAuthentication() != PscClientAuthentication.TLS_CLIENT_AUTH) {
            return session.getProvider(HttpClientProvider.class).getHttpClient();
        }
        Source source = source(settings);
        Built built = clients.compute(alias, (key, old) -> {
            if (old != null && old.source.equals(source)) {
                return old;
            }
            CloseableHttpClient client = build(session, settings);
            if (old != null) {
                try {
                    old.client.close();
                } catch (IOException e) {
                    LOG.debugf("closing the former PSC client of %s: %s", alias, e.getMessage());
                }
            }
            return new Built(source, client);
        });
        return built.client;
    }

    private static Source source(PscSettings settings) {
        Path file = settings.clientCertificate();
        try {
            return new Source(file, Files.getLastModifiedTime(file), Files.size(file), settings.clientCertificatePassword());
        } catch (IOException e) {
            throw new PscRefusedException(PscRefusal.CLIENT_CERTIFICATE, "cannot read the client certificate file " + file, e);
        }
    }

    private static CloseableHttpClient build(KeycloakSession session, PscSettings settings) {
        char[] password = password(session, settings.clientCertificatePassword());
        PscClientCertificate certificate;
        try {
            certificate = PscClientCertificate.load(settings.clientCertificate(), password);
        } catch (IllegalArgumentException e) {
            throw new PscRefusedException(PscRefusal.CLIENT_CERTIFICATE, e.getMessage(), e);
        }
        LOG.infof("Pro Santé Connect: tls_client_auth with %s", certificate.subject());
        TruststoreProvider truststore = session.getProvider(TruststoreProvider.class);
        KeyStore trusted = truststore == null ? null : truststore.getTruststore();
        HttpClientBuilder builder = new HttpClientBuilder()
                .keyStore(certificate.keyStore(), certificate.password())
                .establishConnectionTimeout(5, TimeUnit.SECONDS)
                .socketTimeout(10, TimeUnit.SECONDS)
                .disableCookies(true);
        if (trusted != null) {
            builder.trustStore(trusted);
        }
        return builder.build();
    }

    /** The password named by a vault reference; none for an unencrypted PEM key. A reference the vault lacks refuses. */
    private static char[] password(KeycloakSession session, String reference) {
        if (reference == null || reference.isEmpty()) {
            return new char[0];
        }
        try (VaultCharSecret secret = session.vault().getCharSecret(reference)) {
            return secret.getAsArray().map(char[]::clone).orElseThrow(() -> new PscRefusedException(
                    PscRefusal.CLIENT_CERTIFICATE, "the vault has no entry for " + reference));
        }
    }

    /**
     * Turns PSC's refusals of the establishment into {@link PscRefusal#CLIENT_REFUSED}. An unchecked
     * exception thrown from the request reaches Keycloak's broker endpoint, which shows its message code.
     */
    static final class Refusals extends CloseableHttpClient {

        private final CloseableHttpClient delegate;

        Refusals(CloseableHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
                throws IOException, ClientProtocolException {
            CloseableHttpResponse response;
            try {
                response = delegate.execute(target, request, context);
            } catch (SSLException e) {
                throw new PscRefusedException(PscRefusal.CLIENT_REFUSED, "TLS with " + target.toHostString()
                        + " failed: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new PscRefusedException(PscRefusal.UNAVAILABLE, target.toHostString() + " unreachable: " + e.getMessage(), e);
            }
            int status = response.getStatusLine().getStatusCode();
            if ((status == 400 || status == 401) && response.getEntity() != null) {
                BufferedHttpEntity body = new BufferedHttpEntity(response.getEntity());
                response.setEntity(body);
                String text = EntityUtils.toString(body, StandardCharsets.UTF_8);
                if (status == 401 || text.contains("\"invalid_client\"") || text.contains("\"unauthorized_client\"")) {
                    response.close();
                    throw new PscRefusedException(PscRefusal.CLIENT_REFUSED, target.toHostString() + " answered HTTP "
                            + status + " to the establishment's client authentication");
                }
            }
            return response;
        }

        @Override
        public void close() {
            // The delegate is shared (Keycloak's) or cached by PscTokenClient: closed there.
        }

        @Override
        @SuppressWarnings("deprecation")
        public HttpParams getParams() {
            return delegate.getParams();
        }

        @Override
        @SuppressWarnings("deprecation")
        public ClientConnectionManager getConnectionManager() {
            return delegate.getConnectionManager();
        }
    }
}
