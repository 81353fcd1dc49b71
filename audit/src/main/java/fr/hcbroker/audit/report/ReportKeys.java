package fr.hcbroker.audit.report;

import fr.hcbroker.audit.CheckpointKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint keys a report checks files with, from {@code --key} values (or the page's settings):
 * none, each writer directory's own {@code audit-signing-key.pub}; {@code FILE}, one key for every file;
 * {@code DIR=FILE}, the key of one directory's files (each node writes its own chain with its own key),
 * the others falling back to their directory's own.
 */
public final class ReportKeys {

    private ReportKeys() {
    }

    /** The keys of {@code specs}, each read now: a key that cannot be read is an error before any file is counted. */
    public static ComplianceReport.Keys of(List<String> specs) throws IOException, GeneralSecurityException {
        Map<Path, PublicKey> byDirectory = new HashMap<>();
        PublicKey forAll = null;
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            if (equals < 0) {
                if (forAll != null || specs.size() > 1) {
                    throw new IllegalArgumentException("one FILE for every file, or DIR=FILE for each directory, not both");
                }
                forAll = read(Path.of(spec));
            } else {
                byDirectory.put(normal(Path.of(spec.substring(0, equals))), read(Path.of(spec.substring(equals + 1))));
            }
        }
        if (forAll != null) {
            return ComplianceReport.Keys.one(forAll);
        }
        return directory -> {
            PublicKey given = byDirectory.get(normal(directory));
            if (given != null) {
                return given;
            }
            Path own = directory.resolve(CheckpointKeys.PUBLIC);
            try {
                return read(own);
            } catch (GeneralSecurityException e) {
                throw new IOException(own + ": not a checkpoint public key", e);
            }
        };
    }

    private static PublicKey read(Path file) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint public key at " + file);
        }
        return CheckpointKeys.loadPublic(file);
    }

    private static Path normal(Path directory) {
        return directory.toAbsolutePath().normalize();
    }
}
