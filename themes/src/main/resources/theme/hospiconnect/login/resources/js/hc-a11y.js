// Repairs, without forking Keycloak's templates, the accessibility faults axe finds in them
// (WCAG 1.3.1 / 4.1.2): every form field gets an accessible name.
document.addEventListener("DOMContentLoaded", function () {
  // The page header shows the username being signed in as a read-only input without a label.
  var attempted = document.getElementById("kc-attempted-username");
  if (attempted && !attempted.hasAttribute("aria-label")) {
    attempted.setAttribute("aria-label", document.documentElement.lang === "fr" ? "Identifiant" : "Username");
  }
  // The TOTP setup page's labels point at ids that do not exist: tie each to its group's field.
  document.querySelectorAll("label[for]").forEach(function (label) {
    if (document.getElementById(label.htmlFor)) {
      return;
    }
    var group = label.closest(".pf-v5-c-form__group");
    var field = group && group.querySelector("input:not([type=hidden]), select, textarea");
    if (field && field.id && field.labels.length === 0) {
      label.htmlFor = field.id;
    }
  });
});
