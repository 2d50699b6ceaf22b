// A small SPARQL editor for the console: highlighting over a textarea, and completion of
// prefixes and prefixed terms from the graph's own vocabulary (the textarea's data-terms URL, offline).
(function () {
  const area = document.querySelector("textarea.query");
  if (!area || area.closest(".editor")) return;
  const wrap = document.createElement("div");
  wrap.className = "editor";
  area.parentNode.insertBefore(wrap, area);
  const shade = document.createElement("pre");
  shade.className = "highlight";
  shade.setAttribute("aria-hidden", "true");
  wrap.appendChild(shade);
  wrap.appendChild(area);
  const menu = document.createElement("ul");
  menu.className = "completions";
  menu.hidden = true;
  wrap.appendChild(menu);

  const keywords = /\b(SELECT|DISTINCT|REDUCED|WHERE|FILTER|OPTIONAL|UNION|MINUS|GRAPH|PREFIX|BASE|ORDER|BY|GROUP|HAVING|LIMIT|OFFSET|ASK|CONSTRUCT|DESCRIBE|FROM|NAMED|VALUES|BIND|AS|NOT|EXISTS|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|STR|LANG|REGEX|CONTAINS|STRSTARTS|LCASE|UCASE|IF|COALESCE|ASC|DESC|a)\b/g;
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  function paint() {
    // strings, IRIs and comments first, so that nothing inside them is coloured as a keyword
    const parts = area.value.split(/("(?:[^"\\\n]|\\.)*"|<[^<>\s]*>|#[^\n]*)/g);
    shade.innerHTML = parts.map((p, i) => {
      if (i % 2) {
        const cls = p.startsWith("#") ? "cm" : p.startsWith("<") ? "iri" : "str";
        return `<span class="${cls}">${escape(p)}</span>`;
      }
      return escape(p)
        .replace(/([?$][A-Za-z_][\w]*)/g, '<span class="var">$1</span>')
        .replace(/\b([a-z][\w-]*:[A-Za-z_][\w.-]*)/g, '<span class="pn">$1</span>')
        .replace(keywords, '<span class="kw">$1</span>');
    }).join("") + "\n";
    shade.scrollTop = area.scrollTop;
  }

  let terms = null;
  async function vocabulary() {
    if (!terms) {
      const reply = await (await fetch(area.dataset.terms)).json();
      terms = Object.keys(reply.prefixes).map((p) => p + ":").concat(reply.terms);
    }
    return terms;
  }
  function currentWord() {
    const before = area.value.slice(0, area.selectionStart);
    const m = before.match(/([a-z][\w-]*:?[\w.-]*)$/);
    return m ? m[1] : "";
  }
  let choices = [], active = 0;
  function show() {
    menu.innerHTML = "";
    choices.forEach((c, i) => {
      const li = document.createElement("li");
      li.textContent = c;
      if (i === active) li.className = "active";
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); accept(c); });
      menu.appendChild(li);
    });
    menu.hidden = choices.length === 0;
  }
  function accept(choice) {
    const word = currentWord();
    const start = area.selectionStart - word.length;
    area.value = area.value.slice(0, start) + choice + area.value.slice(area.selectionStart);
    area.selectionStart = area.selectionEnd = start + choice.length;
    choices = [];
    show();
    paint();
    area.focus();
  }
  area.addEventListener("input", async () => {
    paint();
    if (currentWord().length < 2) { choices = []; show(); return; }
    const all = await vocabulary();
    // read the word after waiting: typing may have gone on while the terms were fetched
    const word = currentWord();
    if (word.length < 2) { choices = []; show(); return; }
    const lower = word.toLowerCase();
    choices = all.filter((t) => t.toLowerCase().startsWith(lower) && t !== word).slice(0, 12);
    active = 0;
    show();
  });
  area.addEventListener("keydown", (ev) => {
    if (menu.hidden) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      active = (active + (ev.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      show();
      ev.preventDefault();
    } else if (ev.key === "Tab" || ev.key === "Enter") {
      accept(choices[active]);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      choices = [];
      show();
    }
  });
  area.addEventListener("scroll", () => { shade.scrollTop = area.scrollTop; });
  paint();
  document.body.dataset.editor = "1";
})();
