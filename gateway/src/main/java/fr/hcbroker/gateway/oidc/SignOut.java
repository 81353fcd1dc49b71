package fr.hcbroker.gateway.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Logout and change of user, which no other page can trigger: a GET only shows a confirmation page
 * (a link or an image on any site can make a browser GET), and the session ends on a POST carrying
 * the token that page holds. The token is derived from the session's cookie, which only this browser
 * has and no other site can read: a page elsewhere (another host of the hospital's domain, whose
 * posts carry the Lax cookie) cannot forge it.
 */
public final class SignOut {

    /** What ending the session leads to. */
    public enum Kind {
        /** The person leaves: the session ends, the browser goes to the gateway's home. */
        LOGOUT("/.hc/logout", "Se déconnecter ?", "Log out?",
                "Votre session sera fermée sur ce poste, dans toutes les applications.",
                "Your session will be closed on this workstation, in every application.",
                "Se déconnecter", "Log out"),
        /**
         * Someone else sits down at a shared workstation: the session ends everywhere it came from
         * (gateway, Keycloak, Pro Santé Connect), then a new authentication is demanded.
         */
        SWITCH("/.hc/switch", "Changer d'utilisateur ?", "Switch user?",
                "La session en cours sera fermée (passerelle, Keycloak et Pro Santé Connect), puis la page de "
                        + "connexion s'affichera pour la personne suivante.",
                "The current session will be closed (gateway, Keycloak and Pro Santé Connect), then the login "
                        + "page will be shown for the next person.",
                "Changer d'utilisateur", "Switch user");

        private final String path;
        private final String titleFr;
        private final String titleEn;
        private final String textFr;
        private final String textEn;
        private final String buttonFr;
        private final String buttonEn;

        Kind(String path, String titleFr, String titleEn, String textFr, String textEn, String buttonFr, String buttonEn) {
            this.path = path;
            this.titleFr = titleFr;
            this.titleEn = titleEn;
            this.textFr = textFr;
            this.textEn = textEn;
            this.buttonFr = buttonFr;
            this.buttonEn = buttonEn;
        }

        public String path() {
            return path;
        }
    }

    /** The form field that carries the token. */
    public static final String FIELD = "token";

    private SignOut() {
    }

    /**
     * The token for the session whose cookie value is {@code sessionId} (empty without a session: there
     * is nothing to protect). A one-way function of the cookie: the token, shown in a page, does not give
     * the cookie away.
     */
    public static String token(String sessionId) {
        return token(PURPOSE, sessionId);
    }

    /**
     * Whether a POST may end the session: always without one (there is none to end), else only with
     * its token, compared in constant time.
     */
    public static boolean confirmed(String sessionId, String presented) {
        return sessionId == null || confirmed(PURPOSE, sessionId, presented);
    }

    private static final String PURPOSE = "hc-broker sign-out";

    /**
     * A form token bound to the session's cookie and to the form's {@code purpose} (a token of one form
     * is worth nothing in another): what a page of another site cannot forge.
     */
    public static String token(String purpose, String sessionId) {
        if (sessionId == null) {
            return "";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((purpose + "\0" + sessionId).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code presented} is the session's token for {@code purpose}, compared in constant time. */
    public static boolean confirmed(String purpose, String sessionId, String presented) {
        return sessionId != null && presented != null && MessageDigest.isEqual(
                token(purpose, sessionId).getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
    }

    /** The confirmation page: what will happen, one button that posts the token, and a way back. */
    public static String page(Kind kind, String sessionId, boolean english) {
        String title = english ? kind.titleEn : kind.titleFr;
        return """
                <!doctype html>
                <html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>%s</title><style>body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
                button{font-size:1rem;padding:.5rem 1rem}</style></head>
                <body><h1>%s</h1><p>%s</p>
                <form method="post" action="%s"><input type="hidden" name="%s" value="%s">
                <button type="submit" id="hc-sign-out">%s</button></form>
                <p><a href="/">%s</a></p></body></html>
                """.formatted(english ? "en" : "fr", title, title, english ? kind.textEn : kind.textFr, kind.path,
                FIELD, token(sessionId), english ? kind.buttonEn : kind.buttonFr, english ? "Cancel" : "Annuler");
    }
}
