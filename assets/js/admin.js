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

  // Live pages. The socket's frames carry no content, only a marker
  // (data-admin-rev) with the entity's new version, swapped in by hx-ws.
  // When a marker shows a version this page has not seen, the page is
  // fetched again with the editor's own session and what changed is
  // swapped in: fields shown, status, history, and forms nobody is
  // typing in. A field being edited keeps its input; when its stored value
  // moved on, a notice says so, and saving then answers with the 409 form
  // that shows both values.
  const seen = new Map();
  document.querySelectorAll("[data-admin-rev]").forEach((m) => seen.set(m.id, m.dataset.version));
  let refreshing = false;
  let again = false;

  function revChanged(marker) {
    const v = marker.dataset.version;
    if (!marker.id || seen.get(marker.id) === v) return;
    seen.set(marker.id, v);
    refresh();
  }

  // htmx replaces the marker (a new node) or, when settling, its
  // attribute: either way the observer sees it.
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes" && r.target.matches("[data-admin-rev]")) revChanged(r.target);
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.matches("[data-admin-rev]")) revChanged(n);
        n.querySelectorAll("[data-admin-rev]").forEach(revChanged);
      }
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-version"] });

  // One refresh at a time; changes heard meanwhile make one more.
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    // Assistive technology waits for the parts to settle.
    const main = document.getElementById("main");
    if (main) main.setAttribute("aria-busy", "true");
    try {
      do {
        again = false;
        await refreshOnce();
      } while (again);
    } catch (err) {
      // The next change or a reload brings the page up to date.
      console.warn("admin: live refresh failed", err);
    } finally {
      refreshing = false;
      if (main) main.removeAttribute("aria-busy");
    }
  }

  async function fetchHTML(url, partial) {
    const headers = { Accept: "text/html" };
    if (partial) {
      headers["HX-Request"] = "true";
      headers["HX-Request-Type"] = "partial";
    }
    const res = await fetch(url, { credentials: "same-origin", headers, cache: "no-store" });
    if (!res.ok) return null;
    return new DOMParser().parseFromString(await res.text(), "text/html");
  }

  // A form that holds something the editor typed or chose.
  function dirty(form) {
    if (form.contains(document.activeElement)) return true;
    for (const el of form.elements) {
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el instanceof HTMLSelectElement) {
        for (const o of el.options) if (o.selected !== o.defaultSelected) return true;
      } else if ("defaultValue" in el && el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // A part that answers something the editor did (a refusal, a conflict)
  // stays until the editor deals with it.
  function holdsMessage(el) {
    return el.matches(".field--invalid, .field--conflict") ||
      el.querySelector(".field__error, .field__conflict, [aria-invalid='true'], [role='alert']") !== null;
  }

  async function refreshOnce() {
    const doc = await fetchHTML(location.pathname + location.search, false);
    const main = document.getElementById("main");
    const fresh = doc && doc.getElementById("main");
    if (!main || !fresh) return;
    const title = main.querySelector("h1");
    const freshTitle = fresh.querySelector("h1");
    if (title && freshTitle && title.textContent !== freshTitle.textContent) title.textContent = freshTitle.textContent;
    const editing = [];
    for (const el of main.querySelectorAll(".field[id], .entity-status[id], .history[id], form[id]")) {
      if (el.matches("form[data-inline]")) {
        editing.push(el);
        continue;
      }
      // Another kind of editor open in place (the picture picker) stays.
      if (el.matches(".field--editing")) continue;
      if (!el.isConnected || el.parentElement.closest(".field[id], .entity-status[id], .history[id], form[id]")) continue;
      if (el.matches("form") && dirty(el)) continue;
      if (el.contains(document.activeElement) || holdsMessage(el)) continue;
      const next = doc.getElementById(el.id);
      if (next && next.outerHTML !== el.outerHTML) htmx.swap({ text: next.outerHTML, target: el, swap: "outerHTML" });
    }
    for (const form of editing) await checkEditor(form, doc);
  }

  // A field being edited: if its stored value is no longer the one the
  // editor started from, say so beside the input, which is left alone.
  async function checkEditor(form, doc) {
    const url = form.getAttribute("action");
    const mine = form.querySelector('input[name="original"]');
    if (!url || !mine) return;
    const edit = await fetchHTML(url + "/edit", true);
    const theirs = edit && edit.querySelector('input[name="original"]');
    if (!theirs || !form.isConnected) return;
    let notice = form.querySelector(".field__notice");
    if (theirs.value === mine.value) {
      // Another field of the row changed: the save merges (see inlineSave).
      return;
    }
    const shown = doc.getElementById(form.id);
    const valueEl = shown && shown.querySelector(".field__value");
    let text = theirs.value;
    if (valueEl) {
      valueEl.querySelectorAll(".visually-hidden").forEach((h) => h.remove());
      text = valueEl.textContent.trim();
    }
    const socket = document.getElementById("live-socket");
    const template = (socket && socket.dataset.liveChanged) || "{value}";
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "field__conflict field__notice";
      notice.setAttribute("role", "status");
      notice.id = form.id + "-notice";
      const label = form.querySelector(".field__label");
      if (label) label.after(notice);
      else form.prepend(notice);
    }
    notice.textContent = template.replace("{value}", text);
  }

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
