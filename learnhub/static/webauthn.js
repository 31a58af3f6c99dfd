// The passkey ceremony (WebAuthn), the one script LearnHub serves (decision 0062). It runs only on the
// pages that register a passkey or sign in with one: a form with data-webauthn="register" or
// "authenticate" and the server's options in data-options. On submit it asks the browser for the
// credential, puts the answer (JSON, binary fields base64url) in the form's "credential" field and
// submits the form; the server checks everything. Without this script, or without WebAuthn support,
// the page says so and the rest of LearnHub works as before.
(function () {
  "use strict";
  var form = document.querySelector("form[data-webauthn]");
  if (!form) { return; }
  var status = document.getElementById("webauthn-status");
  var field = form.querySelector("input[name=credential]");

  function say(message) {
    status.textContent = message;
    status.hidden = false;
  }
  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBuffer(item.id), transports: item.transports };
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    say(status.dataset.unsupported);
    return;
  }
  form.addEventListener("submit", function (event) {
    if (field.value) { return; }
    event.preventDefault();
    var options = JSON.parse(form.dataset.options);
    options.challenge = toBuffer(options.challenge);
    var ceremony;
    if (form.dataset.webauthn === "register") {
      options.user.id = toBuffer(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      ceremony = navigator.credentials.create({ publicKey: options }).then(function (credential) {
        var response = credential.response;
        return {
          id: credential.id, rawId: toText(credential.rawId), type: credential.type,
          authenticatorAttachment: credential.authenticatorAttachment,
          clientExtensionResults: credential.getClientExtensionResults(),
          response: {
            clientDataJSON: toText(response.clientDataJSON),
            attestationObject: toText(response.attestationObject),
            transports: response.getTransports ? response.getTransports() : []
          }
        };
      });
    } else {
      options.allowCredentials = descriptors(options.allowCredentials);
      ceremony = navigator.credentials.get({ publicKey: options }).then(function (credential) {
        var response = credential.response;
        return {
          id: credential.id, rawId: toText(credential.rawId), type: credential.type,
          authenticatorAttachment: credential.authenticatorAttachment,
          clientExtensionResults: credential.getClientExtensionResults(),
          response: {
            clientDataJSON: toText(response.clientDataJSON),
            authenticatorData: toText(response.authenticatorData),
            signature: toText(response.signature),
            userHandle: response.userHandle ? toText(response.userHandle) : null
          }
        };
      });
    }
    ceremony.then(function (answer) {
      field.value = JSON.stringify(answer);
      HTMLFormElement.prototype.submit.call(form);  // a field named "submit" hides form.submit
    }).catch(function () {
      say(status.dataset.failed);
    });
  });
}());
