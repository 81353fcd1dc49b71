package fr.hcbroker.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The writer's Ed25519 key (JCA) that signs checkpoints. The private key stays beside the logs
 * (mode 600); the public key ({@code audit-signing-key.pub}) is what verifiers and the SIEM keep, a
 * copy away from the logs: one read from beside them proves nothing to whoever could rewrite both.
 */
public final class CheckpointKeys {

    static final String PRIVATE = "audit-signing-key";
    public static final String PUBLIC = "audit-signing-key.pub";

    private CheckpointKeys() {
    }

    /**
     * Loads the directory's key, or creates it. The gateway and Keycloak may share one directory and
     * start together: the key files are written aside and published with a hard link, which fails if
     * the key already exists, so exactly one key pair wins and the loser loads it.
     */
    static PrivateKey loadOrCreate(Path dir) throws IOException, GeneralSecurityException {
        Path privateFile = dir.resolve(PRIVATE);
        // The public key first: it is published after the private one, so a writer creating the pair at
        // this moment cannot make it look as if the private key were missing.
        if (Files.exists(dir.resolve(PUBLIC)) && !Files.exists(privateFile)) {
            // A new key would replace the public key that the logs so far were signed with, and a
            // verifier holding the new one would call every earlier checkpoint forged.
            throw new GeneralSecurityException("the audit signing key " + privateFile + " is missing while its public key "
                    + PUBLIC + " is there: restore the key, or move " + PUBLIC + " aside with the logs it verifies"
                    + " to start a new key");
        }
        if (!Files.exists(privateFile)) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path privateTmp = Files.createTempFile(dir, PRIVATE, ".tmp");
            Path publicTmp = Files.createTempFile(dir, PUBLIC, ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(privateTmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // non-POSIX file system: the directory's own permissions protect it
                }
                Files.writeString(privateTmp, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
                Files.writeString(publicTmp, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
                Files.createLink(privateFile, privateTmp);
                Files.move(publicTmp, dir.resolve(PUBLIC));
                AuditWriter.syncDirectory(dir);
            } catch (FileAlreadyExistsException another) {
                // another writer published its key first: use that one
            } finally {
                Files.deleteIfExists(privateTmp);
                Files.deleteIfExists(publicTmp);
            }
        }
        return KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(privateFile).strip())));
    }

    public static PublicKey loadPublic(Path file) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(Files.readString(file).strip())));
    }

    static String sign(PrivateKey key, String statement) throws GeneralSecurityException {
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(key);
        signature.update(statement.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(signature.sign());
    }

    static boolean verify(PublicKey key, String statement, String signatureBase64) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(key);
            signature.update(statement.getBytes(StandardCharsets.UTF_8));
            return signature.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** What a checkpoint signature covers. */
    static String statement(String file, long count, String hash) {
        return file + "|" + count + "|" + hash;
    }

    /**
     * What a checkpoint made at a start covers: records a crashed writer left unsigned, vouched for
     * only as found on disk. Signed apart, so no such checkpoint passes for one made as records came.
     */
    static String recoveredStatement(String file, long count, String hash) {
        return statement(file, count, hash) + "|recovered";
    }
}
