package fr.hcbroker.keycloak.cps;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.x509.X509ClientCertificateLookup;
import org.keycloak.services.x509.X509ClientCertificateLookupFactory;

/**
 * Client-certificate lookup {@code hc-card} (build option
 * {@code --spi-x509cert-lookup--provider=hc-card}): direct TLS as Keycloak's default does, plus the
 * certificate forwarded by a TLS-terminating proxy that authenticates to Keycloak's https port with
 * its own certificate ({@code --spi-x509cert-lookup--hc-card--proxy-certificates=/path/proxy.pem}).
 * With no proxy configured it is exactly the direct lookup.
 */
public class CardCertificateLookupFactory implements X509ClientCertificateLookupFactory {

    public static final String PROVIDER_ID = "hc-card";
    static final String DEFAULT_HEADER = "X-HC-Card-Certificate";

    private CardCertificateLookup lookup;

    @Override
    public X509ClientCertificateLookup create(KeycloakSession session) {
        return lookup;
    }

    @Override
    public void init(Config.Scope config) {
        String file = config.get("proxy-certificates");
        Set<X509Certificate> proxies = file == null || file.isBlank() ? Set.of() : readCertificates(Path.of(file));
        lookup = new CardCertificateLookup(proxies, config.get("header", DEFAULT_HEADER));
    }

    /** A configured file that cannot be read stops Keycloak: a silently ignored proxy would lock every card out. */
    private static Set<X509Certificate> readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Set<X509Certificate> certificates = new HashSet<>();
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalStateException("hc-card: no certificate in " + file);
            }
            return Set.copyOf(certificates);
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("hc-card: cannot read the proxy certificates " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("proxy-certificates").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("PEM file of the TLS client certificate(s) the card proxy presents to Keycloak's https port;"
                        + " only connections made with one of them may forward a card. Empty: direct TLS only.").add()
                .property().name("header").type(ProviderConfigProperty.STRING_TYPE).defaultValue(DEFAULT_HEADER)
                .helpText("Header in which the proxy forwards the card certificate (URL-encoded PEM, nginx's"
                        + " $ssl_client_escaped_cert).").add()
                .build();
    }
}
