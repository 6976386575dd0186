// The bilingual reader: one grid of paragraph rows, German left, English right.
//
// The page is built from the JSON of translator/reader/payload.py with createElement and
// textContent only: no string is ever parsed as HTML, so a document holding <script> shows those
// characters. One delegated mouseover/focusin handler lights what corresponds to the word or
// sentence under the pointer (or keyboard focus) by toggling classes on a handful of elements, so
// a hover costs the same on a long document as on a short one.
//
// Used twice: as the default export of a Streamlit custom component (v2), and inlined into the
// standalone bilingual HTML file, which calls mount({data, parentElement}) itself.

const mounted = new WeakMap(); // parentElement → teardown of the reader drawn into it

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  // Streamlit calls this again when `data` changes, without running the previous cleanup.
  const previous = mounted.get(parentElement);
  if (previous) previous();
  const teardown = draw(parentElement, data || {}, setTriggerValue);
  mounted.set(parentElement, teardown);
  return () => {
    if (mounted.get(parentElement) === teardown) {
      teardown();
      mounted.delete(parentElement);
    }
  };
}

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function draw(host, data, setTriggerValue) {
  const root = node("div", "bi-root");
  if (data.shade) root.classList.add("bi-shade");
  const grid = node("div", "bi-grid");
  root.appendChild(grid);
  grid.appendChild(node("div", "bi-head", "Deutsch")).lang = "de";
  grid.appendChild(node("div", "bi-head", "English")).lang = "en";

  const sentences = data.sentences || [];
  const deLinks = data.de_links || [];
  const enLinks = data.en_links || [];
  const low = new Set(data.en_low || []);
  const offerAlternatives = Boolean(data.alternatives && setTriggerValue);
  const words = { de: [], en: [] }; // word id → element
  const sentenceOf = { de: [], en: [] }; // sentence index → element

  function drawSide(items, side) {
    const cell = node("div", `bi-cell bi-${side}`);
    cell.lang = side;
    for (const item of items) {
      if (typeof item === "string") {
        cell.appendChild(document.createTextNode(item));
        continue;
      }
      const info = sentences[item.s] || {};
      const sentence = node("span", "bi-s");
      sentence.dataset.s = String(item.s);
      sentence.dataset.side = side;
      sentence.tabIndex = 0;
      for (const flag of info.flags || []) sentence.classList.add(`bi-flag-${flag}`);
      if (side === "en" && info.label) sentence.dataset.score = info.label;
      for (const piece of item.t) {
        if (typeof piece === "string") {
          sentence.appendChild(document.createTextNode(piece));
          continue;
        }
        const [text, id] = piece;
        const word = node("span", "bi-w", text);
        word.dataset.w = String(id);
        word.tabIndex = -1;
        if (side === "en" && low.has(id)) word.classList.add("bi-low");
        words[side][id] = word;
        sentence.appendChild(word);
      }
      sentenceOf[side][item.s] = sentence;
      cell.appendChild(sentence);
      const choices = info.alternatives || [];
      if (side === "en" && offerAlternatives && choices.length) {
        const button = node("span", "bi-alt");
        button.setAttribute("role", "button");
        button.setAttribute("aria-haspopup", "menu");
        button.setAttribute(
          "aria-label",
          `${choices.length} alternative translation${choices.length > 1 ? "s" : ""}`,
        );
        button.title = "Alternative translations";
        button.dataset.s = String(item.s);
        button.tabIndex = -1;
        cell.appendChild(button);
      }
    }
    return cell;
  }

  for (const row of data.rows || []) {
    const line = node("div", "bi-row");
    line.appendChild(drawSide(row.de || [], "de"));
    line.appendChild(drawSide(row.en || [], "en"));
    grid.appendChild(line);
  }

  // -- highlighting ---------------------------------------------------------------------------
  let lit = [];
  let current = null;

  function light(elements, className) {
    for (const element of elements) {
      if (!element) continue;
      element.classList.add(className);
      lit.push([element, className]);
    }
  }

  function clear() {
    for (const [element, className] of lit) element.classList.remove(className);
    lit = [];
    current = null;
  }

  function activate(target) {
    const word = target.closest ? target.closest(".bi-w") : null;
    const sentence = target.closest ? target.closest(".bi-s") : null;
    const key = word || sentence;
    if (key === current) return;
    clear();
    if (!sentence || !root.contains(sentence)) return;
    current = key;
    const index = Number(sentence.dataset.s);
    light([sentenceOf.de[index], sentenceOf.en[index]], "bi-on");
    if (word) {
      const german = sentence.dataset.side === "de";
      const ids = (german ? deLinks : enLinks)[Number(word.dataset.w)] || [];
      const other = german ? words.en : words.de;
      light([word], "bi-self");
      light(
        ids.map((id) => other[id]),
        "bi-hit",
      );
    }
  }

  // -- alternatives ---------------------------------------------------------------------------
  let menu = null;

  function closeMenu(refocus) {
    if (!menu) return;
    const { element, sentence } = menu;
    menu = null; // first: removing the focused element fires focusout, which comes back here
    element.remove();
    if (refocus && sentence) sentence.focus();
  }

  function openMenu(index) {
    closeMenu(false);
    const sentence = sentenceOf.en[index];
    const choices = (sentences[index] || {}).alternatives || [];
    if (!sentence || !choices.length || !offerAlternatives) return;
    const element = node("div", "bi-menu");
    element.setAttribute("role", "menu");
    element.setAttribute("aria-label", "Alternative translations");
    element.appendChild(node("div", "bi-menu-title", "Alternative translations"));
    for (const choice of choices) {
      const option = node("button", "bi-menu-item", choice);
      option.type = "button";
      option.setAttribute("role", "menuitem");
      option.addEventListener("click", () => {
        setTriggerValue("choose", { sentence: index, text: choice });
        closeMenu(true);
      });
      element.appendChild(option);
    }
    sentence.parentElement.appendChild(element);
    element.style.top = `${sentence.offsetTop + sentence.offsetHeight + 4}px`;
    menu = { element, sentence };
    element.querySelector("button").focus();
  }

  // -- events ---------------------------------------------------------------------------------
  const onOver = (event) => activate(event.target);
  const onLeave = () => clear();
  const onFocusIn = (event) => activate(event.target);
  const onFocusOut = (event) => {
    if (!root.contains(event.relatedTarget)) clear();
    if (menu && !menu.element.contains(event.relatedTarget)) closeMenu(false);
  };
  const onClick = (event) => {
    const button = event.target.closest ? event.target.closest(".bi-alt") : null;
    if (button) openMenu(Number(button.dataset.s));
  };
  const onKey = (event) => {
    if (event.key === "Escape" && menu) {
      closeMenu(true);
      event.preventDefault();
      return;
    }
    if (menu && menu.element.contains(event.target)) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const options = [...menu.element.querySelectorAll("button")];
        const at = options.indexOf(event.target);
        const next = event.key === "ArrowDown" ? at + 1 : at - 1;
        options[(next + options.length) % options.length].focus();
        event.preventDefault();
      }
      return;
    }
    const sentence = event.target.closest ? event.target.closest(".bi-s") : null;
    if (!sentence) return;
    if (event.key === "Enter" && sentence.dataset.side === "en") {
      openMenu(Number(sentence.dataset.s));
      event.preventDefault();
      return;
    }
    const list = [...sentence.querySelectorAll(".bi-w")];
    if (!list.length) return;
    const at = list.indexOf(event.target);
    if (event.key === "ArrowRight") list[Math.min(at + 1, list.length - 1)].focus();
    else if (event.key === "ArrowLeft") {
      if (at <= 0) sentence.focus();
      else list[at - 1].focus();
    } else if (event.key === "Escape") sentence.focus();
    else return;
    event.preventDefault();
  };

  root.addEventListener("mouseover", onOver);
  root.addEventListener("mouseleave", onLeave);
  root.addEventListener("focusin", onFocusIn);
  root.addEventListener("focusout", onFocusOut);
  root.addEventListener("click", onClick);
  root.addEventListener("keydown", onKey);
  host.appendChild(root);

  return () => {
    root.removeEventListener("mouseover", onOver);
    root.removeEventListener("mouseleave", onLeave);
    root.removeEventListener("focusin", onFocusIn);
    root.removeEventListener("focusout", onFocusOut);
    root.removeEventListener("click", onClick);
    root.removeEventListener("keydown", onKey);
    root.remove();
  };
}
