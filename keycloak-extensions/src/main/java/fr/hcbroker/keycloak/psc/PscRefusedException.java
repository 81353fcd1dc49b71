package fr.hcbroker.keycloak.psc;

import org.keycloak.broker.provider.IdentityBrokerException;

/**
 * A refused PSC login. Keycloak's broker endpoint turns an {@link IdentityBrokerException} that
 * carries a message code into its error page with that message, so the person sees why.
 */
final class PscRefusedException extends IdentityBrokerException {

    PscRefusedException(PscRefusal refusal, String reason) {
        super("Pro Santé Connect login refused (" + refusal + "): " + reason);
        withMessageCode(refusal.messageKey());
    }

    PscRefusedException(PscRefusal refusal, String reason, Throwable cause) {
        super("Pro Santé Connect login refused (" + refusal + "): " + reason, cause);
        withMessageCode(refusal.messageKey());
    }
}
