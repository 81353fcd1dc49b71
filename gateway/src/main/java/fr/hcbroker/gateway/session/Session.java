package fr.hcbroker.gateway.session;

import fr.hcbroker.loa.Level;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * What the gateway keeps of a login: only what the headers, the policy and logout need (no tokens),
 * so that 100 000 sessions stay small. Immutable: a change is a new value written atomically.
 *
 * @param correlation opaque per-session id for apps and logs ({@code X-HC-Session}); not the cookie
 * @param sub         Keycloak subject (back-channel logout by subject)
 * @param sid         Keycloak session id (back-channel logout by session)
 * @param username    Keycloak username
 * @param idNat       idNat_PS, or null for staff without one
 * @param professions profession codes
 * @param structures  this establishment's structure ids for the user
 * @param roles       realm roles and {@code client:role} client roles
 * @param level       level reached
 * @param amr         amr values
 * @param createdAt   login time, epoch seconds
 */
public record Session(String correlation, String sub, String sid, String username, String idNat, String givenName,
                      String familyName, String email, List<String> professions, List<String> structures,
                      Set<String> roles, Level level, List<String> amr, long createdAt) implements Serializable {

    public Session {
        professions = List.copyOf(professions);
        structures = List.copyOf(structures);
        roles = Set.copyOf(roles);
        amr = List.copyOf(amr);
    }
}
