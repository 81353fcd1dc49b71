package fr.hcbroker.stack.pki;

import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * A test PKI shaped like IGC-Santé (DESIGN.md §4): a root {@code AC RACINE IGC-SANTE FORT}, the
 * issuing CAs {@code AC IGC-SANTE FORT PERSONNES} and {@code AC IGC-SANTE ELEMENTAIRE PERSONNES},
 * a delegated OCSP responder, and test cards — good ones for each demo professional and one bad
 * card per refusal the {@code cps-card} authenticator must make. Test data only.
 */
public final class IgcSanteTestPki {

    public static final String CARD_PASSWORD = "cps-demo";
    /** Card policy OID of the test PKI (the real card policy OIDs are configuration: DESIGN.md §4). */
    public static final String CARD_POLICY = "1.2.250.1.213.1.7.1.1";
    public static final String OTHER_POLICY = "1.2.250.1.213.1.7.9.9";

    /** The issuing CAs: the test PKI's intermediates, with their CRL file names. */
    public enum Issuer {
        FORT("AC IGC-SANTE FORT PERSONNES", "ACI-FO-PP.crl"),
        ELEMENTAIRE("AC IGC-SANTE ELEMENTAIRE PERSONNES", "ACI-EL-PP.crl");

        final String commonName;
        final String crlFile;

        Issuer(String commonName, String crlFile) {
            this.commonName = commonName;
            this.crlFile = crlFile;
        }

        public String crlFile() {
            return crlFile;
        }
    }

    /** A CA: its certificate and key. */
    record Ca(X509Certificate certificate, KeyPair keys) {
        X500Name name() {
            return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        }
    }

    private final Ca root;
    private final Map<Issuer, Ca> issuers = new LinkedHashMap<>();
    private final Ca ocspResponder;
    private final Ca rogueResponder;
    private final Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    private final Map<String, TestCard> cards = new LinkedHashMap<>();
    private final String ocspUrl;
    private final String crlBaseUrl;
    private final Path dir;

    private IgcSanteTestPki(Path dir, String ocspUrl, String crlBaseUrl) {
        this.dir = dir;
        this.ocspUrl = ocspUrl;
        this.crlBaseUrl = crlBaseUrl;
        KeyPair rootKeys = Certificates.newEcKeyPair();
        root = new Ca(Certificates.selfSignedCa(caName("AC RACINE IGC-SANTE FORT"), rootKeys, Duration.ofDays(3650)),
                rootKeys);
        for (Issuer issuer : Issuer.values()) {
            issuers.put(issuer, subCa(root, caName(issuer.commonName)));
        }
        ocspResponder = responder(issuers.get(Issuer.FORT));
        KeyPair rogueKeys = Certificates.newEcKeyPair();
        rogueResponder = new Ca(Certificates.selfSignedCa(new X500Name("CN=Rogue OCSP responder, C=FR"), rogueKeys,
                Duration.ofDays(30)), rogueKeys);
    }

