// The compare page: a class button folds and unfolds the rows of its interventions.
document.querySelectorAll("button.fold").forEach((b) => b.addEventListener("click", () => {
  const rows = document.querySelectorAll("tr.g" + b.dataset.group);
  const hide = rows.length && rows[0].style.display !== "none";
  rows.forEach((r) => { r.style.display = hide ? "none" : ""; });
  b.textContent = (hide ? "▸ " : "▾ ") + b.textContent.slice(2);
}));
