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

  // Picture uploads show their progress. htmx sends with fetch(), which
  // reports none while sending, so a form marked data-upload is sent here
  // with XMLHttpRequest, with the headers htmx would send (the layout's
  // X-CSRF-Token among them), and its answer is swapped in with htmx's own
  // swap, so the htmx attributes in it work: the new picture's card goes
  // first in data-upload-target (or replaces the card already there, when
  // the same picture was sent twice), a refusal (422) replaces the form,
  // and an error page's flash goes where the server retargets it. Without
  // JavaScript the form is a plain multipart POST.
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload") || e.defaultPrevented) return;
    if (!window.XMLHttpRequest || !window.htmx) return;
    e.preventDefault();
    uploadForm(form);
  });

  function csrfToken(form) {
    const field = form.querySelector('input[name="_csrf"]');
    if (field && field.value) return field.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch {
      return "";
    }
  }

  function uploadForm(form) {
    const msg = (name) => form.dataset["msg" + name] || "";
    const box = form.querySelector(".media-upload__progress");
    const bar = box && box.querySelector("progress");
    const status = box && box.querySelector(".media-upload__status");
    const button = form.querySelector('button[type="submit"]');
    const input = form.querySelector('input[type="file"]');
    const file = input && input.files && input.files[0];
    const say = (text) => { if (status) status.textContent = text; };
    if (box) box.hidden = false;
    const limit = Number(form.dataset.maxBytes || 0);
    if (file && limit && file.size > limit) {
      say(msg("TooLarge"));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.setRequestHeader("HX-Request-Type", "partial");
    const token = csrfToken(form);
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);
    if (bar) {
      bar.max = 100;
      bar.value = 0;
    }
    // Screen readers hear every tenth percent, not every event.
    let spoken = -1;
    xhr.upload.addEventListener("progress", (ev) => {
      if (!ev.lengthComputable || !bar) return;
      bar.max = ev.total;
      bar.value = ev.loaded;
      const percent = Math.floor((ev.loaded / ev.total) * 100);
      if (Math.floor(percent / 10) !== spoken) {
        spoken = Math.floor(percent / 10);
        say(msg("Progress").replace("{percent}", String(percent)));
      }
    });
    xhr.upload.addEventListener("load", () => {
      if (bar) bar.value = bar.max;
      say(msg("Processing"));
    });
    const done = () => {
      if (button) button.disabled = false;
      form.removeAttribute("aria-busy");
    };
    xhr.addEventListener("load", () => {
      done();
      placeAnswer(form, xhr, say, msg);
    });
    xhr.addEventListener("error", () => {
      done();
      say(msg("Failed"));
    });
    // One upload at a time: a second click would send the same file again.
    if (button) button.disabled = true;
    form.setAttribute("aria-busy", "true");
    xhr.send(new FormData(form));
  }

  function placeAnswer(form, xhr, say, msg) {
    const text = xhr.responseText;
    const retarget = xhr.getResponseHeader("HX-Retarget");
    if (xhr.status >= 200 && xhr.status < 300) {
      const tpl = document.createElement("template");
      tpl.innerHTML = text.trim();
      const root = tpl.content.firstElementChild;
      const old = root && root.id && document.getElementById(root.id);
      const grid = document.querySelector(form.dataset.uploadTarget || "");
      if (old) {
        htmx.swap({ text, target: old, swap: "outerHTML" });
      } else if (grid) {
        htmx.swap({ text, target: grid, swap: "afterbegin" });
      }
      form.querySelector('input[type="file"]').value = "";
      say(msg("Done"));
    } else if (xhr.status === 422) {
      htmx.swap({ text, target: form, swap: "outerHTML" });
    } else if (retarget && document.querySelector(retarget)) {
      htmx.swap({ text, target: document.querySelector(retarget), swap: xhr.getResponseHeader("HX-Reswap") || "outerHTML" });
      say("");
    } else {
      // A refusal before the app (a body over the server's limit) is not
      // HTML to show.
      say(xhr.status === 413 ? msg("TooLarge") : msg("Failed"));
    }
  }
})();
