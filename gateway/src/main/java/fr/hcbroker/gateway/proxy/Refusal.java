package fr.hcbroker.gateway.proxy;

import java.util.List;
import java.util.Locale;

/**
 * Why the gateway answers a request itself instead of the app: the HTTP status, the reason its audit
 * record gives, and the page the person reads, in French or English, saying what to do next. Every
 * refusal goes through one of these, so the page, the status and the record agree.
 */
public enum Refusal implements Admission.Target {
    UNPRINTABLE_TARGET(400, "characters a request target cannot hold", Texts.ADDRESS),
    AMBIGUOUS_PATH(400, "ambiguous path", Texts.ADDRESS),
    INVALID_HOST(400, "missing, repeated or invalid Host header", Texts.ADDRESS),
    TARGET_NAMES_ANOTHER_HOST(400, "request target names another host", Texts.ADDRESS),
    TRANSFER_CODING(400, "transfer coding other than chunked alone", Texts.ADDRESS),
    /** TRACE, or TRACK (IIS's echo), in any letter case: see {@link Admission#echoesRequest}. */
    ECHO_METHOD(405, "echo method refused (TRACE, TRACK)", new Text("Méthode refusée",
            "Cette méthode n'est pas acceptée. Revenez à la page précédente.",
            "Method refused", "This method is not accepted. Go back to the previous page.")),
    UNKNOWN_GATEWAY_PATH(404, "unknown gateway path", new Text("Adresse inconnue",
            "Cette adresse n'existe pas. Vérifiez le lien ou revenez à l'accueil.",
            "Unknown address", "This address does not exist. Check the link or go back to the home page.")),
    NO_ROUTE(404, "no route", new Text("Application inconnue",
            "Aucune application n'est configurée à cette adresse. Vérifiez le lien ou revenez à l'accueil.",
            "Unknown application", "No application is configured at this address. Check the link or go back to the home page.")),
    SESSIONS_UNAVAILABLE(503, "session store unavailable", new Text("Service momentanément indisponible",
            "Les sessions ne peuvent pas être lues. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.",
            "Service temporarily unavailable",
            "Sessions cannot be read right now. Try again in a moment; if it persists, tell the IT support desk.")),
    /** A form sent without a (sufficient) session: it cannot be replayed after a login round trip. */
    LOGIN_NEEDED(401, null, new Text("Connexion nécessaire",
            "Votre session a expiré ou n'a pas le niveau requis. Rechargez la page pour vous connecter, puis envoyez à nouveau le formulaire.",
            "Login needed",
            "Your session has expired or does not have the required level. Reload the page to log in, then send the form again.")),
    /** The route's policy: its reason ({@code profession not allowed}) is shown. */
    POLICY(403, null, new Text("Accès refusé",
            "Votre profil ne donne pas accès à cette application (%s). Si vous pensez que c'est une erreur, contactez le support informatique.",
            "Access refused",
            "Your profile does not give access to this application (%s). If you think this is a mistake, contact the IT support desk.")),
    /** An emergency ("bris de glace") session on a route without {@code emergency: true}. */
    EMERGENCY_NOT_ALLOWED(403, "emergency session on a route that does not take emergency access", new Text(
            "Accès d'urgence non accepté",
            "Cette application n'accepte pas les accès d'urgence (bris de glace). Revenez à l'application prévue pour"
                    + " l'urgence ; pour ouvrir celle-ci, déconnectez-vous puis reconnectez-vous avec votre moyen habituel"
                    + " (carte CPS, second facteur). En cas de besoin, contactez le support informatique.",
            "Emergency access not accepted",
            "This application does not accept emergency (break-glass) access. Go back to the application meant for"
                    + " emergencies; to open this one, log out and log in again with your usual means (CPS card, second"
                    + " factor). If you need help, contact the IT support desk.")),
    WEBSOCKET_OTHER_ORIGIN(403, "WebSocket opened from another origin", new Text("Accès refusé",
            "Cette connexion vient d'une autre page que l'application. Ouvrez l'application depuis son adresse habituelle.",
            "Access refused", "This connection comes from a page other than the application. Open the application from its usual address.")),
    /** A logout or change of user posted without the token of the person's own confirmation page. */
    SIGN_OUT_UNCONFIRMED(403, "logout not confirmed by the person", new Text("Déconnexion non confirmée",
            "Cette demande ne vient pas de la page de confirmation : votre session reste ouverte. Revenez"
                    + " à l'application pour vous déconnecter avec son bouton, puis confirmez.",
            "Logout not confirmed",
            "This request does not come from the confirmation page: your session stays open. Go back to the"
                    + " application to log out with its button, then confirm.")),
    /** A review of an emergency access posted without the token of the officer's own review page. */
    REVIEW_UNCONFIRMED(403, "emergency review not sent from the review page", new Text("Revue non enregistrée",
            "Cette demande ne vient pas de la page de revue : rien n'a été enregistré. Ouvrez à nouveau la page des accès"
                    + " d'urgence et enregistrez la revue depuis celle-ci.",
            "Review not recorded",
            "This request does not come from the review page: nothing was recorded. Open the emergency access page"
                    + " again and record the review from there.")),
    /** A review naming no listed access, or with a verdict or comment outside the rules. */
    REVIEW_INVALID(400, "emergency review refused", new Text("Revue non enregistrée",
            "La revue n'a pas été enregistrée. Revenez à la page des accès d'urgence : sur un accès de la liste, un"
                    + " verdict (justifié ou non) et un commentaire de 1 à 1000 caractères sont demandés.",
            "Review not recorded",
            "The review was not recorded. Go back to the emergency access page: on an access of the list, a verdict"
                    + " (justified or not) and a comment of 1 to 1000 characters are required.")),
    /** The audit files the review page reads, or the review trail it writes, cannot be used. */
    REVIEW_UNAVAILABLE(503, "emergency review: audit files unreadable or review trail unwritable", new Text(
            "Revue momentanément indisponible",
            "Les journaux d'audit ne peuvent pas être lus ou la revue ne peut pas être enregistrée. Réessayez dans"
                    + " un instant ; si cela persiste, prévenez le support informatique.",
            "Review temporarily unavailable",
            "The audit files cannot be read or the review cannot be recorded. Try again in a moment; if it"
                    + " persists, tell the IT support desk.")),
    /** The compliance report asked for a period, format or language it cannot give. */
    REPORT_INVALID(400, "compliance report: invalid query", new Text("Rapport non produit",
            "La demande n'est pas valable : une période d'au plus 366 jours (from et to au format aaaa-mm-jj), un format"
                    + " html, csv ou json, une langue fr ou en. Vérifiez l'adresse.",
            "Report not produced",
            "The request is not valid: a period of at most 366 days (from and to as yyyy-mm-dd), a format html, csv"
                    + " or json, a language fr or en. Check the address.")),
    /** Another compliance report is being built on this gateway. */
    REPORT_BUSY(503, "compliance report: another one is being built", new Text("Rapport en cours",
            "Un autre rapport est en cours de production sur ce serveur. Réessayez dans une minute.",
            "Report in progress", "Another report is being produced on this server. Try again in a minute.")),
    /** The trails, their key or the realm export cannot be read. */
    REPORT_UNAVAILABLE(503, "compliance report: audit files, key or realm export unreadable", new Text(
            "Rapport momentanément indisponible",
            "Les journaux d'audit, leur clé ou l'export du royaume ne peuvent pas être lus. Réessayez plus tard ; si"
                    + " cela persiste, prévenez le support informatique.",
            "Report temporarily unavailable",
            "The audit files, their key or the realm export cannot be read. Try again later; if it persists, tell the"
                    + " IT support desk.")),
    CALLBACK_INCOMPLETE(400, "callback without code or state", new Text("Connexion interrompue",
            "La connexion n'a pas abouti. Revenez à l'application et reconnectez-vous.",
            "Login interrupted", "The login did not complete. Go back to the application and log in again.")),
    LOGIN_IN_ANOTHER_BROWSER(400, "login started in another browser", new Text("Connexion refusée",
            "Cette connexion a été commencée dans un autre navigateur. Revenez à l'application et reconnectez-vous.",
            "Login refused", "This login was started in another browser. Go back to the application and log in again.")),
    LOGIN_EXPIRED(400, "unknown or replayed state", new Text("Connexion expirée",
            "Cette tentative de connexion a expiré ou a déjà servi. Revenez à l'application et reconnectez-vous.",
            "Login expired", "This login attempt has expired or was already used. Go back to the application and log in again.")),
    LOGIN_UNAVAILABLE(503, "login service unavailable", new Text("Service de connexion indisponible",
            "Le service d'authentification de l'établissement ne répond pas. Les sessions ouvertes continuent de"
                    + " fonctionner ; réessayez de vous connecter dans quelques minutes.",
            "Login service unavailable",
            "The establishment's login service does not answer. Open sessions keep working; try to log in again in a few minutes.")),
    LOGIN_REFUSED(403, "login refused", new Text("Connexion refusée",
            "La connexion n'a pas pu être vérifiée. Revenez à l'application et reconnectez-vous.",
            "Login refused", "The login could not be verified. Go back to the application and log in again.")),
    /** Nothing is answered that the audit trail does not hold: this one has no record, by nature. */
    AUDIT_UNAVAILABLE(503, null, new Text("Service momentanément indisponible",
            "Le journal d'audit ne peut pas enregistrer cette action. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.",
            "Service temporarily unavailable",
            "The audit trail cannot record this action. Try again in a moment; if it persists, tell the IT support desk.")),
    /**
     * The browser's body could not be read as HTTP (a chunk's framing broken): the app had the request's
     * head and part of its body, and is cut off; the browser's connection closes after this page.
     */
    MALFORMED_BODY(400, "request body malformed", new Text("Requête invalide",
            "Le navigateur a envoyé une requête mal formée : elle n'a pas été transmise en entier. Réessayez ; si cela"
                    + " persiste, prévenez le support informatique.",
            "Invalid request",
            "The browser sent a malformed request: it was not passed on whole. Try again; if it persists, tell the IT"
                    + " support desk.")),
    UPSTREAM_DOWN(502, "upstream error 502", new Text("Application indisponible",
            "L'application est injoignable. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.",
            "Application unavailable", "The application cannot be reached. Try again in a moment; if it persists, tell the IT support desk.")),
    UPSTREAM_TIMEOUT(504, "upstream error 504", new Text("Application indisponible",
            "L'application ne répond pas à temps. Réessayez dans un instant ; si cela persiste, prévenez le support informatique.",
            "Application unavailable", "The application did not answer in time. Try again in a moment; if it persists, tell the IT support desk."));

