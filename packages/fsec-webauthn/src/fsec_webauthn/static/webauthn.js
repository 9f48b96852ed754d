/* fsec-webauthn: the browser side of a passkey ceremony, with no build step.
 *
 * A form with data-wan-ceremony="create" (registration) or "get" (sign-in) and
 * data-wan-options naming a <script type="application/json"> holding the server's
 * options (py_webauthn's options_to_json) is completed on page load: the options'
 * base64url fields become ArrayBuffers, navigator.credentials.create/get runs, the
 * answer is serialised to JSON (base64url again) into the form's "credential" field,
 * and the form is submitted. Errors are shown in the form's status line, worded by the
 * page (data-wan-failed, data-wan-checking, data-wan-unsupported: translated there).
 */
(function () {
  "use strict";

  function toBuffer(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var copy = Object.assign({}, d);
      copy.id = toBuffer(d.id);
      return copy;
    });
  }

  function creationOptions(o) {
    o.challenge = toBuffer(o.challenge);
    o.user.id = toBuffer(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = toBuffer(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return o;
  }

  function serialise(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = toB64url(r.userHandle);
    }
    return JSON.stringify(out);
  }

  function status(form, text, isError) {
    var line = form.querySelector(".fsec-wan-status");
    if (line) {
      line.textContent = text;
      line.className = "fsec-wan-status" + (isError ? " fsec-errors" : "");
      if (isError) { line.setAttribute("role", "alert"); }
    }
  }

  function run(form) {
    var source = document.getElementById(form.getAttribute("data-wan-options"));
    if (!source) { return; }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      status(form, form.getAttribute("data-wan-unsupported") || "Passkeys are not available here.", true);
      return;
    }
    var options = JSON.parse(source.textContent);
    var create = form.getAttribute("data-wan-ceremony") === "create";
    var call = create
      ? navigator.credentials.create({ publicKey: creationOptions(options) })
      : navigator.credentials.get({ publicKey: requestOptions(options) });
    call.then(function (cred) {
      var field = form.querySelector("input[name=credential]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "credential";
        form.appendChild(field);
      }
      field.value = serialise(cred);
      status(form, form.getAttribute("data-wan-checking") || "...", false);
      form.submit();
    }).catch(function (err) {
      status(form, (form.getAttribute("data-wan-failed") || "Failed.") + " (" +
        (err && err.name ? err.name : err) + ")", true);
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-wan-ceremony]");
    for (var i = 0; i < forms.length; i++) { run(forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
