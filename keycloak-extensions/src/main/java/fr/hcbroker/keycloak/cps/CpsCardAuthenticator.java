package fr.hcbroker.keycloak.cps;

import fr.hcbroker.keycloak.loa.LoginLevel;
import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import jakarta.ws.rs.core.Response;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
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
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.services.x509.X509ClientCertificateLookup;

/**
 * Logs a professional in with the authentication certificate of their CPS card, at level high:
 * the chain (from Keycloak's {@code x509cert-lookup}: direct TLS or a trusted proxy's header) must
 * reach a configured IGC-Santé root, be fit for client authentication, not be revoked, and name an
 * idNat_PS held by exactly one account. No certificate: as an alternative, the step is skipped so
 * the other ways remain; where the card is required (level 3, step-up), a page asks for the card.
 * In a step-up the card must be the signed-in person's: a card never switches the session's user.
 *
 * <p>A refused card is recorded (event and audit) but never counts against an account's brute-force
 * lockout: browsers present a card by themselves, so its refusals are not its holder's attempts, and
 * counting them would lock the holder's password out too. A card refused in this login is not checked
 * or recorded again while the browser keeps presenting it: the refusal page's "other ways in" leads to
 * the forms (where the card is an alternative), or shows the same refusal (where it is required).
 */
public final class CpsCardAuthenticator implements Authenticator {

    public static final String IDNAT_ATTRIBUTE = "idnat_ps";
    static final String DETAIL_SERIAL = "cert_serial";
    static final String DETAIL_ISSUER = "cert_issuer";
    static final String DETAIL_IDNAT = "idnat";
    static final String CARD_REQUIRED_TEMPLATE = "hc-cps-card-required.ftl";
    static final String CARD_REFUSED_TEMPLATE = "hc-cps-card-refused.ftl";
    /** Authentication-session note: the SHA-256 of the card refused in this login, and why. */
    static final String REFUSED_NOTE = "hc.cps.refused";
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
            if (context.getExecution().isRequired()) {
                context.challenge(context.form().createForm(CARD_REQUIRED_TEMPLATE));
            } else {
                context.attempted();
            }
            return;
        }
        X509Certificate card = chain[0];
        String fingerprint = fingerprint(card);
        Optional<CpsRefusal> refusedEarlier = refusedEarlier(context, fingerprint);
        if (refusedEarlier.isPresent()) {
            if (context.getExecution().isRequired()) {
                context.challenge(refusalPage(context, refusedEarlier.get()));
            } else {
                context.attempted();
            }
            return;
        }
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
        CardSubject subject = null;
        try {
            List<X509Certificate> path = cps.chain().validate(chain, new Date());
            subject = CardSubject.of(X500Name.getInstance(card.getSubjectX500Principal().getEncoded()));
            event.detail(DETAIL_IDNAT, subject.idNat().value());
            X509Certificate issuer = path.size() > 1 ? path.get(1) : issuerAnchor(cps.config(), card);
            revocation.check(card, issuer, cps.config());
            UserModel user = signedInOwner(context.getUser(), subject);
            if (user == null) {
                user = user(context, subject, cps.config());
            }
            if (lockedOut(context, user)) {
                throw new CpsRefusedException(CpsRefusal.LOCKED_OUT, "account locked by brute-force protection");
            }
            event.user(user).detail(Details.USERNAME, user.getUsername());
            context.setUser(user);
            LoginLevel.record(context.getSession(), context.getAuthenticationSession(), Level.HIGH, AMR);
            context.success();
        } catch (CpsRefusedException e) {
            if (e.refusal() == CpsRefusal.REVOKED && context.getUser() == null) {
                // A genuine card (its chain is proven) that was revoked: the security officer sees whose.
                holderOf(context, subject).ifPresent(event::user);
            }
            LOG.infof("CPS card refused (serial %s): %s", card.getSerialNumber().toString(16), e.getMessage());
            event.detail(Details.REASON, e.refusal().name()).error(e.refusal().eventError());
            context.getAuthenticationSession().setAuthNote(REFUSED_NOTE, fingerprint + " " + e.refusal().name());
            // Never failureChallenge: that would count the browser's own presentation against the account.
            context.challenge(refusalPage(context, e.refusal()));
        }
    }

    /** The refusal's own message, with what to do next; 401, as the login was refused. */
    private static Response refusalPage(AuthenticationFlowContext context, CpsRefusal refusal) {
        Response page = context.form().setError(refusal.messageKey())
                .setAttribute("hcCardRequired", context.getExecution().isRequired())
                .createForm(CARD_REFUSED_TEMPLATE);
        return Response.fromResponse(page).status(Response.Status.UNAUTHORIZED).build();
    }

    /** The refusal recorded in this login for this very card, if any. */
    private static Optional<CpsRefusal> refusedEarlier(AuthenticationFlowContext context, String fingerprint) {
        String note = context.getAuthenticationSession().getAuthNote(REFUSED_NOTE);
        if (note == null || !note.startsWith(fingerprint + " ")) {
            return Optional.empty();
        }
        try {
            return Optional.of(CpsRefusal.valueOf(note.substring(fingerprint.length() + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String fingerprint(X509Certificate card) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(card.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static boolean lockedOut(AuthenticationFlowContext context, UserModel user) {
        BruteForceProtector protector = context.getSession().getProvider(BruteForceProtector.class);
        return context.getRealm().isBruteForceProtected()
                && (protector.isTemporarilyDisabled(context.getSession(), context.getRealm(), user)
                || protector.isPermanentlyLockedOut(context.getSession(), context.getRealm(), user));
    }

    private static Optional<UserModel> holderOf(AuthenticationFlowContext context, CardSubject subject) {
        if (subject == null) {
            return Optional.empty();
        }
        List<UserModel> found = context.getSession().users()
                .searchForUserByUserAttributeStream(context.getRealm(), IDNAT_ATTRIBUTE, subject.idNat().value())
                .limit(2).toList();
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
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

    /**
     * In a step-up the session already has its user: the card must carry that person's idNat_PS, and
     * no other account is looked up or created. Null when the flow has no user yet.
     */
    private static UserModel signedInOwner(UserModel signedIn, CardSubject subject) throws CpsRefusedException {
        if (signedIn == null) {
            return null;
        }
        if (!subject.idNat().value().equals(signedIn.getFirstAttribute(IDNAT_ATTRIBUTE))) {
            throw new CpsRefusedException(CpsRefusal.ANOTHER_PERSON, "card of another person than the session's");
        }
        return signedIn;
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

    /** The card pages' buttons: cancel goes back to the app; anything else checks the card again. */
    @Override
    public void action(AuthenticationFlowContext context) {
        if (context.getHttpRequest().getDecodedFormParameters().containsKey("cancel")) {
            context.cancelLogin();
            return;
        }
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
