package fr.hcbroker.keycloak.psc;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import java.util.List;
import java.util.Optional;

/**
 * Turns PSC's {@code acr} and {@code authMode} into our level. Which acr PSC sends is unconfirmed
 * (DESIGN.md §3), so the acr is only checked to be one of ours; the level comes from authMode when
 * present (the means actually used), else from the acr. Fails closed: no acr, an unknown acr or an
 * unknown authMode is refused.
 */
public record PscLevelPolicy(Level minimum, Level cardLevel, Level mobileLevel) {

    public static final PscLevelPolicy DEFAULT = new PscLevelPolicy(Level.SUBSTANTIAL, Level.HIGH, Level.SUBSTANTIAL);

    public PscLevelDecision decide(String acr, String authMode) {
        if (acr == null || acr.isBlank()) {
            return PscLevelDecision.refuse("Pro Santé Connect sent no acr");
        }
        Optional<Level> acrLevel = Level.fromAcr(acr);
        if (acrLevel.isEmpty()) {
            return PscLevelDecision.refuse("Pro Santé Connect sent an unknown acr");
        }
        Level level;
        List<Amr> amr;
        if (authMode == null || authMode.isBlank()) {
            level = acrLevel.get();
            amr = level == Level.HIGH ? List.of(Amr.SC, Amr.PIN, Amr.MFA) : List.of(Amr.SWK, Amr.PIN, Amr.MFA);
        } else if ("CARD".equals(authMode)) {
            level = cardLevel;
            amr = List.of(Amr.SC, Amr.PIN, Amr.MFA);
        } else if ("MOBILE".equals(authMode)) {
            level = mobileLevel;
            amr = List.of(Amr.SWK, Amr.PIN, Amr.MFA);
        } else {
            return PscLevelDecision.refuse("Pro Santé Connect sent an unknown authMode");
        }
        if (!level.atLeast(minimum)) {
            return PscLevelDecision.refuse("Pro Santé Connect login is below the required level " + minimum.acr());
        }
        return PscLevelDecision.accept(level, amr);
    }
}
