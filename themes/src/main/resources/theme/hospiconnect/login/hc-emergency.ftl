<#-- Emergency access ("bris de glace"): a reason from the realm's list, a few words, or the ordinary way. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayInfo=true; section>
    <#if section = "header">
        ${msg("hcEmergencyTitle")}
    <#elseif section = "form">
        <form id="hc-emergency-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <p id="hc-emergency-intro">${msg("hcEmergencyIntro", hcEmergencyHours?string("0.##"))}</p>
            <fieldset class="${properties.kcFormGroupClass!}">
                <legend>${msg("hcEmergencyReasonLegend")}</legend>
                <#list hcEmergencyReasons as reason>
                    <div>
                        <input type="radio" name="reason" id="hc-emergency-reason-${reason.code}" value="${reason.code}"
                               <#if reason.code == hcEmergencyReason>checked</#if> required>
                        <label for="hc-emergency-reason-${reason.code}">${reason.label}</label>
                    </div>
                </#list>
            </fieldset>
            <div class="${properties.kcFormGroupClass!}">
                <label for="hc-emergency-note">${msg("hcEmergencyNoteLabel", hcEmergencyNoteMax?c)}</label>
                <textarea id="hc-emergency-note" name="note" rows="3" maxlength="${hcEmergencyNoteMax?c}"
                          class="${properties.kcInputClass!}">${hcEmergencyNote}</textarea>
            </div>
            <p id="hc-emergency-warning">${msg("hcEmergencyWarning")}</p>
            <button type="submit" name="choice" value="emergency" id="hc-emergency-open"
                    class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}">${msg("hcEmergencyOpen")}</button>
            <button type="submit" name="choice" value="ordinary" id="hc-emergency-decline" formnovalidate
                    class="${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("hcEmergencyDecline")}</button>
        </form>
    <#elseif section = "info">
        ${msg("hcEmergencyWhy")}
    </#if>
</@layout.registrationLayout>
