package fr.hcbroker.stack.psc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.stack.demo.DemoAccounts;
import fr.hcbroker.stack.demo.DemoProfessional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The people of the Pro Santé Connect stand-in (realm {@code esante-wallet}): the demo
 * professionals under the same idNat_PS, with the userinfo PSC would send for them (DESIGN.md §3),
 * held as user attributes that the realm's mappers emit under PSC's claim names.
 */
public final class PscStandIn {

    /** Issuer of the stand-in under a stack's Keycloak URL. */
    public static String issuer(String keycloakUrl) {
        return keycloakUrl + "/realms/esante-wallet";
    }

    /** A FINESS site number that is not this establishment's: its activities are never kept. */
    public static final String OTHER_FINESS = "130781234";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a stand-in professional logs in at PSC: the test and demo pick the level by person. */
    public static String authMode(DemoProfessional p) {
        return "10".equals(p.professionCode()) ? "CARD" : "MOBILE";
    }

    /**
     * Environment of the realm templates' {@code ${HC_PSC_*}} placeholders, which have no default (a template
     * holds no establishment's identifiers), and the demo establishment's tenant id sent in delegation.
     */
    public static Map<String, String> environment(String keycloakUrl) {
        return Map.of("HC_PSC_ISSUER", issuer(keycloakUrl), "HC_PSC_FINESS", DemoAccounts.DEMO_FINESS,
                "HC_ESTABLISHMENT_ID", DEMO_TENANT_ID);
    }

    /** The demo's establishment id (the {@code tid} PSC receives in delegation): visibly not a real one. */
    public static final String DEMO_TENANT_ID = "hc-demo-establishment";

