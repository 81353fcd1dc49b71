package fr.hcbroker.stack.client;

import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.pki.IgcSanteTestPki;
import fr.hcbroker.stack.pki.ServerTls;
import fr.hcbroker.stack.pki.TestCard;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** TLS as a card holder's browser does it towards Keycloak's https port: the stack's CA trusted, a card presented or not. */
public final class CardTls {

    private CardTls() {
    }

    /** Trusts the stack's TLS CA; presents {@code card} (always, when {@code forced}, as a user picking it would). */
    public static SSLContext context(Stack stack, TestCard card, boolean forced) throws Exception {
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(stack.settings().workDir().toAbsolutePath()
                .resolve("tls/keycloak-server.p12"))) {
            server.load(in, ServerTls.PASSWORD.toCharArray());
        }
        java.security.cert.Certificate[] serverChain = server.getCertificateChain("server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("tls-ca", serverChain[serverChain.length - 1]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManager[] keys = null;
        if (card != null) {
            if (forced) {
                keys = new KeyManager[]{new ForcedCard(card)};
            } else {
                KeyStore p12 = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(card.file())) {
                    p12.load(in, IgcSanteTestPki.CARD_PASSWORD.toCharArray());
                }
                var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
                kmf.init(p12, IgcSanteTestPki.CARD_PASSWORD.toCharArray());
                keys = kmf.getKeyManagers();
            }
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, tmf.getTrustManagers(), null);
        return context;
    }

    /** Presents the card whatever CA names the server asks for. */
    private static final class ForcedCard extends X509ExtendedKeyManager {
        private final TestCard card;

        ForcedCard(TestCard card) {
            this.card = card;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{"card"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "card";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "card";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return card.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return card.key();
        }
    }
}
