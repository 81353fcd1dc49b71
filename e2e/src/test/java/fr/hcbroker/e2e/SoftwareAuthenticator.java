package fr.hcbroker.e2e;

import com.webauthn4j.converter.util.CborConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pure-Java WebAuthn authenticator (one ES256 key, "none" attestation) that answers Keycloak's
 * WebAuthn pages with the same form fields their JavaScript posts. Keys and signatures come from the
 * JDK; COSE keys and CBOR from webauthn4j (the library Keycloak itself verifies with).
 */
final class SoftwareAuthenticator {

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final CborConverter CBOR = new ObjectConverter().getCborConverter();
    private static final int UP = 0x01;
    private static final int UV = 0x04;
    private static final int AT = 0x40;

    private final KeyPair key;
    private final byte[] credentialId = new byte[32];
    private int signCount;

    SoftwareAuthenticator() {
        this(null);
    }

    private SoftwareAuthenticator(byte[] claimedId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            key = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is always present", e);
        }
        if (claimedId == null) {
            new SecureRandom().nextBytes(credentialId);
        } else {
            System.arraycopy(claimedId, 0, credentialId, 0, credentialId.length);
        }
    }

    /** A fresh key that presents someone else's credential id: what a stolen id without the key gives. */
    static SoftwareAuthenticator claiming(String credentialId) {
        return new SoftwareAuthenticator(Base64.getUrlDecoder().decode(credentialId));
    }

    String credentialId() {
        return B64URL.encodeToString(credentialId);
    }

    /** The fields of Keycloak's {@code register} form for a {@code navigator.credentials.create()}. */
    Map<String, String> register(String challenge, String rpId, String origin) {
        byte[] clientData = clientData("webauthn.create", challenge, origin);
        byte[] cose = CBOR.writeValueAsBytes(EC2COSEKey.create((ECPublicKey) key.getPublic(), COSEAlgorithmIdentifier.ES256));
        ByteArrayOutputStream authData = new ByteArrayOutputStream();
        authData.writeBytes(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        authData.write(UP | UV | AT);
        authData.writeBytes(ByteBuffer.allocate(4).putInt(signCount).array());
        authData.writeBytes(new byte[16]); // AAGUID: none, as software authenticators send
        authData.writeBytes(ByteBuffer.allocate(2).putShort((short) credentialId.length).array());
        authData.writeBytes(credentialId);
        authData.writeBytes(cose);
        Map<String, Object> attestation = new LinkedHashMap<>();
        attestation.put("fmt", "none");
        attestation.put("attStmt", Map.of());
        attestation.put("authData", authData.toByteArray());
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("clientDataJSON", B64URL.encodeToString(clientData));
        fields.put("attestationObject", B64URL.encodeToString(CBOR.writeValueAsBytes(attestation)));
        fields.put("publicKeyCredentialId", credentialId());
        fields.put("authenticatorLabel", "software key (test)");
        fields.put("transports", "internal");
        fields.put("authenticatorAttachment", "platform");
        fields.put("error", "");
        return fields;
    }

    /** The fields of Keycloak's {@code webauth} form for a {@code navigator.credentials.get()}. */
    Map<String, String> authenticate(String challenge, String rpId, String origin) {
        byte[] clientData = clientData("webauthn.get", challenge, origin);
        signCount++;
        ByteArrayOutputStream authData = new ByteArrayOutputStream();
        authData.writeBytes(sha256(rpId.getBytes(StandardCharsets.UTF_8)));
        authData.write(UP | UV);
        authData.writeBytes(ByteBuffer.allocate(4).putInt(signCount).array());
        byte[] authenticatorData = authData.toByteArray();
        byte[] signature;
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key.getPrivate());
            signer.update(authenticatorData);
            signer.update(sha256(clientData));
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("clientDataJSON", B64URL.encodeToString(clientData));
        fields.put("authenticatorData", B64URL.encodeToString(authenticatorData));
        fields.put("signature", B64URL.encodeToString(signature));
        fields.put("credentialId", credentialId());
        fields.put("userHandle", "");
        fields.put("error", "");
        return fields;
    }

    private static byte[] clientData(String type, String challenge, String origin) {
        String json = "{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
                + "\",\"crossOrigin\":false}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
