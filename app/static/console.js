// The console: Ctrl+Enter (or Cmd+Enter) runs the query; a column's heading sorts the page of results shown.
(function () {
  const area = document.querySelector("textarea.query");
  if (area) {
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        area.form.requestSubmit();
      }
    });
  }
  document.querySelectorAll("table.results button.sort").forEach((button, column) => {
    button.addEventListener("click", () => {
      const body = button.closest("table").tBodies[0];
      const rows = Array.from(body.rows);
      const up = button.dataset.order !== "up";
      const number = (text) => (text.trim() !== "" && !isNaN(text) ? Number(text) : null);
      rows.sort((a, b) => {
        const x = a.cells[column].innerText, y = b.cells[column].innerText;
        const nx = number(x), ny = number(y);
        const order = nx !== null && ny !== null ? nx - ny : x.localeCompare(y);
        return up ? order : -order;
      });
      rows.forEach((r) => body.appendChild(r));
      document.querySelectorAll("table.results button.sort").forEach((b) => { delete b.dataset.order; });
      button.dataset.order = up ? "up" : "down";
    });
  });
})();