    /** {@code esante-wallet-users-0.json}, the name Keycloak's directory import looks for. */
    public static Path writeUsersFile(Path dir, List<DemoProfessional> people) {
        ObjectNode root = JSON.createObjectNode().put("realm", "esante-wallet");
        ArrayNode users = root.putArray("users");
        people.forEach(p -> users.add(user(p)));
        Path file = dir.resolve("esante-wallet-users-0.json");
        try {
            Files.createDirectories(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** A stand-in account as the admin API and the realm import take it: PSC's claims as attributes. */
    public static ObjectNode user(DemoProfessional p) {
        ObjectNode user = JSON.createObjectNode()
                .put("username", p.idNat())
                .put("enabled", true)
                .put("firstName", p.givenName())
                .put("lastName", p.familyName());
        ObjectNode attributes = user.putObject("attributes");
        // Keycloak lowercases usernames; PSC's SubjectNameID keeps its case (ANS test-tool ids start with ANS).
        attributes.putArray("SubjectNameID").add(p.idNat());
        attributes.putArray("psc_acr").add("eidas1");
        attributes.putArray("psc_auth_mode").add(authMode(p));
        attributes.putArray("SubjectOrganization").add("Centre hospitalier de démonstration");
        attributes.putArray("SubjectOrganizationID").add(DemoAccounts.DEMO_STRUCTURE);
        attributes.putArray("SubjectRole").add(p.professionCode() + "^1.2.250.1.213.1.1.5.5");
        // As PSC sends it: the RPPS entry holds the full 12-character idNat, not the 11-digit RPPS.
        ArrayNode otherIds = JSON.createArrayNode();
        if (p.idNat().startsWith("8")) {
            otherIds.add(JSON.createObjectNode().put("identifiant", p.idNat()).put("origine", "RPPS").put("qualite", 1));
        }
        attributes.putArray("otherIds").add(otherIds.toString());
        attributes.putArray("SubjectRefPro").add(subjectRefPro(p).toString());
        user.putArray("credentials").addObject()
                .put("type", "password").put("value", p.password()).put("temporary", false);
        return user;
    }

    /** The civility the stand-in sends, only inside the exercices (PSC does not always send it at the top level). */
    public static String civility(DemoProfessional p) {
        return "60".equals(p.professionCode()) || "10".equals(p.professionCode()) ? "MME" : "M";
    }

    private static ObjectNode subjectRefPro(DemoProfessional p) {
        ObjectNode ref = JSON.createObjectNode();
        ArrayNode exercices = ref.putArray("exercices");
        ObjectNode exercice = exercices.addObject()
                .put("codeProfession", p.professionCode())
                .put("codeCivilite", civility(p))
                .put("codeCategorieProfessionnelle", "C")
                .put("codeCiviliteDexercice", "DR")
                .put("nomDexercice", p.familyName())
                .put("prenomDexercice", p.givenName())
                .put("codeTypeSavoirFaire", "10".equals(p.professionCode()) ? "S" : "")
                .put("codeSavoirFaire", "10".equals(p.professionCode()) ? "SM54" : "");
        ArrayNode activities = exercice.putArray("activities");
        activities.add(activity("S", DemoAccounts.DEMO_FINESS, "750712176", DemoAccounts.DEMO_STRUCTURE,
                "Centre hospitalier de démonstration"));
        if ("21".equals(p.professionCode())) {
            activities.add(activity("L", OTHER_FINESS, "130781200", "F" + OTHER_FINESS, "Pharmacie du Port"));
        }
        if ("10".equals(p.professionCode())) {
            // A second practice elsewhere (teaching at another establishment): sent by PSC, never kept here.
            exercices.addObject()
                    .put("codeProfession", "10")
                    .put("codeCivilite", civility(p))
                    .put("codeCategorieProfessionnelle", "E")
                    .put("codeCiviliteDexercice", "PR")
                    .put("nomDexercice", p.familyName())
                    .put("prenomDexercice", p.givenName())
                    .put("codeTypeSavoirFaire", "S")
                    .put("codeSavoirFaire", "SM26")
                    .putArray("activities")
                    .add(activity("S", OTHER_FINESS, "130781200", "F" + OTHER_FINESS, "CHU du Port"));
        }
        return ref;
    }

    private static ObjectNode activity(String mode, String finessSite, String finessLegal, String structureId, String name) {
        return JSON.createObjectNode()
                .put("codeModeExercice", mode)
                .put("codeSecteurDactivite", "SA01")
                .put("codeRole", "FON-01")
                .put("numeroFinessSite", finessSite)
                .put("numeroFinessetablissementJuridique", finessLegal)
                .put("identifiantTechniqueDeLaStructure", structureId)
                .put("raisonSocialeSite", name)
                .put("ancienIdentifiantDeLaStructure", "3" + finessSite);
    }

    /**
     * How a client of the stand-in is answered, so that tests meet each way PSC has been seen to answer
     * (DESIGN.md §3). {@link #PSC} is the stand-in's own client: acr {@code eidas1} in the ID token and
     * access token, authMode in the userinfo and access token only, RS256.
     */
    public enum Variant {
        PSC(List.of("psc", "psc-acr", "psc-auth-mode"), "RS256"),
        /** authMode nowhere: the level can only come from acr (eidas1). */
        NO_AUTH_MODE(List.of("psc", "psc-acr"), "RS256"),
        /** No acr at all (ANS's connector reads that as eidas1): authMode decides. */
        NO_ACR(List.of("psc", "psc-auth-mode"), "RS256"),
        /** ID tokens signed HS256 with the client secret (the realm's HS256 key is that secret). */
        HS256(List.of("psc", "psc-acr", "psc-auth-mode"), "HS256");

        private final List<String> scopes;
        private final String idTokenAlg;

        Variant(List<String> scopes, String idTokenAlg) {
            this.scopes = scopes;
            this.idTokenAlg = idTokenAlg;
        }
    }

    /** A client of the stand-in answering as {@code variant}, as the admin API takes it. */
    public static ObjectNode variantClient(Variant variant, String clientId, String secret, String keycloakUrl) {
        ObjectNode client = JSON.createObjectNode()
                .put("clientId", clientId)
                .put("enabled", true)
                .put("protocol", "openid-connect")
                .put("publicClient", false)
                .put("clientAuthenticatorType", "client-secret")
                .put("secret", secret)
                .put("standardFlowEnabled", true)
                .put("directAccessGrantsEnabled", false)
                .put("fullScopeAllowed", false);
        client.putArray("redirectUris").add(keycloakUrl + "/realms/hospiconnect/broker/*");
        variant.scopes.forEach(client.putArray("defaultClientScopes")::add);
        client.putArray("optionalClientScopes").add("scope_all");
        client.putObject("attributes")
                .put("pkce.code.challenge.method", "S256")
                .put("id.token.signed.response.alg", variant.idTokenAlg)
                .put("post.logout.redirect.uris", keycloakUrl + "/realms/hospiconnect/*");
        return client;
    }

    /**
     * The stand-in realm's HS256 key, equal to {@code secret}: Keycloak signs HS256 ID tokens with a realm
     * key, PSC with the client's secret. Keycloak keeps a key only of one of its sizes (32 bytes here).
     */
    public static ObjectNode hs256Key(String secret) {
        byte[] bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length != 32) {
            throw new IllegalArgumentException("the HS256 stand-in secret must be 32 bytes");
        }
        ObjectNode component = JSON.createObjectNode()
                .put("name", "psc-hs256-client-secret")
                .put("providerId", "hmac-generated")
                .put("providerType", "org.keycloak.keys.KeyProvider");
        ObjectNode config = component.putObject("config");
        config.putArray("secret").add(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        config.putArray("secretSize").add("32");
        config.putArray("algorithm").add("HS256");
        config.putArray("priority").add("100");
        config.putArray("active").add("true");
        config.putArray("enabled").add("true");
        return component;
    }

    /** Adds the stand-in's people to the demo accounts file (DESIGN.md §7). */
    public static void appendAccountsSection(Path file, List<DemoProfessional> people, String keycloakUrl) {
        try {
            Files.writeString(file, accountsSection(people, keycloakUrl), java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String accountsSection(List<DemoProfessional> people, String keycloakUrl) {
        StringBuilder md = new StringBuilder("\n## Pro Santé Connect stand-in (realm `esante-wallet`)\n\n")
                .append("Issuer ").append(issuer(keycloakUrl)).append(", discovery at ")
                .append(issuer(keycloakUrl)).append("/.well-known/wallet-openid-configuration. ")
                .append("Choose \"Pro Santé Connect\" on the hospiconnect login page, then sign in here with the ")
                .append("idNat_PS as username. CARD logins count as eidas3, MOBILE as eidas2.\n\n")
                .append("| username (idNat_PS) | name | profession | password | authMode | activities |\n")
                .append("|---|---|---|---|---|---|\n");
        for (DemoProfessional p : people) {
            md.append("| `").append(p.idNat()).append("` | ").append(p.givenName()).append(' ').append(p.familyName())
                    .append(" | ").append(p.professionLabel()).append(" (").append(p.professionCode()).append(") | `")
                    .append(p.password()).append("` | ").append(authMode(p)).append(" | FINESS ")
                    .append(DemoAccounts.DEMO_FINESS)
                    .append("21".equals(p.professionCode()) ? " (kept), " + OTHER_FINESS + " (another establishment: not kept)" : "")
                    .append(" |\n");
        }
        return md.toString();
    }
}
