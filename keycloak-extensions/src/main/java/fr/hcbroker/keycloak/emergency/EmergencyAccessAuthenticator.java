package fr.hcbroker.keycloak.emergency;

import fr.hcbroker.keycloak.cps.CpsCardAuthenticator;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The emergency way in ("bris de glace"): after a correct password, someone who cannot give a
 * second factor chooses a reason from the realm's list and may add a few words; the session is then
 * marked emergency (honest level eidas1, bounded lifetime) and the establishment alerted before any
 * code is issued. Silent (the flow goes on) unless the realm enabled it and the app allows it
 * ({@value EmergencySession#CLIENT_ALLOWED_ATTRIBUTE}); the person may also decline and go on with
 * the ordinary flow. Refusals never count against the account: the password was right.
 */
final class EmergencyAccessAuthenticator implements Authenticator {

    static final String TEMPLATE = "hc-emergency.ftl";
    static final String REFUSED_TEMPLATE = "hc-emergency-refused.ftl";
    /** Auth note: this login was granted emergency access (read by the condition that skips enrolment). */
    static final String GRANTED_AUTH_NOTE = "hc.emergency.granted";
    static final String CHOICE_PARAM = "choice";
    static final String REASON_PARAM = "reason";
    static final String NOTE_PARAM = "note";
    private static final Logger LOG = Logger.getLogger(EmergencyAccessAuthenticator.class);

    private final Function<AuthenticatorConfigModel, EmergencySettings> settings;

    EmergencyAccessAuthenticator(Function<AuthenticatorConfigModel, EmergencySettings> settings) {
        this.settings = settings;
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        Optional<EmergencySettings> offered = offered(context);
        if (offered.isEmpty()) {
            context.success();
            return;
        }
        context.challenge(page(context, offered.get(), null, null, ""));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        Optional<EmergencySettings> offered = offered(context);
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        if (offered.isEmpty() || !"emergency".equals(form.getFirst(CHOICE_PARAM))) {
            context.success();
            return;
        }
        EmergencySettings config = offered.get();
        String reason = form.getFirst(REASON_PARAM);
        Optional<String> note = EmergencyNote.clean(form.getFirst(NOTE_PARAM), config.noteMaxLength());
        if (note.isEmpty()) {
            context.challenge(page(context, config, "hcEmergencyNoteTooLong", reason, ""));
            return;
        }
        Instant now = Instant.ofEpochMilli(Time.currentTimeMillis());
        UserModel user = context.getUser();
        String label = reason == null ? null : config.reasons().get(reason);
        EmergencyAlerts.Access access = access(context, reason == null ? "" : reason, label, note.get(), now, null);
        if (label == null) {
            refuse(context, config, access, EmergencyRefusal.REASON_INVALID);
            return;
        }
        List<String> uses = user.getAttributeStream(EmergencyCap.USES_ATTRIBUTE).toList();
        if (EmergencyCap.usesWithin(uses, now, config.capPeriod()) >= config.capCount()) {
            refuse(context, config, access, EmergencyRefusal.CAP_REACHED);
            return;
        }
        Instant until = now.plus(config.lifetime());
        access = access(context, reason, label, note.get(), now, until);
        user.setAttribute(EmergencyCap.USES_ATTRIBUTE, EmergencyCap.withUse(uses, now, config.capPeriod()));
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        authSession.setAuthNote(GRANTED_AUTH_NOTE, "true");
        authSession.setUserSessionNote(EmergencySession.NOTE, "true");
        authSession.setUserSessionNote(EmergencySession.REASON_NOTE, reason);
        authSession.setUserSessionNote(EmergencySession.UNTIL_NOTE, String.valueOf(until.getEpochSecond()));
        EmergencyAlerts.alert(context.getSession(), context.getRealm(), config, access);
        context.getEvent().detail("emergency_reason", reason).detail("emergency_until", until.toString());
        LOG.infof("emergency access granted to %s until %s (%s)", user.getUsername(), until, reason);
        context.success();
    }

    /** The settings, when the realm enabled emergency access and this app takes it; empty otherwise. */
    private Optional<EmergencySettings> offered(AuthenticationFlowContext context) {
        EmergencySettings config;
        try {
            config = settings.apply(context.getAuthenticatorConfig());
        } catch (IllegalArgumentException e) {
            // Fails closed: a broken configuration offers no emergency access, the ordinary flow goes on.
            LOG.errorf("hc-emergency-access is misconfigured, not offered: %s", e.getMessage());
            return Optional.empty();
        }
        return config.enabled() && allows(context.getAuthenticationSession().getClient())
                ? Optional.of(config) : Optional.empty();
    }

    static boolean allows(ClientModel client) {
        return client != null && "true".equals(client.getAttribute(EmergencySession.CLIENT_ALLOWED_ATTRIBUTE));
    }

    private static void refuse(AuthenticationFlowContext context, EmergencySettings config,
                               EmergencyAlerts.Access access, EmergencyRefusal refusal) {
        EmergencyAlerts.recordRefusal(context.getSession(), access, refusal);
        context.getEvent().detail(Details.REASON, refusal.eventError()).error(refusal.eventError());
        context.challenge(refusedPage(context, refusal, config.contact()));
    }

    static Response refusedPage(AuthenticationFlowContext context, EmergencyRefusal refusal, String contact) {
        return context.form().setAttribute("hcEmergencyRefusal", refusal.messageKey())
                .setAttribute("hcEmergencyContact", contact == null ? "" : contact)
                .createForm(REFUSED_TEMPLATE);
    }

    private static Response page(AuthenticationFlowContext context, EmergencySettings config, String error,
                                 String reason, String note) {
        var form = context.form()
                .setAttribute("hcEmergencyReasons", config.reasons().entrySet().stream()
                        .map(e -> Map.of("code", e.getKey(), "label", e.getValue())).toList())
                .setAttribute("hcEmergencyNoteMax", config.noteMaxLength())
                .setAttribute("hcEmergencyHours", config.lifetime().toMinutes() / 60.0)
                .setAttribute("hcEmergencyReason", reason == null ? "" : reason)
                .setAttribute("hcEmergencyNote", note);
        if (error != null) {
            form.setError(error);
        }
        return form.createForm(TEMPLATE);
    }

    private static EmergencyAlerts.Access access(AuthenticationFlowContext context, String reason, String label,
                                                 String note, Instant at, Instant until) {
        UserModel user = context.getUser();
        String name = String.join(" ", List.of(nonNull(user.getFirstName()), nonNull(user.getLastName()))).trim();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        return new EmergencyAlerts.Access(context.getRealm().getName(), user.getUsername(),
                user.getFirstAttribute(CpsCardAuthenticator.IDNAT_ATTRIBUTE), name.isEmpty() ? user.getUsername() : name,
                authSession.getParentSession().getId(), authSession.getClient().getClientId(),
                context.getConnection().getRemoteAddr(), reason, label == null ? reason : label, note, at, until);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // Nothing to set up: the password is what the person has.
    }

    @Override
    public void close() {
        // Nothing held per request.
    }
}
