package fr.hcbroker.keycloak.cps;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.keycloak.http.HttpRequest;
import org.keycloak.services.x509.X509ClientCertificateLookup;

/**
 * Where a CPS card's certificate comes from: the TLS connection itself, or the header of the
 * card-terminating proxy. The header is believed only on a connection whose own TLS client
 * certificate is one of the configured proxy certificates: the proxy proves itself with its key at
 * every connection, so a header sent by anyone else, on any port, is ignored. Keycloak's own
 * header lookups trust a network address (or everyone) instead.
 */
final class CardCertificateLookup implements X509ClientCertificateLookup {

    private static final Logger LOG = Logger.getLogger(CardCertificateLookup.class);

    private final Set<X509Certificate> proxies;
    private final String header;

    CardCertificateLookup(Set<X509Certificate> proxies, String header) {
        this.proxies = proxies;
        this.header = header;
    }

    @Override
    public X509Certificate[] getCertificateChain(HttpRequest request) throws GeneralSecurityException {
        X509Certificate[] direct = request.getClientCertificateChain();
        List<String> forwarded = request.getHttpHeaders().getRequestHeader(header);
        boolean fromProxy = direct != null && direct.length > 0 && proxies.contains(direct[0]);
        if (!fromProxy) {
            if (forwarded != null && !forwarded.isEmpty()) {
                LOG.warnf("%s header ignored: the connection is not the card proxy's", header);
            }
            return direct;
        }
        // The proxy's own certificate is never a card: no header means no card was presented.
        if (forwarded == null || forwarded.isEmpty() || forwarded.get(0).isBlank()) {
            return null;
        }
        if (forwarded.size() > 1) {
            throw new GeneralSecurityException(header + " header sent more than once");
        }
        return new X509Certificate[]{decode(forwarded.get(0))};
    }

    /** nginx's {@code $ssl_client_escaped_cert}: the PEM certificate, URL-encoded. */
    private static X509Certificate decode(String value) throws GeneralSecurityException {
        String pem;
        try {
            pem = URLDecoder.decode(value, StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("card certificate header is not URL-encoded PEM");
        }
        var certificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (!(certificate instanceof X509Certificate x509)) {
            throw new GeneralSecurityException("card certificate header holds no X.509 certificate");
        }
        return x509;
    }

    @Override
    public void close() {
    }
}
