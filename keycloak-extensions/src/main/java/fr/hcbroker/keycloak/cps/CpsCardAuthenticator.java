package fr.hcbroker.keycloak.cps;

import fr.hcbroker.keycloak.loa.LoginLevel;
import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import jakarta.ws.rs.core.Response;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.events.Details;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.x509.X509ClientCertificateLookup;

/**
 * Logs a professional in with the authentication certificate of their CPS card, at level high:
 * the chain (from Keycloak's {@code x509cert-lookup}: direct TLS or a trusted proxy's header) must
 * reach a configured IGC-Santé root, be fit for client authentication, not be revoked, and name an
 * idNat_PS held by exactly one account. No certificate: the step is skipped so the other ways remain.
 */
public final class CpsCardAuthenticator implements Authenticator {

    public static final String IDNAT_ATTRIBUTE = "idnat_ps";
    static final String DETAIL_SERIAL = "cps_serial";
    static final String DETAIL_ISSUER = "cps_issuer";
    static final String DETAIL_IDNAT = "idnat";
    private static final List<Amr> AMR = List.of(Amr.SC, Amr.PIN, Amr.MFA, Amr.HWK);
    private static final Logger LOG = Logger.getLogger(CpsCardAuthenticator.class);

    private final Function<AuthenticatorConfigModel, CpsSettings> settings;
    private final RevocationChecker revocation;

    CpsCardAuthenticator(Function<AuthenticatorConfigModel, CpsSettings> settings, RevocationChecker revocation) {
        this.settings = settings;
        this.revocation = revocation;
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        X509Certificate[] chain = presentedChain(context);
        if (chain == null || chain.length == 0) {
            context.attempted();
            return;
        }
        X509Certificate card = chain[0];
        var event = context.getEvent()
                .detail(DETAIL_SERIAL, card.getSerialNumber().toString(16))
                .detail(DETAIL_ISSUER, card.getIssuerX500Principal().getName());
        CpsSettings cps;
        try {
            cps = settings.apply(context.getAuthenticatorConfig());
        } catch (IllegalArgumentException e) {
            LOG.errorf("cps-card is not configured: %s", e.getMessage());
            context.failure(AuthenticationFlowError.INTERNAL_ERROR);
            return;
        }
        try {
            List<X509Certificate> path = cps.chain().validate(chain, new Date());
            CardSubject subject = CardSubject.of(X500Name.getInstance(card.getSubjectX500Principal().getEncoded()));
            event.detail(DETAIL_IDNAT, subject.idNat().value());
            X509Certificate issuer = path.size() > 1 ? path.get(1) : issuerAnchor(cps.config(), card);
            revocation.check(card, issuer, cps.config());
            UserModel user = user(context, subject, cps.config());
            event.user(user).detail(Details.USERNAME, user.getUsername());
            context.setUser(user);
            LoginLevel.record(context.getSession(), context.getAuthenticationSession(), Level.HIGH, AMR);
            context.success();
        } catch (CpsRefusedException e) {
            LOG.infof("CPS card refused (serial %s): %s", card.getSerialNumber().toString(16), e.getMessage());
            event.detail(Details.REASON, e.refusal().name()).error(e.refusal().eventError());
            Response page = context.form().setError(e.refusal().messageKey())
                    .createErrorPage(Response.Status.UNAUTHORIZED);
            context.failureChallenge(e.refusal() == CpsRefusal.NO_ACCOUNT
                    ? AuthenticationFlowError.UNKNOWN_USER : AuthenticationFlowError.INVALID_CREDENTIALS, page);
        }
    }

    private static X509Certificate[] presentedChain(AuthenticationFlowContext context) {
        try {
            return context.getSession().getProvider(X509ClientCertificateLookup.class)
                    .getCertificateChain(context.getHttpRequest());
        } catch (GeneralSecurityException e) {
            LOG.warnf("client certificate unreadable: %s", e.getMessage());
            return null;
        }
    }

    /** A card issued directly by a root: the root is its issuer. */
    private static X509Certificate issuerAnchor(CpsConfig config, X509Certificate card) {
        return config.trustAnchors().stream()
                .filter(a -> a.getSubjectX500Principal().equals(card.getIssuerX500Principal()))
                .findFirst().orElseThrow();
    }

    private static UserModel user(AuthenticationFlowContext context, CardSubject subject, CpsConfig config)
            throws CpsRefusedException {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        List<UserModel> found = session.users()
                .searchForUserByUserAttributeStream(realm, IDNAT_ATTRIBUTE, subject.idNat().value())
                .limit(2).toList();
        if (found.size() > 1) {
            throw new CpsRefusedException(CpsRefusal.NO_ACCOUNT, "several accounts hold this idNat_PS");
        }
        if (found.isEmpty()) {
            if (!config.createUsers()) {
                throw new CpsRefusedException(CpsRefusal.NO_ACCOUNT, "no account holds this idNat_PS");
            }
            UserModel created = session.users().addUser(realm, subject.idNat().value().toLowerCase());
            created.setEnabled(true);
            created.setSingleAttribute(IDNAT_ATTRIBUTE, subject.idNat().value());
            subject.familyName().ifPresent(created::setLastName);
            subject.givenName().ifPresent(created::setFirstName);
            return created;
        }
        UserModel user = found.get(0);
        if (!user.isEnabled()) {
            throw new CpsRefusedException(CpsRefusal.ACCOUNT_DISABLED, "account disabled");
        }
        return user;
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        authenticate(context);
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // A card needs no setup in Keycloak.
    }

    @Override
    public void close() {
        // Nothing held per request.
    }
}
