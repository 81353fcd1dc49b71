<#-- An emergency access refused: why, and whom to call. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        ${msg("hcEmergencyRefusedTitle")}
    <#elseif section = "form">
        <div id="hc-emergency-refused" role="alert">
            <p id="hc-emergency-refusal">${msg(hcEmergencyRefusal)}</p>
            <#if hcEmergencyContact?has_content>
                <p id="hc-emergency-contact">${msg("hcEmergencyContact", hcEmergencyContact)}</p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
