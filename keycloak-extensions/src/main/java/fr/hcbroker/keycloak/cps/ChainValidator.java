package fr.hcbroker.keycloak.cps;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/**
 * Proves a card certificate chains to a configured IGC-Santé root (JDK PKIX, every time) and is fit
 * for TLS client authentication under an accepted policy. Revocation is checked afterwards, by
 * {@link RevocationChecker}: nothing named in the certificate is fetched before this has passed.
 */
public final class ChainValidator {

    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int DIGITAL_SIGNATURE = 0;

    private final Set<TrustAnchor> anchors;
    private final List<X509Certificate> intermediates;
    private final Set<String> acceptedPolicies;

    public ChainValidator(CpsConfig config) {
        this.anchors = config.trustAnchors().stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
        this.intermediates = config.intermediates();
        this.acceptedPolicies = config.acceptedPolicies();
    }

    /** The validated path: the card certificate first, then its CAs up to (not including) the root. */
    public List<X509Certificate> validate(X509Certificate[] presented, Date at) throws CpsRefusedException {
        X509Certificate card = presented[0];
        checkValidity(card, at);
        List<X509Certificate> path = buildPath(card, presented, at);
        checkUsage(card);
        checkPolicy(card);
        return path;
    }

    private static void checkValidity(X509Certificate card, Date at) throws CpsRefusedException {
        try {
            card.checkValidity(at);
        } catch (CertificateExpiredException e) {
            throw new CpsRefusedException(CpsRefusal.EXPIRED, "expired on " + card.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new CpsRefusedException(CpsRefusal.NOT_YET_VALID, "valid from " + card.getNotBefore().toInstant());
        }
    }

    private List<X509Certificate> buildPath(X509Certificate card, X509Certificate[] presented, Date at)
            throws CpsRefusedException {
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(card);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            List<X509Certificate> pool = new ArrayList<>(List.of(presented));
            pool.addAll(intermediates);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
            params.setRevocationEnabled(false);
            params.setDate(at);
            PKIXCertPathBuilderResult result =
                    (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            return result.getCertPath().getCertificates().stream().map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw new CpsRefusedException(knowsIssuerName(card) ? CpsRefusal.ISSUER_SIGNATURE_MISMATCH
                    : CpsRefusal.UNTRUSTED_ISSUER, "no valid path to an IGC-Santé root: " + e.getMessage(), e);
        }
    }

    /** An issuer name we trust on a path that does not verify means a look-alike CA: say so apart. */
    private boolean knowsIssuerName(X509Certificate card) {
        var issuer = card.getIssuerX500Principal();
        return anchors.stream().anyMatch(a -> a.getTrustedCert().getSubjectX500Principal().equals(issuer))
                || intermediates.stream().anyMatch(c -> c.getSubjectX500Principal().equals(issuer));
    }

    /** Enforced whether or not the extensions are marked critical. */
    private static void checkUsage(X509Certificate card) throws CpsRefusedException {
        boolean[] keyUsage = card.getKeyUsage();
        if (keyUsage == null || !keyUsage[DIGITAL_SIGNATURE]) {
            throw new CpsRefusedException(CpsRefusal.WRONG_KEY_USAGE, "key usage lacks digitalSignature");
        }
        try {
            List<String> eku = card.getExtendedKeyUsage();
            if (eku == null || !eku.contains(CLIENT_AUTH)) {
                throw new CpsRefusedException(CpsRefusal.WRONG_KEY_USAGE, "extended key usage lacks clientAuth");
            }
        } catch (CertificateParsingException e) {
            throw new CpsRefusedException(CpsRefusal.WRONG_KEY_USAGE, "unreadable extended key usage", e);
        }
    }

    private void checkPolicy(X509Certificate card) throws CpsRefusedException {
        if (acceptedPolicies.isEmpty()) {
            return;
        }
        try {
            CertificatePolicies policies = CertificatePolicies.fromExtensions(
                    new JcaX509CertificateHolder(card).getExtensions());
            if (policies != null) {
                for (PolicyInformation info : policies.getPolicyInformation()) {
                    if (acceptedPolicies.contains(info.getPolicyIdentifier().getId())) {
                        return;
                    }
                }
            }
        } catch (java.security.cert.CertificateEncodingException | IllegalArgumentException e) {
            throw new CpsRefusedException(CpsRefusal.POLICY_NOT_ACCEPTED, "unreadable certificate policies", e);
        }
        throw new CpsRefusedException(CpsRefusal.POLICY_NOT_ACCEPTED,
                "none of the card's policies is accepted (extension " + Extension.certificatePolicies + ")");
    }
}
