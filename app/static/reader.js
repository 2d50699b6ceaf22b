// The document reader: the part a link lands on (#statement-…, #reference-…) is highlighted whole, not only the
// first piece that CSS :target marks, and brought to the middle of the window.
function highlightTarget() {
  document.querySelectorAll(".reader .hit").forEach((el) => el.classList.remove("hit"));
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  const part = target.dataset.part && target.id === target.dataset.part ? target.dataset.part : id;
  document.querySelectorAll(`.reader [data-part="${CSS.escape(part)}"]`).forEach((el) => el.classList.add("hit"));
  target.scrollIntoView({block: "center"});
  document.body.dataset.target = id;
}
window.addEventListener("hashchange", highlightTarget);
highlightTarget();
