<#--
  The ways in besides the password form: Pro Santé Connect as a first-class button (blue block,
  white text, "Se connecter avec Pro Santé Connect", then the link "Qu'est-ce que Pro Santé
  Connect ?"), the CPS card, then any other identity provider as a plain
  link. The ANS charter itself could not be read (docs/fr/theme.md): colours and sizes are ours,
  chosen for contrast and touch targets. Everything is local: no image or font from elsewhere.
-->
<#macro show social>
  <section id="hc-ways-in" aria-labelledby="hc-ways-in-title">
    <h2 id="hc-ways-in-title" class="hc-ways-in-title">${msg("hcWaysInTitle")}</h2>
    <ul class="hc-ways-in-list">
      <#list social.providers?filter(p -> p.providerId == "pro-sante-connect") as p>
        <li>
          <#-- The name says the visible words, once: the spans stack visually, and not every reader adds the space. -->
          <a id="social-${p.alias}" class="hc-psc-button" href="${p.loginUrl}" data-once-link
             aria-label="${msg("hcPscButtonVerb")} Pro Santé Connect" aria-describedby="hc-psc-help">
            <svg class="hc-psc-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect x="1" y="1" width="30" height="30" rx="6" fill="#ffffff"/>
              <path d="M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z" fill="#000091"/>
            </svg>
            <span class="hc-psc-text">
              <span class="hc-psc-verb">${msg("hcPscButtonVerb")}</span>
              <span class="hc-psc-name">Pro Santé Connect</span>
            </span>
          </a>
          <p class="hc-way-help" id="hc-psc-help">${msg("hcPscButtonHelp")}</p>
          <p class="hc-way-help"><a id="hc-psc-about" class="hc-psc-about" href="${msg("hcPscAboutUrl")}"
             target="_blank" rel="noopener noreferrer">${msg("hcPscAbout")}<span class="hc-sr-only"> ${msg("hcNewWindow")}</span></a></p>
        </li>
      </#list>
      <li>
        <a id="hc-cps-card" class="hc-cps-button" href="${url.loginRestartFlowUrl}" aria-describedby="hc-cps-help">
          <svg class="hc-cps-mark" viewBox="0 0 32 24" aria-hidden="true" focusable="false">
            <rect x="1" y="1" width="30" height="22" rx="3" fill="none" stroke="currentColor" stroke-width="2"/>
            <rect x="5" y="7" width="8" height="7" rx="1" fill="currentColor"/>
          </svg>
          <span>${msg("hcCpsButton")}</span>
        </a>
        <p class="hc-way-help" id="hc-cps-help">${msg("hcCpsButtonHelp")}</p>
        <p class="hc-way-help" id="hc-cps-not-offered">${msg("hcCpsNotOffered")}</p>
      </li>
      <#list social.providers?filter(p -> p.providerId != "pro-sante-connect") as p>
        <li><a id="social-${p.alias}" class="hc-other-idp" href="${p.loginUrl}" data-once-link>${p.displayName!p.alias}</a></li>
      </#list>
    </ul>
  </section>
</#macro>