    /**
     * Generates the hierarchy and every test card, and writes the cards ({@code cards/*.p12}) and
     * the PEM files an admin would configure ({@code igc-sante-roots.pem}, {@code igc-sante-issuers.pem}).
     */
    public static IgcSanteTestPki generate(Path dir, String ocspUrl, String crlBaseUrl) {
        IgcSanteTestPki pki = new IgcSanteTestPki(dir, ocspUrl, crlBaseUrl);
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date until = Date.from(now.plus(Duration.ofDays(3 * 365)));
        for (DemoProfessional p : DemoProfessional.ALL) {
            pki.card(p.username(), pki.issuer(Issuer.FORT), subject(p.idNat(), p.familyName(), p.givenName(),
                    p.professionLabel()), from, until, true, CARD_POLICY);
        }
        DemoProfessional first = DemoProfessional.ALL.get(0);
        X500Name firstSubject = subject(first.idNat(), first.familyName(), first.givenName(), first.professionLabel());
        pki.card("adeli-no-account", pki.issuer(Issuer.ELEMENTAIRE),
                subject("0" + "751234567", "Durand", "Éloïse", "Infirmier"), from, until, true, CARD_POLICY);
        pki.card("rpps-no-account", pki.issuer(Issuer.FORT),
                subject("8" + IdNat.withLuhnDigit("9970000099"), "Inconnu", "Zoé", "Médecin"), from, until, true,
                CARD_POLICY);
        TestCard revokedCard = pki.card("revoked", pki.issuer(Issuer.FORT), firstSubject, from, until, true,
                CARD_POLICY);
        pki.revoked.add(revokedCard.certificate().getSerialNumber());
        TestCard revokedElementaire = pki.card("revoked-elementaire", pki.issuer(Issuer.ELEMENTAIRE), firstSubject,
                from, until, true, CARD_POLICY);
        pki.revoked.add(revokedElementaire.certificate().getSerialNumber());
        pki.card("expired", pki.issuer(Issuer.FORT), firstSubject, Date.from(now.minus(Duration.ofDays(400))),
                Date.from(now.minus(Duration.ofDays(35))), true, CARD_POLICY);
        pki.card("not-yet-valid", pki.issuer(Issuer.FORT), firstSubject, Date.from(now.plus(Duration.ofDays(10))),
                until, true, CARD_POLICY);
        pki.card("no-client-auth", pki.issuer(Issuer.FORT), firstSubject, from, until, false, CARD_POLICY);
        pki.card("wrong-policy", pki.issuer(Issuer.FORT), firstSubject, from, until, true, OTHER_POLICY);
        KeyPair foreignKeys = Certificates.newEcKeyPair();
        Ca foreign = new Ca(Certificates.selfSignedCa(new X500Name("CN=Foreign Card CA, O=Elsewhere, C=DE"),
                foreignKeys, Duration.ofDays(365)), foreignKeys);
        pki.card("foreign-ca", foreign, firstSubject, from, until, true, CARD_POLICY);
        Ca lookAlike = subCa(foreign, caName(Issuer.FORT.commonName));
        pki.card("wrong-key", lookAlike, firstSubject, from, until, true, CARD_POLICY);
        pki.writeAnchors();
        return pki;
    }

    public Ca issuer(Issuer issuer) {
        return issuers.get(issuer);
    }

    public X509Certificate root() {
        return root.certificate();
    }

    public List<X509Certificate> intermediates() {
        return issuers.values().stream().map(Ca::certificate).toList();
    }

    public TestCard card(String name) {
        TestCard card = cards.get(name);
        if (card == null) {
            throw new IllegalArgumentException("no test card " + name);
        }
        return card;
    }

    public Map<String, TestCard> cards() {
        return Map.copyOf(cards);
    }

    public Path cardsDir() {
        return dir.resolve("cards");
    }

    public Path rootsPem() {
        return dir.resolve("igc-sante-roots.pem");
    }

    public Path issuersPem() {
        return dir.resolve("igc-sante-issuers.pem");
    }

    boolean isRevoked(BigInteger serial) {
        return revoked.contains(serial);
    }

    Set<BigInteger> revokedSerials() {
        return Set.copyOf(revoked);
    }

    Ca ocspResponder() {
        return ocspResponder;
    }

    Ca rogueResponder() {
        return rogueResponder;
    }

    Map<Issuer, Ca> issuers() {
        return issuers;
    }

