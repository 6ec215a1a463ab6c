// Gongxiao page behaviour. Kept in a file (not inline) so the content security policy can
// forbid inline scripts.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});