    /** A page's words in both languages; {@code %s} in a text takes the refusal's detail. */
    record Text(String titleFr, String textFr, String titleEn, String textEn) {
    }

    private static final class Texts {
        static final Text ADDRESS = new Text("Adresse refusée",
                "Cette adresse n'est pas valide. Vérifiez le lien ou revenez à l'accueil.",
                "Address refused", "This address is not valid. Check the link or go back to the home page.");
    }

    private static final List<String> LANGUAGES = List.of("fr", "en");

    private final int status;
    private final String reason;
    private final Text text;

    Refusal(int status, String reason, Text text) {
        this.status = status;
        this.reason = reason;
        this.text = text;
    }

    public int status() {
        return status;
    }

    /** The audit record's reason; null where the decision's own reason is recorded ({@link #POLICY}, {@link #LOGIN_NEEDED}). */
    public String reason() {
        return reason;
    }

    Text text() {
        return text;
    }

    /** The upstream failure for an app that is down (502) or too slow (504). */
    static Refusal upstream(int status) {
        return status == 504 ? UPSTREAM_TIMEOUT : UPSTREAM_DOWN;
    }

    /**
     * Whether the person reads English: their {@code Accept-Language} prefers it to French. French
     * otherwise, a missing or unreadable header included.
     */
    public static boolean english(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isEmpty()) {
            return false;
        }
        try {
            return "en".equals(Locale.lookupTag(Locale.LanguageRange.parse(acceptLanguage), LANGUAGES));
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
    }
}
