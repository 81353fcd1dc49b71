package fr.hcbroker.keycloak.psc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The establishment's certificate and key for {@code tls_client_auth} toward PSC, read from a
 * PKCS#12 file or a PEM file holding the certificate chain and the private key (encrypted or not).
 * Anything unusable (no key, several keys, a key that is not the certificate's, a certificate out of
 * its validity period, a wrong password) is refused with a reason that names the file, never the
 * password.
 *
 * @param keyStore in-memory PKCS#12 store with one key entry, protected by {@code password}
 * @param password the store's password (the file's, or empty for an unencrypted PEM key)
 * @param subject  the certificate's subject, for the log
 */
record PscClientCertificate(KeyStore keyStore, char[] password, String subject) {

    static final String ALIAS = "psc-client";

    static PscClientCertificate load(Path file, char[] password) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the client certificate file " + file + ": " + e.getMessage(), e);
        }
        try {
            KeyStore store = startsWithPem(content) ? fromPem(file, content, password) : fromPkcs12(file, content, password);
            X509Certificate certificate = (X509Certificate) store.getCertificate(ALIAS);
            certificate.checkValidity();
            return new PscClientCertificate(store, password, certificate.getSubjectX500Principal().getName());
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new IllegalArgumentException("the client certificate in " + file + " is outside its validity period", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the client certificate file " + file + " is unusable: " + e.getMessage(), e);
        }
    }

    /** OpenSSL's PEM ciphers (e.g. AES/CBC/PKCS7Padding) are Bouncy Castle's: Keycloak's registered one, else a new one. */
    private static java.security.Provider bouncyCastle() {
        java.security.Provider registered = java.security.Security.getProvider("BC");
        return registered != null ? registered : new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    private static boolean startsWithPem(byte[] content) {
        return new String(content, 0, Math.min(content.length, 64), StandardCharsets.US_ASCII).stripLeading().startsWith("-----BEGIN");
    }

    /** A PKCS#12 file must hold exactly one key entry; it is copied under {@link #ALIAS}. */
    private static KeyStore fromPkcs12(Path file, byte[] content, char[] password) throws GeneralSecurityException {
        KeyStore source = KeyStore.getInstance("PKCS12");
        try {
            source.load(new ByteArrayInputStream(content), password);
        } catch (IOException e) {
            // PKCS#12 reports a wrong password as an IOException whose cause is an UnrecoverableKeyException.
            throw new IllegalArgumentException("cannot open " + file + " as PKCS#12 (wrong password, or not a PKCS#12 file)", e);
        }
        List<String> keys = new ArrayList<>();
        for (String alias : Collections.list(source.aliases())) {
            if (source.isKeyEntry(alias)) {
                keys.add(alias);
            }
        }
        if (keys.size() != 1) {
            throw new IllegalArgumentException(file + " must hold exactly one private key, it holds " + keys.size());
        }
        PrivateKey key = (PrivateKey) source.getKey(keys.get(0), password);
        Certificate[] chain = source.getCertificateChain(keys.get(0));
        if (chain == null || chain.length == 0) {
            throw new IllegalArgumentException(file + ": the private key has no certificate");
        }
        return store(file, key, chain, password);
    }

    /** A PEM file: the certificate first (then its CAs, optional), and one private key. */
    private static KeyStore fromPem(Path file, byte[] content, char[] password) throws GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        JcaX509CertificateConverter certificates = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.US_ASCII))) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                PrivateKey found = null;
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(certificates.getCertificate(holder));
                } else if (item instanceof PrivateKeyInfo info) {
                    found = keys.getPrivateKey(info);
                } else if (item instanceof PEMKeyPair pair) {
                    found = keys.getKeyPair(pair).getPrivate();
                } else if (item instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    found = keys.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bouncyCastle()).build(password)));
                } else if (item instanceof PEMEncryptedKeyPair encrypted) {
                    found = keys.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(bouncyCastle()).build(password)))
                            .getPrivate();
                }
                if (found != null) {
                    if (key != null) {
                        throw new IllegalArgumentException(file + " must hold exactly one private key, it holds several");
                    }
                    key = found;
                }
            }
        } catch (PKCSException | OperatorCreationException | PEMException e) {
            throw new IllegalArgumentException("cannot decrypt the private key in " + file + " (wrong password?)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " as PEM: " + e.getMessage(), e);
        }
        if (key == null || chain.isEmpty()) {
            throw new IllegalArgumentException(file + " must hold the certificate and its private key");
        }
        return store(file, key, chain.toArray(Certificate[]::new), password);
    }

    private static KeyStore store(Path file, PrivateKey key, Certificate[] chain, char[] password) throws GeneralSecurityException {
        if (!(chain[0] instanceof X509Certificate certificate) || !matches(key, certificate)) {
            throw new IllegalArgumentException(file + ": the private key is not the certificate's");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        store.setKeyEntry(ALIAS, key, password, chain);
        return store;
    }

    /** The key signs what the certificate's public key verifies: true only for the certificate's own key. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "hc-broker psc client key check".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
        try {
            verifier.initVerify(certificate.getPublicKey());
        } catch (java.security.InvalidKeyException e) {
            return false;
        }
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
