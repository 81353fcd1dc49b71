package fr.hcbroker.gateway.proxy;

/**
 * A page of the gateway's that is not a refusal: where a person lands after logging out or cancelling
 * a login at Keycloak, in their language only, with the one link that takes them on.
 */
public enum Notice {
    LOGGED_OUT(new Refusal.Text("Vous êtes déconnecté",
            "Votre session est fermée. Vous pouvez laisser ce poste à quelqu'un d'autre.",
            "You are logged out", "Your session is closed. You can leave this workstation to someone else."),
            "/.hc/login", "Se reconnecter", "Log in again"),
    /** A step-up cancelled at Keycloak: the session goes on at its level, the page that asked for more stays closed. */
    STEP_UP_CANCELLED(new Refusal.Text("Vérification annulée",
            "Vous avez annulé la vérification demandée. Votre session reste ouverte à son niveau actuel ;"
                    + " la page demandée exige un niveau plus élevé (carte CPS ou e-CPS).",
            "Verification cancelled", "You cancelled the verification. Your session stays open at its current level;"
                    + " the page you asked for needs a higher level (CPS card or e-CPS)."),
            "/", "Revenir à l'application", "Back to the application"),
    LOGIN_CANCELLED(new Refusal.Text("Connexion annulée",
            "Vous avez annulé la connexion. Aucune session n'est ouverte.",
            "Login cancelled", "You cancelled the login. No session is open."),
            "/.hc/login", "Se connecter", "Log in");

    private final Refusal.Text text;
    private final String link;
    private final String linkFr;
    private final String linkEn;

    Notice(Refusal.Text text, String link, String linkFr, String linkEn) {
        this.text = text;
        this.link = link;
        this.linkFr = linkFr;
        this.linkEn = linkEn;
    }

    Refusal.Text text() {
        return text;
    }

    String link() {
        return link;
    }

    String linkText(boolean english) {
        return english ? linkEn : linkFr;
    }

    /** Sends this page (200, not stored) in the language {@code Accept-Language} prefers. */
    public void send(io.vertx.core.http.HttpServerRequest request) {
        Pages.send(request.response(), this, Refusal.english(request.getHeader("accept-language")));
    }
}
