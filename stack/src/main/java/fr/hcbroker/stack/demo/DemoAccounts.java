package fr.hcbroker.stack.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the demo accounts: a Keycloak users file imported beside the realm template (so the
 * template itself stays free of people), and the accounts file a person reads (DESIGN.md §7).
 */
public final class DemoAccounts {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The demo establishment's site FINESS number. */
    public static final String DEMO_FINESS = "750712184";

    /** The structure id local accounts carry, in PSC's form (identifiantTechniqueDeLaStructure: F + site FINESS). */
    public static final String DEMO_STRUCTURE = "F" + DEMO_FINESS;

    private DemoAccounts() {
    }

    /** The realm's default roles, which Keycloak gives a user it creates but not one it imports. */
    public static final String DEFAULT_ROLES = "default-roles-hospiconnect";

    /** {@code hospiconnect-users-0.json}, the name Keycloak's directory import looks for. */
    public static Path writeUsersFile(Path dir, List<DemoProfessional> people) {
        ObjectNode root = JSON.createObjectNode().put("realm", "hospiconnect");
        ArrayNode users = root.putArray("users");
        for (DemoProfessional p : people) {
            ObjectNode user = users.addObject()
                    .put("username", p.username())
                    .put("enabled", true)
                    .put("email", p.email())
                    .put("emailVerified", true)
                    .put("firstName", p.givenName())
                    .put("lastName", p.familyName());
            // An imported user gets only the roles it lists: without the realm's default roles (manage-account,
            // view-profile) the account console's token has no audience and every account API call is refused.
            user.putArray("realmRoles").add(DEFAULT_ROLES);
            ObjectNode attributes = user.putObject("attributes");
            attributes.putArray("idnat_ps").add(p.idNat());
            attributes.putArray("profession").add(p.professionCode());
            attributes.putArray("structure").add(DEMO_STRUCTURE);
            ArrayNode credentials = user.putArray("credentials");
            credentials.addObject().put("type", "password").put("value", p.password()).put("temporary", false);
            credentials.addObject()
                    .put("type", "otp")
                    .put("userLabel", "Application d'authentification (démo)")
                    .put("secretData", JSON.createObjectNode().put("value", p.totpSecret()).toString())
                    .put("credentialData", JSON.createObjectNode()
                            .put("subType", "totp").put("digits", 6).put("counter", 0).put("period", 30)
                            .put("algorithm", "HmacSHA1").toString());
        }
        Path file = dir.resolve("hospiconnect-users-0.json");
        try {
            Files.createDirectories(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** The accounts file a person reads: logins, passwords and TOTP seeds. */
    public static Path writeAccountsFile(Path file, List<DemoProfessional> people, String adminUser,
                                         String adminPassword, String keycloakUrl, String gatewayUrl) {
        StringBuilder md = new StringBuilder();
        md.append("# hc-broker demo accounts\n\n")
                .append("Demo only: these passwords and seeds are public. Regenerated at every start.\n\n")
                .append("- Gateway (the demo app behind it): ").append(gatewayUrl).append("/\n")
                .append("- Keycloak admin console: ").append(keycloakUrl).append("/admin/ — `")
                // A password the operator chose (KC_BOOTSTRAP_ADMIN_PASSWORD) is theirs, not the demo's.
                .append(adminUser).append("` / ").append(adminPassword.equals("admin") ? "`admin`"
                        : "(from KC_BOOTSTRAP_ADMIN_PASSWORD)").append("\n")
                .append("- Realm: `hospiconnect`\n\n")
                .append("| username | name | idNat_PS | profession | password | TOTP seed (base32, SHA1, 6 digits, 30 s) |\n")
                .append("|---|---|---|---|---|---|\n");
        for (DemoProfessional p : people) {
            md.append("| `").append(p.username()).append("` | ").append(p.givenName()).append(' ')
                    .append(p.familyName()).append(" | ").append(p.idNat()).append(" | ")
                    .append(p.professionLabel()).append(" (").append(p.professionCode()).append(") | `")
                    .append(p.password()).append("` | `").append(p.totpSeedBase32()).append("` |\n");
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, md);
            try {
                // Readable by whoever runs the demo only: it holds passwords and seeds.
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the folder's own permissions protect it
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
