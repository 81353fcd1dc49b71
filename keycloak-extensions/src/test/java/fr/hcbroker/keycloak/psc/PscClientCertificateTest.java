package fr.hcbroker.keycloak.psc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the establishment's certificate for tls_client_auth")
class PscClientCertificateTest {

    private static final char[] PASSWORD = "s3cret-p12".toCharArray();

    @TempDir
    Path dir;

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(KeyPair keys, Instant from, Instant to) throws Exception {
        X500Name name = new X500Name("CN=hc-broker test establishment, O=Test");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(from), Date.from(to), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    }

    private static X509Certificate valid(KeyPair keys) throws Exception {
        return certificate(keys, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    private Path pkcs12(KeyPair keys, X509Certificate certificate) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("establishment", keys.getPrivate(), PASSWORD, new Certificate[] {certificate});
        Path file = dir.resolve("establishment.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD);
        }
        return file;
    }

    private Path pem(X509Certificate certificate, Object... keys) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
            for (Object key : keys) {
                writer.writeObject(key);
            }
        }
        Path file = dir.resolve("establishment.pem");
        Files.writeString(file, text.toString());
        return file;
    }

    @Nested
    @DisplayName("is loaded")
    class Loaded {

        @Test
        void fromPkcs12WithItsPassword() throws Exception {
            KeyPair keys = rsa();
            PscClientCertificate loaded = PscClientCertificate.load(pkcs12(keys, valid(keys)), PASSWORD);
            assertThat(loaded.subject()).contains("CN=hc-broker test establishment");
            assertThat(loaded.keyStore().getKey(PscClientCertificate.ALIAS, PASSWORD)).isEqualTo(keys.getPrivate());
        }

        @Test
        void fromPemWithAnUnencryptedKey() throws Exception {
            KeyPair keys = rsa();
            PscClientCertificate loaded = PscClientCertificate.load(pem(valid(keys), keys.getPrivate()), new char[0]);
            assertThat(loaded.keyStore().getCertificate(PscClientCertificate.ALIAS).getPublicKey()).isEqualTo(keys.getPublic());
        }

        @Test
        void fromPemWithAnEncryptedPkcs8Key() throws Exception {
            KeyPair keys = rsa();
            var encrypted = new JcaPKCS8Generator(keys.getPrivate(), new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword(PASSWORD).build()).generate();
            Path file = pem(valid(keys), encrypted);
            assertThat(PscClientCertificate.load(file, PASSWORD).keyStore().isKeyEntry(PscClientCertificate.ALIAS)).isTrue();
            assertThatThrownBy(() -> PscClientCertificate.load(file, "wrong".toCharArray()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrong password");
        }
    }

    @Nested
    @DisplayName("is refused, naming the file and never the password")
    class Refused {

        @Test
        void aPkcs12WithTheWrongPassword() throws Exception {
            KeyPair keys = rsa();
            Path file = pkcs12(keys, valid(keys));
            assertThatThrownBy(() -> PscClientCertificate.load(file, "wrong".toCharArray()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString())
                    .hasMessageNotContaining(new String(PASSWORD));
        }

        @Test
        void aKeyThatIsNotTheCertificates() throws Exception {
            assertThatThrownBy(() -> PscClientCertificate.load(pem(valid(rsa()), rsa().getPrivate()), new char[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the certificate's");
        }

        @Test
        void twoKeys() throws Exception {
            KeyPair keys = rsa();
            assertThatThrownBy(() -> PscClientCertificate.load(pem(valid(keys), keys.getPrivate(), rsa().getPrivate()), new char[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one private key");
        }

        @Test
        void aCertificateWithoutItsKey() throws Exception {
            assertThatThrownBy(() -> PscClientCertificate.load(pem(valid(rsa())), new char[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate and its private key");
        }

        @Test
        void anExpiredCertificate() throws Exception {
            KeyPair keys = rsa();
            X509Certificate expired = certificate(keys, Instant.now().minus(Duration.ofDays(60)), Instant.now().minus(Duration.ofDays(1)));
            assertThatThrownBy(() -> PscClientCertificate.load(pkcs12(keys, expired), PASSWORD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validity period");
        }

        @Test
        void aCertificateNotYetValid() throws Exception {
            KeyPair keys = rsa();
            X509Certificate future = certificate(keys, Instant.now().plus(Duration.ofDays(2)), Instant.now().plus(Duration.ofDays(60)));
            assertThatThrownBy(() -> PscClientCertificate.load(pem(future, keys.getPrivate()), new char[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validity period");
        }

        @Test
        void aMissingFileOrGarbage() throws Exception {
            assertThatThrownBy(() -> PscClientCertificate.load(dir.resolve("absent.p12"), PASSWORD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read");
            Path garbage = Files.write(dir.resolve("garbage.p12"), new byte[] {0x30, 0x03, 0x02, 0x01, 0x00});
            assertThatThrownBy(() -> PscClientCertificate.load(garbage, PASSWORD)).isInstanceOf(IllegalArgumentException.class);
            Path empty = Files.writeString(dir.resolve("empty.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
            assertThatThrownBy(() -> PscClientCertificate.load(empty, PASSWORD)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
        "pscClientAuthentication| client_secret_post", "pscClientAuthentication| TLS_CLIENT_AUTH",
        "pscClientAuthentication| none", "pscClientCertificatePassword| changeit",
        "pscClientCertificatePassword| ${vault.}", "pscClientCertificatePassword| ${vault.a b}",
        "pscClientCertificatePassword| x${vault.key}", "pscClientCertificatePassword| ${env.PASSWORD}"})
    void settingsRefuse(String key, String value) {
        assertThatThrownBy(() -> PscSettings.from(Map.of(key, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("changeit");
    }

    @Test
    @DisplayName("tls_client_auth needs an absolute certificate path; the password is a vault reference or nothing")
    void settingsForTlsClientAuth() {
        assertThatThrownBy(() -> PscSettings.from(Map.of(PscSettings.CLIENT_AUTHENTICATION, "tls_client_auth")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate file");
        assertThatThrownBy(() -> PscSettings.from(Map.of(PscSettings.CLIENT_AUTHENTICATION, "tls_client_auth",
                PscSettings.CLIENT_CERTIFICATE, "establishment.p12"))).hasMessageContaining("absolute");
        PscSettings settings = PscSettings.from(Map.of(PscSettings.CLIENT_AUTHENTICATION, "tls_client_auth",
                PscSettings.CLIENT_CERTIFICATE, "/etc/hc-keycloak/psc-client.p12",
                PscSettings.CLIENT_CERTIFICATE_PASSWORD, "${vault.psc-client-key}"));
        assertThat(settings.clientAuthentication()).isEqualTo(PscClientAuthentication.TLS_CLIENT_AUTH);
        assertThat(settings.clientCertificate()).isEqualTo(Path.of("/etc/hc-keycloak/psc-client.p12"));
        assertThat(PscSettings.from(Map.of()).clientAuthentication()).isEqualTo(PscClientAuthentication.CLIENT_SECRET_BASIC);
        assertThat(PscSettings.from(Map.of(PscSettings.CLIENT_AUTHENTICATION, "private_key_jwt")).clientAuthentication())
                .isEqualTo(PscClientAuthentication.PRIVATE_KEY_JWT);
    }
}
