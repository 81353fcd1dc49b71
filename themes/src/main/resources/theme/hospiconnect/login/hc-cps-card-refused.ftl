<#--
  A card the browser presented was refused (the reason is the page's error message). Where the card is
  one way in among others, the person goes on to them: the same card is not checked again in this
  login, so a card left in the reader cannot loop back here. Where the card is required (an app at
  eidas3, a step-up), they retry with another card or cancel back to the app.
-->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayInfo=false; section>
    <#if section = "header">
        ${msg("hcCpsRefusedTitle")}
    <#elseif section = "form">
        <form id="hc-cps-card-refused" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <#if hcCardRequired>
                <button type="submit" id="hc-cps-card-retry" name="retry" value="card"
                        class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}">${msg("hcCpsCardRetryOther")}</button>
                <button type="submit" id="hc-cancel" name="cancel" value="cancel"
                        class="${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("hcCancelToApp")}</button>
            <#else>
                <p id="hc-cps-other-ways-help">${msg("hcCpsOtherWaysHelp")}</p>
                <button type="submit" id="hc-cps-other-ways" name="other" value="ways"
                        class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}"
                        aria-describedby="hc-cps-other-ways-help">${msg("hcCpsOtherWays")}</button>
            </#if>
        </form>
    </#if>
</@layout.registrationLayout>
