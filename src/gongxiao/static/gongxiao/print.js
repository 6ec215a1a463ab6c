// The print button of a printable record (no inline script: the CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("btn-print");
  if (button) button.addEventListener("click", () => window.print());
});
