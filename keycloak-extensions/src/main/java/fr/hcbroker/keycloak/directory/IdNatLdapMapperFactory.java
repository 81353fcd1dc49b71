package fr.hcbroker.keycloak.directory;

import java.util.List;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.storage.ldap.LDAPStorageProvider;
import org.keycloak.storage.ldap.mappers.AbstractLDAPStorageMapper;
import org.keycloak.storage.ldap.mappers.AbstractLDAPStorageMapperFactory;

/** The directory's idNat_PS, checked (docs/fr/annuaire.md). */
public final class IdNatLdapMapperFactory extends AbstractLDAPStorageMapperFactory {

    public static final String ID = "hc-idnat-ldap-mapper";
    static final String LDAP_ATTRIBUTE = "ldap.attribute";
    static final String DEFAULT_ATTRIBUTE = "employeeID";

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "Reads idNat_PS (and the RPPS it carries) from a directory attribute; the account that already holds it (local, "
                + "card, PSC) becomes the entry's; a malformed value, or one whose holder cannot be joined, is refused.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(LDAP_ATTRIBUTE).label("LDAP attribute").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_ATTRIBUTE)
                .helpText("Directory attribute holding the idNat_PS (Active Directory: employeeID by default).").add()
                .build();
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        checkMandatoryConfigAttribute(LDAP_ATTRIBUTE, "LDAP attribute", model);
    }

    @Override
    protected AbstractLDAPStorageMapper createMapper(ComponentModel model, LDAPStorageProvider provider) {
        return new IdNatLdapMapper(model, provider);
    }
}
