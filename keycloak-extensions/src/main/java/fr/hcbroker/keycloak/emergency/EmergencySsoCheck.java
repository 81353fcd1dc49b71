package fr.hcbroker.keycloak.emergency;

import java.time.Instant;
import java.util.Optional;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.common.util.Time;
import org.keycloak.models.UserSessionModel;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * An emergency SSO session reused by another login (another app, a later visit) is held to its own
 * terms: past its limit it is ended everywhere (back-channel logout to every app, the gateway
 * included) and the person must log in again; on an app that does not allow emergency sessions the
 * login is refused with a page saying so. Called by the level floor, the first step of every browser
 * login, so no app can be reached around it.
 */
public final class EmergencySsoCheck {

    private EmergencySsoCheck() {
    }

    /** True when the login was refused (a page is then the flow's answer). */
    public static boolean refused(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        UserSessionModel sso = context.getSession().sessions()
                .getUserSession(context.getRealm(), authSession.getParentSession().getId());
        Optional<EmergencySession> emergency = sso == null ? Optional.empty() : EmergencySession.of(sso.getNotes());
        if (emergency.isEmpty()) {
            return false;
        }
        EmergencyRefusal refusal;
        if (emergency.get().expiredAt(Time.currentTime())) {
            refusal = EmergencyRefusal.EXPIRED;
        } else if (!EmergencyAccessAuthenticator.allows(authSession.getClient())) {
            refusal = EmergencyRefusal.NOT_ALLOWED_FOR_CLIENT;
        } else {
            return false;
        }
        EmergencyAlerts.Access access = new EmergencyAlerts.Access(context.getRealm().getName(),
                sso.getUser().getUsername(), sso.getUser().getFirstAttribute("idnat_ps"), sso.getUser().getUsername(),
                sso.getId(), authSession.getClient().getClientId(), context.getConnection().getRemoteAddr(),
                emergency.get().reason(), emergency.get().reason(), "", Instant.now(),
                Instant.ofEpochSecond(emergency.get().untilEpochSecond()));
        EmergencyAlerts.recordRefusal(context.getSession(), access, refusal);
        if (refusal == EmergencyRefusal.EXPIRED) {
            AuthenticationManager.backchannelLogout(context.getSession(), context.getRealm(), sso,
                    context.getSession().getContext().getUri(), context.getConnection(),
                    context.getHttpRequest().getHttpHeaders(), true);
        }
        context.getEvent().user(sso.getUser()).detail("reason", refusal.eventError()).error(refusal.eventError());
        context.challenge(EmergencyAccessAuthenticator.refusedPage(context, refusal, null));
        return true;
    }
}
