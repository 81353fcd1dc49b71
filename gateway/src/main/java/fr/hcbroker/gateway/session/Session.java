package fr.hcbroker.gateway.session;

import fr.hcbroker.loa.Level;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * What the gateway keeps of a login: what the headers, the policy and logout need, and the refresh
 * token that keeps it tied to Keycloak's session (no access or ID token), so that 100 000 sessions
 * stay small. Immutable: a change is a new value written atomically.
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
 * @param refresh     Keycloak's refresh token ({@link #refreshToken()}), or null (the client issues none: the
 *                    session is never refreshed)
 * @param refreshAt   when to refresh, epoch seconds: shortly before the access token expires
 * @param emergency   the emergency ("bris de glace") facts of the login's tokens, or null for an ordinary session
 */
public record Session(String correlation, String sub, String sid, String username, String idNat, String givenName,
                      String familyName, String email, List<String> professions, List<String> structures,
                      Set<String> roles, Level level, List<String> amr, long createdAt, PackedToken refresh,
                      long refreshAt, Emergency emergency) implements Serializable {

    /**
     * An emergency session's facts, as Keycloak's tokens state them ({@code hc_emergency_reason},
     * {@code hc_emergency_until}, docs/fr/acces-urgence.md): fixed at login like the level, so no
     * refresh extends or removes them.
     *
     * @param reason the reason code the person chose (e.g. {@code urgence-vitale})
     * @param until  the session's end, epoch seconds
     */
    public record Emergency(String reason, long until) implements Serializable {
    }

    /** A session as a login or a refresh makes it, with Keycloak's refresh token as issued (or null). */
    public Session(String correlation, String sub, String sid, String username, String idNat, String givenName,
                   String familyName, String email, List<String> professions, List<String> structures,
                   Set<String> roles, Level level, List<String> amr, long createdAt, String refreshToken,
                   long refreshAt, Emergency emergency) {
        this(correlation, sub, sid, username, idNat, givenName, familyName, email, professions, structures, roles,
                level, amr, createdAt, PackedToken.of(refreshToken), refreshAt, emergency);
    }

    /** An ordinary session (no emergency). */
    public Session(String correlation, String sub, String sid, String username, String idNat, String givenName,
                   String familyName, String email, List<String> professions, List<String> structures,
                   Set<String> roles, Level level, List<String> amr, long createdAt, String refreshToken,
                   long refreshAt) {
        this(correlation, sub, sid, username, idNat, givenName, familyName, email, professions, structures, roles,
                level, amr, createdAt, refreshToken, refreshAt, null);
    }

    /**
     * Codes and role names are the same few strings in every session: each is kept once (interned),
     * not once per session as parsing the tokens made them. Also on a cluster node, where Java
     * deserialization calls this constructor. They come from Keycloak's signed tokens only.
     */
    public Session {
        professions = shared(professions);
        structures = shared(structures);
        roles = Set.copyOf(shared(roles));
        amr = shared(amr);
    }

    private static List<String> shared(java.util.Collection<String> values) {
        // List.of: one or two values without an array behind them, as most of these lists hold.
        return List.of(values.stream().map(String::intern).toArray(String[]::new));
    }

    /** Keycloak's refresh token, or null. */
    public String refreshToken() {
        return refresh == null ? null : refresh.text();
    }

    /** A session that never refreshes (tests, tools). */
    public Session(String correlation, String sub, String sid, String username, String idNat, String givenName,
                   String familyName, String email, List<String> professions, List<String> structures,
                   Set<String> roles, Level level, List<String> amr, long createdAt) {
        this(correlation, sub, sid, username, idNat, givenName, familyName, email, professions, structures, roles,
                level, amr, createdAt, (PackedToken) null, 0, null);
    }

    public boolean refreshDue(long nowSeconds) {
        return refresh != null && nowSeconds >= refreshAt;
    }

    /** The same session, next refreshed at {@code when} (after Keycloak could not be reached). */
    public Session refreshLater(long when) {
        return new Session(correlation, sub, sid, username, idNat, givenName, familyName, email, professions,
                structures, roles, level, amr, createdAt, refresh, when, emergency);
    }

    /**
     * When the session ends whatever its use, epoch milliseconds: {@code absoluteMillis} after login,
     * or an emergency session's limit when that comes first.
     */
    public long endsAtMillis(long absoluteMillis) {
        long absolute = createdAt * 1000 + absoluteMillis;
        return emergency == null ? absolute : Math.min(absolute, emergency.until() * 1000);
    }

    /** The refresh token is a credential: never in a log line. */
    @Override
    public String toString() {
        return "Session[correlation=" + correlation + ", username=" + username + ", level=" + level
                + ", refreshAt=" + refreshAt + (emergency == null ? "" : ", emergency=" + emergency) + "]";
    }
}
