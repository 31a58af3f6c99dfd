// Keyboard shortcuts in the authoring file editor (issue 16, decision 0079), optional: without this script every
// button works as before. Ctrl+Enter (Cmd+Enter on a Mac) previews what is typed; Ctrl+S (Cmd+S) saves it. They
// press the form's own buttons, so the server does exactly what a click does. Served from our origin (CSP intact).
(function () {
  "use strict";
  var form = document.querySelector("form.editor-form");
  if (!form) { return; }
  var preview = form.querySelector("button[data-shortcut=preview]");
  var save = form.querySelector("[data-shortcut=save]");
  var hint = document.getElementById("editor-shortcuts");
  if (hint) { hint.hidden = false; }  // the shortcuts exist only with this script: say so only then
  form.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
    var target = event.key === "Enter" ? preview : (event.key === "s" || event.key === "S") ? save : null;
    if (!target) { return; }
    event.preventDefault();
    target.click();
  });
}());
