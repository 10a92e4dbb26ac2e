// The back office's few behaviours htmx does not cover. Loaded as a file,
// so the admin runs under a CSP without inline scripts.
(() => {
  "use strict";

  // Escape in an inline editor cancels it: the Cancel link fetches the
  // field's shown value back in place of the form.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    const form = e.target.closest && e.target.closest("form[data-inline]");
    if (!form) return;
    const cancel = form.querySelector("[data-cancel]");
    if (!cancel) return;
    e.preventDefault();
    cancel.click();
  });

  // A colour field previews the venue's theme as it changes: it sets its
  // custom property (data-var, e.g. "--accent") on the nearest element
  // marked data-theme-scope, which the preview inherits from.
  document.addEventListener("input", (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "color") return;
    const name = input.dataset.var || (input.closest("[data-var]") || {}).dataset?.var;
    const scope = input.closest("[data-theme-scope]") || document.querySelector("[data-theme-scope]");
    if (!name || !scope || !/^--[a-z-]+$/.test(name)) return;
    scope.style.setProperty(name, input.value);
  });

  // After htmx swaps an inline editor in, put the caret at the end of its
  // text, where an editor usually continues typing.
  document.addEventListener("htmx:after:swap", () => {
    const el = document.activeElement;
    if (el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")) && el.closest("form[data-inline]")) {
      const end = el.value.length;
      el.setSelectionRange(end, end);
    }
  });
})();
