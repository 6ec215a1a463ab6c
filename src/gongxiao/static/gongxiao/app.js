// Gongxiao page behaviour. Kept in a file (not inline) so the content security policy can
// forbid inline scripts.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});

// A step that cannot be undone (sealing the minutes) asks first; cancelling posts nothing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.gxConfirm && !window.confirm(form.dataset.gxConfirm)) {
    event.preventDefault();
  }
});

// A long choice (谈话对象, 被检查单位, a person among a county's hundreds) gets a box above it
// that hides the options not matching what is typed; the chosen ones stay chosen (and shown)
// whatever the filter.
const LONG_CHOICE = 15;
for (const select of document.querySelectorAll("select[data-gx-filter]")) {
  if (!select.multiple && select.options.length <= LONG_CHOICE) continue;
  const box = document.createElement("input");
  box.type = "search";
  box.className = "form-control form-control-sm mb-1";
  box.placeholder = select.dataset.gxFilter;
  box.setAttribute("aria-label", select.dataset.gxFilter);
  box.setAttribute("aria-controls", select.id);
  box.id = `${select.id}-filter`;
  const count = document.createElement("div");
  count.className = "form-text";
  count.id = `${select.id}-chosen`;
  const show = () => {
    const words = box.value.trim().toLowerCase();
    for (const option of select.options) {
      option.hidden = Boolean(words) && !option.selected && !option.text.toLowerCase().includes(words);
    }
    if (select.multiple) {
      count.textContent = `${select.selectedOptions.length} / ${select.options.length}`;
    }
  };
  box.addEventListener("input", show);
  select.addEventListener("change", show);
  select.before(box);
  select.after(count);
  show();
}
