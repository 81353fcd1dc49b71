<#-- Level 3 (or a step-up to it) needs the card and none was presented: say so, and let the person retry once the card is in, or cancel back to the app. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayInfo=false; section>
    <#if section = "header">
        ${msg("hcCpsCardRequiredTitle")}
    <#elseif section = "form">
        <form id="hc-cps-card-required" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <p id="hc-cps-card-required-text">${msg("hcCpsCardRequired")}</p>
            <button type="submit" id="hc-cps-card-retry" name="retry" value="card"
                    class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}"
                    aria-describedby="hc-cps-card-required-text">${msg("hcCpsCardRetry")}</button>
            <button type="submit" id="hc-cancel" name="cancel" value="cancel"
                    class="${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("hcCancelToApp")}</button>
        </form>
    </#if>
</@layout.registrationLayout>
