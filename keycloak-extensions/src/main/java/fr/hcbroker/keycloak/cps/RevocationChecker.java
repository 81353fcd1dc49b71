package fr.hcbroker.keycloak.cps;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Revocation of a card whose chain is already proven: OCSP first (Bouncy Castle; nonce, responder
 * signature and authorization, thisUpdate/nextUpdate freshness; good answers cached until
 * nextUpdate), then the CA's CRL (signature, freshness; cached until nextUpdate) when the responder
 * cannot be reached. An OCSP answer that is wrong (bad nonce, bad signature, stale) is an attack
 * signal and refuses the card at once; only an unreachable responder falls back to the CRL.
 */
public final class RevocationChecker {

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Map<String, Instant> goodAnswers = new ConcurrentHashMap<>();
    private final Map<URI, VerifiedCrl> crls = new ConcurrentHashMap<>();
    private final HttpClient http;

    public RevocationChecker(Clock clock) {
        this.clock = clock;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Whether the last check for this card was answered from the cache (for tests and metrics). */
    public boolean cached(X509Certificate card) {
        Instant until = goodAnswers.get(key(card));
        return until != null && clock.instant().isBefore(until);
    }

    public void check(X509Certificate card, X509Certificate issuer, CpsConfig config) throws CpsRefusedException {
        if (cached(card)) {
            return;
        }
        Optional<URI> ocsp = config.ocspUrl().or(() -> aiaOcsp(card));
        String ocspProblem = "no OCSP responder";
        if (ocsp.isPresent()) {
            try {
                ocspCheck(card, issuer, ocsp.get(), config);
                return;
            } catch (IOException e) {
                ocspProblem = "OCSP responder unreachable: " + e.getMessage();
            }
        }
        List<URI> crlUrls = config.crlUrls().isEmpty() ? crlDistributionPoints(card) : config.crlUrls();
        for (URI url : crlUrls) {
            Optional<X509CRL> crl = crl(url, issuer, config);
            if (crl.isPresent()) {
                X509CRL list = crl.get();
                if (list.isRevoked(card)) {
                    throw new CpsRefusedException(CpsRefusal.REVOKED, "listed in CRL " + url);
                }
                return;
            }
        }
        if (!config.revocationFailOpen()) {
            throw new CpsRefusedException(CpsRefusal.REVOCATION_UNAVAILABLE, ocspProblem + "; no usable CRL");
        }
    }

    private void ocspCheck(X509Certificate card, X509Certificate issuer, URI url, CpsConfig config)
            throws IOException, CpsRefusedException {
        try {
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
            CertificateID id = new CertificateID(digests.get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), card.getSerialNumber());
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            // RFC 8954: the nonce extension's value is a DER OCTET STRING; the answer must echo it byte for byte.
            byte[] nonce = new DEROctetString(random).getEncoded();
            OCSPReq request = new OCSPReqBuilder().addRequest(id)
                    .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                            false, new DEROctetString(nonce))))
                    .build();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(config.timeout())
                    .header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            OCSPResp resp = parse(response.body());
            // Error statuses (tryLater, internalError...) are unsigned: no more proof than a dropped
            // connection, so they count as unreachable and the signed CRL decides.
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new IOException("OCSP status " + resp.getStatus());
            }
            if (!(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
                throw invalid("OCSP answer successful but without a basic response");
            }
            checkNonce(basic, nonce);
            checkSigner(basic, issuer);
            SingleResp single = matching(basic, id);
            Instant validUntil = checkFreshness(single, config);
            CertificateStatus status = single.getCertStatus();
            if (status instanceof RevokedStatus revoked) {
                throw new CpsRefusedException(CpsRefusal.REVOKED,
                        "OCSP: revoked on " + revoked.getRevocationTime().toInstant());
            }
            if (status != CertificateStatus.GOOD) {
                throw new CpsRefusedException(CpsRefusal.REVOKED, "OCSP: status unknown to the responder");
            }
            goodAnswers.put(key(card), validUntil);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (OCSPException | OperatorCreationException | GeneralSecurityException | ClassCastException
                 | IllegalArgumentException e) {
            throw invalid("malformed OCSP answer: " + e.getMessage());
        }
    }

    /** A 200 answer that is not an OCSP response is a wrong answer, not an unreachable responder. */
    private static OCSPResp parse(byte[] body) throws CpsRefusedException {
        try {
            return new OCSPResp(body);
        } catch (IOException e) {
            throw invalid("HTTP 200 answer is not an OCSP response: " + e.getMessage());
        }
    }

    /** A missing or different nonce means an answer made for someone else, or replayed. */
    private static void checkNonce(BasicOCSPResp basic, byte[] nonce) throws CpsRefusedException {
        Extension ext = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (ext == null || !Arrays.equals(ext.getExtnValue().getOctets(), nonce)) {
            throw invalid("OCSP nonce missing or not ours (replayed answer)");
        }
    }

    /** Signed by the card's CA itself, or by a responder that CA certified for OCSP signing (RFC 6960 §4.2.2.2). */
    private void checkSigner(BasicOCSPResp basic, X509Certificate issuer)
            throws CpsRefusedException, OperatorCreationException, OCSPException, GeneralSecurityException {
        var verifiers = new JcaContentVerifierProviderBuilder();
        if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
            return;
        }
        for (X509CertificateHolder holder : basic.getCerts()) {
            X509Certificate responder = new JcaX509CertificateConverter().getCertificate(holder);
            if (!responder.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                continue;
            }
            try {
                responder.verify(issuer.getPublicKey());
                responder.checkValidity(Date.from(clock.instant()));
            } catch (GeneralSecurityException e) {
                continue;
            }
            List<String> eku = responder.getExtendedKeyUsage();
            if (eku != null && eku.contains(KeyPurposeId.id_kp_OCSPSigning.getId())
                    && basic.isSignatureValid(verifiers.build(responder.getPublicKey()))) {
                return;
            }
        }
        throw invalid("OCSP answer not signed by the card's CA or a responder it authorized");
    }

    private static SingleResp matching(BasicOCSPResp basic, CertificateID id) throws CpsRefusedException {
        for (SingleResp single : basic.getResponses()) {
            if (single.getCertID().equals(id)) {
                return single;
            }
        }
        throw invalid("OCSP answer is about another certificate");
    }

    /** The instant until which the answer may be reused. */
    private Instant checkFreshness(SingleResp single, CpsConfig config) throws CpsRefusedException {
        Instant now = clock.instant();
        Instant thisUpdate = single.getThisUpdate().toInstant();
        if (thisUpdate.isAfter(now.plus(CLOCK_SKEW))) {
            throw invalid("OCSP thisUpdate is in the future");
        }
        Instant nextUpdate = single.getNextUpdate() == null
                ? thisUpdate.plus(config.maxAgeWithoutNextUpdate()) : single.getNextUpdate().toInstant();
        if (now.isAfter(nextUpdate.plus(CLOCK_SKEW))) {
            throw invalid("OCSP answer is stale (nextUpdate " + nextUpdate + ")");
        }
        return nextUpdate;
    }

    /** A CRL from the cache or the network, signed by the card's CA and current; empty if none can be had. */
    private Optional<X509CRL> crl(URI url, X509Certificate issuer, CpsConfig config) throws CpsRefusedException {
        VerifiedCrl cached = crls.get(url);
        // The cache is per URL, and each URL is one CA's list: it answers only for the key that signed it.
        // Another CA's card goes on to the next URL; a same-named CA with a new key fetches the list again.
        if (cached != null && current(cached.crl(), config)) {
            if (cached.signedBy(issuer)) {
                return Optional.of(cached.crl());
            }
            if (!cached.crl().getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return Optional.empty();
            }
        }
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(config.timeout()).GET()
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
                    .generateCRL(new java.io.ByteArrayInputStream(response.body()));
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return Optional.empty();
            }
            crl.verify(issuer.getPublicKey());
            if (!current(crl, config)) {
                throw invalid("CRL " + url + " is stale");
            }
            crls.put(url, new VerifiedCrl(crl, issuer.getPublicKey()));
            return Optional.of(crl);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw invalid("CRL " + url + " does not verify: " + e.getMessage());
        }
    }

    private boolean current(X509CRL crl, CpsConfig config) {
        Instant now = clock.instant();
        Instant next = crl.getNextUpdate() == null
                ? crl.getThisUpdate().toInstant().plus(config.maxAgeWithoutNextUpdate())
                : crl.getNextUpdate().toInstant();
        return !now.isAfter(next.plus(CLOCK_SKEW));
    }

    private static Optional<URI> aiaOcsp(X509Certificate card) {
        byte[] value = card.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return Optional.empty();
        }
        AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets());
        for (AccessDescription d : aia.getAccessDescriptions()) {
            if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)) {
                Optional<URI> uri = httpUri(d.getAccessLocation());
                if (uri.isPresent()) {
                    return uri;
                }
            }
        }
        return Optional.empty();
    }

    private static List<URI> crlDistributionPoints(X509Certificate card) {
        byte[] value = card.getExtensionValue(Extension.cRLDistributionPoints.getId());
        List<URI> urls = new ArrayList<>();
        if (value == null) {
            return urls;
        }
        CRLDistPoint points = CRLDistPoint.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets());
        for (DistributionPoint point : points.getDistributionPoints()) {
            DistributionPointName name = point.getDistributionPoint();
            if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                for (GeneralName g : GeneralNames.getInstance(name.getName()).getNames()) {
                    httpUri(g).ifPresent(urls::add);
                }
            }
        }
        return urls;
    }

    /** Only plain http(s) URIs; LDAP and file URLs named in a certificate are never followed. */
    private static Optional<URI> httpUri(GeneralName name) {
        if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(name.getName().toString());
            String scheme = uri.getScheme();
            return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)
                    ? Optional.of(uri) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String key(X509Certificate card) {
        return card.getIssuerX500Principal().getName() + "#" + card.getSerialNumber().toString(16);
    }

    /** A CRL and the CA key its signature was verified with. */
    private record VerifiedCrl(X509CRL crl, PublicKey signer) {
        /** Compared encoded, as the two keys may come from different security providers. */
        boolean signedBy(X509Certificate issuer) {
            return Arrays.equals(signer.getEncoded(), issuer.getPublicKey().getEncoded());
        }
    }

    private static CpsRefusedException invalid(String detail) {
        return new CpsRefusedException(CpsRefusal.REVOCATION_RESPONSE_INVALID, detail);
    }

}
