package fr.hcbroker.stack.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A test CPS "card": its authentication key and certificate chain, and the PKCS#12 file a person
 * imports in a browser (password {@link IgcSanteTestPki#CARD_PASSWORD}).
 *
 * @param name  file name without extension (a demo username, or what is wrong with the card)
 * @param key   the card's private key
 * @param chain the card certificate, then its issuing CA
 * @param file  the PKCS#12 file
 */
public record TestCard(String name, PrivateKey key, List<X509Certificate> chain, Path file) {

    public TestCard {
        chain = List.copyOf(chain);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }
}
