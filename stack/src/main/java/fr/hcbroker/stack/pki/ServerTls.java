package fr.hcbroker.stack.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * A local CA and a {@code localhost} server certificate for Keycloak's https port and the card proxy,
 * the card proxy's own client certificate (how it proves itself to Keycloak), and the trust store of
 * client-certificate anchors. Only for the demo and tests: production brings its own.
 */
public final class ServerTls {

    public static final String PASSWORD = "changeit";

    private final X509Certificate ca;
    private final Path dir;

    private ServerTls(X509Certificate ca, Path dir) {
        this.ca = ca;
        this.dir = dir;
    }

    /** The CA that signed the server certificate: clients trust it to reach Keycloak's https port. */
    public X509Certificate ca() {
        return ca;
    }

    public Path keyStore() {
        return dir.resolve("keycloak-server.p12");
    }

    /** The server certificate and its CA (PEM), for a TLS server other than Keycloak. */
    public Path serverChainPem() {
        return dir.resolve("server-chain.pem");
    }

    public Path serverKeyPem() {
        return dir.resolve("server-key.pem");
    }

    public Path caPem() {
        return dir.resolve("tls-ca.pem");
    }

    /** The card proxy's TLS client certificate: Keycloak believes the card header only from its holder. */
    public Path proxyCertificatePem() {
        return dir.resolve("card-proxy.pem");
    }

    public Path proxyKeyPem() {
        return dir.resolve("card-proxy-key.pem");
    }

    public static ServerTls generate(Path dir) {
        KeyPair caKeys = Certificates.newEcKeyPair();
        X509Certificate ca = Certificates.selfSignedCa(
                new X500Name("CN=hc-broker local TLS CA, O=hc-broker demo"), caKeys, Duration.ofDays(365));
        KeyPair serverKeys = Certificates.newEcKeyPair();
        try {
            var builder = Certificates.builder(
                            X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                            new X500Name("CN=localhost, O=hc-broker demo"), serverKeys, Duration.ofDays(365))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate server = Certificates.sign(builder, caKeys.getPrivate());
            KeyPair proxyKeys = Certificates.newEcKeyPair();
            X509Certificate proxy = Certificates.sign(Certificates.builder(
                            X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                            new X500Name("CN=hc-broker card proxy, O=hc-broker demo"), proxyKeys, Duration.ofDays(365))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)),
                    caKeys.getPrivate());
            Files.createDirectories(dir);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", serverKeys.getPrivate(), PASSWORD.toCharArray(),
                    new Certificate[]{server, ca});
            ServerTls tls = new ServerTls(ca, dir);
            write(store, tls.keyStore());
            writePem(tls.serverChainPem(), server, ca);
            writePem(tls.serverKeyPem(), serverKeys.getPrivate());
            writePem(tls.caPem(), ca);
            writePem(tls.proxyCertificatePem(), proxy);
            writePem(tls.proxyKeyPem(), proxyKeys.getPrivate());
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the server key store in " + dir, e);
        }
    }

    private static void writePem(Path file, Object... objects) throws IOException {
        try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            for (Object object : objects) {
                pem.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
            }
        }
        if (objects[0] instanceof PrivateKey) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** A PKCS#12 trust store holding {@code anchors}. */
    public static Path trustStore(Path file, List<X509Certificate> anchors) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("anchor-" + i, anchors.get(i));
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            write(store, file);
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write trust store " + file, e);
        }
    }

    private static void write(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }
}
