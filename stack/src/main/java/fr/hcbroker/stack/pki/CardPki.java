package fr.hcbroker.stack.pki;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * What the stack runs for CPS cards: the test IGC-Santé PKI (cards written to {@code cards/} under
 * {@code dir}, password {@link IgcSanteTestPki#CARD_PASSWORD}) and its OCSP/CRL server, plus the
 * settings handed to Keycloak (realm placeholders) and to its client-certificate trust store.
 */
public final class CardPki implements AutoCloseable {

    private final RevocationServer server;
    private final IgcSanteTestPki pki;

    private CardPki(RevocationServer server, IgcSanteTestPki pki) {
        this.server = server;
        this.pki = pki;
    }

    public static CardPki start(Path dir) {
        RevocationServer server = RevocationServer.start(0);
        IgcSanteTestPki pki = IgcSanteTestPki.generate(dir, server.ocspUrl(), server.crlBaseUrl());
        server.serve(pki);
        return new CardPki(server, pki);
    }

    /** Anchors for Keycloak's TLS trust store, so the card's chain passes the handshake. */
    public List<X509Certificate> clientAnchors() {
        return List.of(pki.root());
    }

    /** Values of the {@code ${HC_CPS_...}} placeholders of the realm's cps-card configuration. */
    public Map<String, String> environment() {
        return Map.of(
                "HC_CPS_TRUST_ANCHORS", pki.rootsPem().toString(),
                "HC_CPS_INTERMEDIATES", pki.issuersPem().toString(),
                "HC_CPS_POLICIES", IgcSanteTestPki.CARD_POLICY,
                "HC_CPS_OCSP_URL", server.ocspUrl(),
                "HC_CPS_CRL_URLS", String.join(",", java.util.Arrays.stream(IgcSanteTestPki.Issuer.values())
                        .map(i -> server.crlBaseUrl() + i.crlFile()).toList()));
    }

    public IgcSanteTestPki pki() {
        return pki;
    }

    public RevocationServer revocation() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
