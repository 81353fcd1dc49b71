<#-- A person without a second factor chooses the one to enrol; there is deliberately no skip. -->
<#import "template.ftl" as layout>
<@layout.registrationLayout displayInfo=true; section>
    <#if section = "header">
        ${msg("hcEnrolTitle")}
    <#elseif section = "form">
        <form id="hc-enrol-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <p id="hc-enrol-intro">${msg("hcEnrolIntro")}</p>
            <div class="${properties.kcFormGroupClass!}" role="group" aria-labelledby="hc-enrol-intro">
                <#list hcEnrolMethods as method>
                    <button type="submit" name="method" value="${method}" id="hc-enrol-${method}"
                            class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}"
                            aria-describedby="hc-enrol-${method}-help">${msg("hcEnrol_" + method)}</button>
                    <p id="hc-enrol-${method}-help">${msg("hcEnrol_" + method + "_help")}</p>
                </#list>
            </div>
        </form>
    <#elseif section = "info">
        ${msg("hcEnrolWhy")}
    </#if>
</@layout.registrationLayout>