    /** Card subject as on a real CPS: {@code CN=idNat+SN=..+GN=.., T=profession, C=FR}. */
    static X500Name subject(String idNat, String familyName, String givenName, String profession) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addMultiValuedRDN(new AttributeTypeAndValue[]{
                        new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String(idNat)),
                        new AttributeTypeAndValue(BCStyle.SURNAME, new DERUTF8String(familyName.toUpperCase())),
                        new AttributeTypeAndValue(BCStyle.GIVENNAME, new DERUTF8String(givenName.toUpperCase()))})
                .addRDN(BCStyle.T, profession)
                .addRDN(BCStyle.C, "FR")
                .build();
    }

    private static X500Name caName(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "FR").addRDN(BCStyle.O, "ASIP-SANTE")
                .addRDN(BCStyle.OU, "0002 187512751").addRDN(BCStyle.OU, "IGC-SANTE TEST hc-broker")
                .addRDN(BCStyle.CN, commonName).build();
    }

    private static Ca subCa(Ca parent, X500Name name) {
        KeyPair keys = Certificates.newEcKeyPair();
        try {
            X509v3CertificateBuilder builder = Certificates.builder(parent.name(), name, keys, Duration.ofDays(1825))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Ca(Certificates.sign(builder, parent.keys().getPrivate()), keys);
        } catch (CertIOException e) {
            throw new IllegalStateException("cannot build CA " + name, e);
        }
    }

    private static Ca responder(Ca issuer) {
        KeyPair keys = Certificates.newEcKeyPair();
        try {
            X509v3CertificateBuilder builder = Certificates.builder(issuer.name(),
                            new X500Name("CN=OCSP " + X500Name.getInstance(issuer.certificate()
                                    .getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN)[0].getFirst()
                                    .getValue() + ", C=FR"), keys, Duration.ofDays(365))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            return new Ca(Certificates.sign(builder, issuer.keys().getPrivate()), keys);
        } catch (CertIOException e) {
            throw new IllegalStateException("cannot build the OCSP responder certificate", e);
        }
    }

    private TestCard card(String name, Ca issuer, X500Name subject, Date notBefore, Date notAfter,
                          boolean clientAuth, String policy) {
        KeyPair keys = Certificates.newEcKeyPair();
        String crlFile = issuers.entrySet().stream().filter(e -> e.getValue() == issuer)
                .map(e -> e.getKey().crlFile()).findFirst().orElse(Issuer.FORT.crlFile());
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.name(), Certificates.newSerial(),
                    notBefore, notAfter, subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(clientAuth
                            ? new KeyPurposeId[]{KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_emailProtection}
                            : new KeyPurposeId[]{KeyPurposeId.id_kp_emailProtection}))
                    .addExtension(Extension.certificatePolicies, false,
                            new CertificatePolicies(new PolicyInformation(new ASN1ObjectIdentifier(policy))))
                    .addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                            AccessDescription.id_ad_ocsp, uri(ocspUrl)))
                    .addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[]{
                            new DistributionPoint(new DistributionPointName(new GeneralNames(
                                    uri(crlBaseUrl + crlFile))), null, null)}));
            X509Certificate certificate = Certificates.sign(builder, issuer.keys().getPrivate());
            Path file = cardsDir().resolve(name + ".p12");
            writeCard(file, keys, certificate, issuer.certificate());
            TestCard card = new TestCard(name, keys.getPrivate(), List.of(certificate, issuer.certificate()), file);
            cards.put(name, card);
            return card;
        } catch (CertIOException e) {
            throw new IllegalStateException("cannot build test card " + name, e);
        }
    }

    private static GeneralName uri(String url) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(url));
    }

    private static void writeCard(Path file, KeyPair keys, X509Certificate certificate, X509Certificate issuer) {
        try {
            Files.createDirectories(file.getParent());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("cps", keys.getPrivate(), CARD_PASSWORD.toCharArray(),
                    new Certificate[]{certificate, issuer});
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, CARD_PASSWORD.toCharArray());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write card " + file, e);
        }
    }

    private void writeAnchors() {
        writePem(rootsPem(), List.of(root.certificate()));
        writePem(issuersPem(), intermediates());
    }

    private static void writePem(Path file, List<X509Certificate> certificates) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (X509Certificate c : certificates) {
                pem.writeObject(c);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

}
