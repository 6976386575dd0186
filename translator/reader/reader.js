// The bilingual reader: one grid of paragraph rows, German left, English right (stacked on a
// phone), a toolbar above and a sentence bar below.
//
// Everything is built from the JSON of translator/reader/payload.py with createElement and
// textContent only: no string is ever parsed as HTML, so a document holding <script> shows those
// characters. One delegated mouseover/focusin handler lights what corresponds to the word or
// sentence under the pointer (or keyboard focus) by toggling classes on a handful of elements,
// so a hover costs the same on a long document as on a short one.
//
// Rows arrive a few at a time (translator/reader/view.py): each message holds the rows changed
// since the change the browser last reported (`have`), and each row is replaced in place, so the
// rows above stay where they are and the reader keeps their place while the rest streams in.
//
// Keyboard: one tab stop per row (roving tabindex); Up/Down between sentences, Left/Right
// between words, Enter jumps to the other language, M (or the menu key) opens a sentence's menu,
// Escape goes back. Used twice: as the default export of a Streamlit custom component (v2), and
// inlined into the standalone bilingual HTML file, which calls mount({data, parentElement}).

const mounted = new WeakMap(); // host element → the Reader drawn into it
const kept = new Map(); // view → a Reader whose host went away (Streamlit remounted it)
let shadePreference = false; // the shading switch, kept across documents on one page

export default function mount(component) {
  const { data, parentElement: host, setStateValue, setTriggerValue } = component;
  if (!data || data.version !== 2) return undefined;
  let reader = mounted.get(host);
  if (reader && reader.view !== data.view) {
    reader.destroy();
    reader = null;
  }
  if (!reader) {
    // A remount of the same view takes the rows already drawn with it: no redraw, no jump.
    reader = kept.get(data.view) || new Reader(data.view);
    kept.delete(data.view);
    reader.attach(host);
    mounted.set(host, reader);
  }
  reader.report = setStateValue || null;
  reader.send = setTriggerValue || null;
  reader.apply(data);
  return () => {
    if (mounted.get(host) !== reader) return;
    mounted.delete(host);
    reader.detach();
    for (const [view, other] of kept) {
      other.destroy();
      kept.delete(view);
    }
    kept.set(reader.view, reader);
  };
}

const LONGEST_WAIT = 2; // seconds between redraws asked for while nothing changes
const KEYS_HINT =
  "Keys: Tab next paragraph · ↑ ↓ sentences · ← → words · Enter the other language · " +
  "M menu (copy, alternatives) · Esc back";

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function button(className, text, label) {
  const element = node("button", className, text);
  element.type = "button";
  if (label) element.setAttribute("aria-label", label);
  return element;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const area = node("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (_) {
      done = false;
    }
    area.remove();
    return done;
  }
}

function textOf(items) {
  let out = "";
  for (const item of items || []) {
    if (typeof item === "string") out += item;
    else for (const piece of item.t) out += typeof piece === "string" ? piece : piece[0];
  }
  return out;
}

class Reader {
  constructor(view) {
    this.host = null;
    this.view = view;
    this.seq = -1;
    this.g = 0;
    this.state = {};
    this.rows = []; // {element, data, json, de, en}
    this.sentences = { de: new Map(), en: new Map() }; // sentence index → element
    this.info = new Map(); // sentence index → the English item (label, alternatives)
    this.focusSeq = -1;
    this.lit = [];
    this.current = null;
    this.menu = null;
    this.report = null;
    this.send = null;
    this.build();
  }

  // -- the frame: toolbar, grid, sentence bar ------------------------------------------------

  build() {
    const root = node("div", "bi-root");
    root.dataset.view = this.view;
    root.dataset.complete = "false";
    root.classList.toggle("bi-shade", shadePreference);
    const bar = node("div", "bi-toolbar");
    this.skip = node("a", "bi-skip", "Skip to the downloads");
    this.skip.href = "#";
    this.skip.hidden = true;
    bar.appendChild(this.skip);
    const shade = node("label", "bi-switch");
    this.shadeBox = node("input");
    this.shadeBox.type = "checkbox";
    this.shadeBox.checked = shadePreference;
    shade.appendChild(this.shadeBox);
    shade.appendChild(document.createTextNode(" Shade low-confidence words"));
    bar.appendChild(shade);
    this.copyDe = button("bi-tool", "Copy German", "Copy the whole German text");
    this.copyEn = button("bi-tool", "Copy English", "Copy the whole English text");
    bar.appendChild(this.copyDe);
    bar.appendChild(this.copyEn);
    this.badge = node("span", "bi-badge");
    this.badge.hidden = true;
    this.badge.setAttribute("role", "status");
    bar.appendChild(this.badge);
    root.appendChild(bar);

    const grid = node("div", "bi-grid");
    grid.setAttribute("role", "region");
    grid.setAttribute("aria-label", "German text and its English translation");
    grid.appendChild(node("div", "bi-head", "Deutsch")).lang = "de";
    grid.appendChild(node("div", "bi-head", "English")).lang = "en";
    root.appendChild(grid);

    const sentenceBar = node("div", "bi-bar");
    this.barText = node("span", "bi-bar-text", KEYS_HINT);
    this.barText.setAttribute("aria-live", "polite");
    this.barActions = node("span", "bi-bar-actions");
    sentenceBar.appendChild(this.barText);
    sentenceBar.appendChild(this.barActions);
    root.appendChild(sentenceBar);

    this.root = root;
    this.grid = grid;
    this.listen();
  }

  attach(host) {
    this.host = host;
    host.appendChild(this.root);
  }

  detach() {
    clearTimeout(this.poll);
    this.closeMenu(false);
    this.clear();
    this.root.remove();
  }

  destroy() {
    clearTimeout(this.poll);
    this.closeMenu(false);
    for (const [type, handler] of this.handlers) this.root.removeEventListener(type, handler);
    this.root.remove();
  }

  // -- messages -------------------------------------------------------------------------------

  apply(data) {
    const state = data.state || {};
    const gChanged = state.g !== this.g;
    this.g = state.g;
    const missing = data.base !== null && data.base > this.seq;
    const place = (data.rows || []).length ? this.placeOf() : null;
    for (const [index, row] of data.rows || []) this.setRow(index, row);
    while (this.rows.length > data.total) this.dropRow();
    this.keepPlace(place);
    if (gChanged) for (const row of this.rows) this.markStale(row);
    const before = this.seq;
    if (missing) this.seq = -1; // rows were skipped: ask for everything
    else if (data.base === null) this.seq = data.seq;
    else this.seq = Math.max(this.seq, data.seq);
    this.applyState(state);
    if (this.report && (this.seq !== before || missing)) {
      this.report("have", { view: this.view, seq: this.seq });
    }
    this.keepPolling(state);
  }

  // While the page translates, ask for the next redraw: soon after something changed (new
  // rows, more sentences done), then less and less often while nothing does.
  keepPolling(state) {
    clearTimeout(this.poll);
    if (!state.poll || !this.send) return;
    const mark = `${this.seq}|${state.progress}`;
    const shortest = state.poll;
    this.wait = mark !== this.lastMark ? shortest : Math.min((this.wait || shortest) * 2, LONGEST_WAIT);
    this.lastMark = mark;
    this.poll = setTimeout(() => {
      if (this.root.isConnected) this.send("poll", Date.now());
    }, this.wait * 1000);
  }

  applyState(state) {
    this.state = state;
    this.root.dataset.complete = String(Boolean(state.complete));
    this.root.setAttribute("aria-busy", String(!state.complete));
    this.root.classList.toggle("bi-can-choose", Boolean(state.choose));
    this.badge.textContent = state.badge || "";
    this.badge.hidden = !state.badge;
    this.skip.hidden = !state.downloads;
    if (state.focus && state.focus[1] > this.focusSeq) {
      this.focusSeq = state.focus[1];
      const sentence = this.sentences.en.get(state.focus[0]);
      if (sentence) this.focusOn(sentence, true);
    }
  }

  // -- the reader's place: rows above it may grow as their English arrives; the row at the top
  // of the view stays where it is (whatever the browser's own scroll anchoring does).

  placeOf() {
    const scroller = scrollerOf(this.root);
    if (!scroller || scroller.scrollTop <= 0 || !this.rows.length) return null;
    const top = viewTop(scroller);
    let low = 0;
    let high = this.rows.length - 1;
    while (low < high) {
      // the first row whose German reaches below the top of the view
      const middle = (low + high) >> 1;
      if (this.rows[middle].element.firstChild.getBoundingClientRect().bottom <= top) {
        low = middle + 1;
      } else high = middle;
    }
    const offset = this.rows[low].element.firstChild.getBoundingClientRect().top - top;
    return { scroller, index: low, offset };
  }

  keepPlace(place) {
    const row = place && this.rows[place.index];
    if (!row) return;
    const now = row.element.firstChild.getBoundingClientRect().top - viewTop(place.scroller);
    const moved = now - place.offset;
    if (Math.abs(moved) >= 1) place.scroller.scrollTop += moved;
  }

  // -- rows -------------------------------------------------------------------------------------

  setRow(index, data) {
    while (this.rows.length < index) this.setRow(this.rows.length, { de: [""], en: null, g: 0 });
    const json = JSON.stringify(data);
    const old = this.rows[index];
    if (old && old.json === json) return;
    const active = document.activeElement;
    const hadFocus = old && old.element.contains(active) ? describeFocus(active) : null;
    if (old) this.forget(old);
    const row = this.drawRow(index, data);
    row.json = json;
    this.rows[index] = row;
    if (old) old.element.replaceWith(row.element);
    else this.grid.appendChild(row.element);
    this.markStale(row);
    if (hadFocus) {
      const again = findFocus(row, hadFocus);
      if (again) this.focusOn(again, true);
    }
  }

  dropRow() {
    const row = this.rows.pop();
    this.forget(row);
    row.element.remove();
  }

  forget(row) {
    if (this.current && row.element.contains(this.current)) this.clear();
    if (this.menu && row.element.contains(this.menu.sentence)) this.closeMenu(false);
    for (const side of ["de", "en"]) {
      for (const sentence of row[side]) {
        const index = Number(sentence.dataset.s);
        if (this.sentences[side].get(index) === sentence) {
          this.sentences[side].delete(index);
          if (side === "en") this.info.delete(index);
        }
      }
    }
  }

  markStale(row) {
    const stale = row.data.en !== null && row.data.g !== this.g;
    row.element.classList.toggle("bi-stale", stale);
  }

  drawRow(index, data) {
    const element = node("div", "bi-row");
    element.dataset.row = String(index);
    const row = { element, data, de: [], en: [], stop: null };
    const de = this.drawSide(data.de || [], "de", row);
    element.appendChild(de);
    let en;
    if (data.en === null || data.en === undefined) {
      en = node("div", "bi-cell bi-en bi-waiting");
      en.lang = "en";
      en.appendChild(node("span", "bi-wait", "…")).setAttribute("aria-label", "translating");
    } else {
      en = this.drawSide(data.en, "en", row);
      if (data.more) en.appendChild(node("span", "bi-wait", " …"));
    }
    element.appendChild(en);
    if (!row.de.length) de.tabIndex = -1; // a row with no sentence yet: its German is the stop
    row.stop = row.de[0] || de;
    row.stop.tabIndex = 0;
    return row;
  }

  drawSide(items, side, row) {
    const cell = node("div", `bi-cell bi-${side}`);
    cell.lang = side;
    for (const item of items) {
      if (typeof item === "string") {
        cell.appendChild(document.createTextNode(item));
        continue;
      }
      const sentence = node("span", "bi-s");
      sentence.dataset.s = String(item.s);
      sentence.dataset.side = side;
      sentence.tabIndex = -1;
      sentence.words = [];
      for (const flag of item.flags || []) sentence.classList.add(`bi-flag-${flag}`);
      const differs = new Set(item.diff || []);
      for (const piece of item.t) {
        if (typeof piece === "string") {
          sentence.appendChild(document.createTextNode(piece));
          continue;
        }
        const [text, number, links, low] = piece;
        const word = node("span", "bi-w", text);
        word.dataset.w = String(number);
        word.tabIndex = -1;
        word.links = links || [];
        if (low) word.classList.add("bi-low");
        if (differs.has(number)) word.classList.add("bi-diff");
        sentence.words[number] = word;
        sentence.appendChild(word);
      }
      cell.appendChild(sentence);
      row[side].push(sentence);
      this.sentences[side].set(item.s, sentence);
      if (side === "en") {
        this.info.set(item.s, item);
        if ((item.alts || []).length) {
          const more = node("span", "bi-alt");
          more.setAttribute("role", "button");
          more.setAttribute("aria-haspopup", "menu");
          const count = item.alts.length;
          more.setAttribute(
            "aria-label",
            `${count} alternative translation${count > 1 ? "s" : ""}`,
          );
          more.title = "Alternative translations";
          more.dataset.s = String(item.s);
          more.tabIndex = -1;
          cell.appendChild(more);
        }
      }
    }
    return cell;
  }

  rowOf(element) {
    const line = element.closest ? element.closest(".bi-row") : null;
    return line ? this.rows[Number(line.dataset.row)] : null;
  }

  // -- focus and keys -------------------------------------------------------------------------

  focusOn(element, preventScroll = false) {
    const row = this.rowOf(element);
    if (row && row.stop !== element) {
      if (row.stop) row.stop.tabIndex = -1;
      row.stop = element;
    }
    element.tabIndex = 0;
    element.focus({ preventScroll });
  }

  // The sentence (or waiting cell) `step` places before or after `from`, on the same side.
  neighbour(from, step) {
    if (!from) return null;
    const sentence = from.closest(".bi-s");
    const cell = from.closest(".bi-cell");
    const side = sentence
      ? sentence.dataset.side
      : cell && cell.classList.contains("bi-en")
        ? "en"
        : "de";
    if (sentence) {
      const next = this.sentences[side].get(Number(sentence.dataset.s) + step);
      if (next) return next;
    }
    const row = this.rowOf(from);
    const other = row ? this.rows[Number(row.element.dataset.row) + step] : null;
    if (!other) return null;
    const list = other[side].length ? other[side] : other.de;
    if (list.length) return step > 0 ? list[0] : list[list.length - 1];
    return other.element.querySelector(".bi-de");
  }

  counterpart(element) {
    const sentence = element.closest(".bi-s");
    if (!sentence) return null;
    const other = sentence.dataset.side === "de" ? "en" : "de";
    const target = this.sentences[other].get(Number(sentence.dataset.s));
    if (!target) return null;
    const word = element.closest(".bi-w");
    if (word && word.links.length) return target.words[word.links[0]] || target;
    return target;
  }

  onKey(event) {
    if (this.menu && this.menu.element.contains(event.target)) {
      this.onMenuKey(event);
      return;
    }
    const target = event.target;
    if (!target.closest || !this.grid.contains(target)) return;
    const word = target.closest(".bi-w");
    const sentence = target.closest(".bi-s");
    const more = target.closest(".bi-alt");
    const key = event.key;
    let next = null;
    if (more) {
      if (key === "Enter" || key === " ") this.openMenu(Number(more.dataset.s));
      else if (key === "ArrowLeft") {
        const owner = this.sentences.en.get(Number(more.dataset.s));
        next = owner && (owner.words.filter(Boolean).pop() || owner);
      } else if (key === "ArrowUp" || key === "ArrowDown") {
        next = this.neighbour(this.sentences.en.get(Number(more.dataset.s)), key === "ArrowDown" ? 1 : -1);
      } else if (key === "Escape") next = this.sentences.en.get(Number(more.dataset.s));
      else return;
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      next = this.neighbour(sentence || target, key === "ArrowDown" ? 1 : -1);
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      if (!sentence) return;
      const list = sentence.words.filter(Boolean);
      const at = word ? list.indexOf(word) : -1;
      if (key === "ArrowRight") {
        next = list[at + 1] || null;
        if (!next && sentence.dataset.side === "en") {
          const button = sentence.nextElementSibling;
          if (button && button.classList.contains("bi-alt")) next = button;
        }
      } else next = at > 0 ? list[at - 1] : sentence;
    } else if (key === "Enter") {
      next = this.counterpart(target);
    } else if (key === "Escape" && word) {
      next = sentence;
    } else if ((key === "m" || key === "M" || key === "ContextMenu" || (key === "F10" && event.shiftKey)) && sentence) {
      this.openMenu(Number(sentence.dataset.s));
    } else return;
    event.preventDefault();
    if (next) this.focusOn(next);
  }

  // -- highlighting ---------------------------------------------------------------------------

  light(elements, className) {
    for (const element of elements) {
      if (!element) continue;
      element.classList.add(className);
      this.lit.push([element, className]);
    }
  }

  clear() {
    for (const [element, className] of this.lit) element.classList.remove(className);
    this.lit = [];
    this.current = null;
  }

  activate(target) {
    const word = target.closest ? target.closest(".bi-w") : null;
    const sentence = target.closest ? target.closest(".bi-s") : null;
    const key = word || sentence;
    if (key === this.current) return;
    this.clear();
    if (!sentence || !this.grid.contains(sentence)) return;
    this.current = key;
    const index = Number(sentence.dataset.s);
    this.light([this.sentences.de.get(index), this.sentences.en.get(index)], "bi-on");
    if (word) {
      const other = this.sentences[sentence.dataset.side === "de" ? "en" : "de"].get(index);
      this.light([word], "bi-self");
      if (other) this.light(word.links.map((n) => other.words[n]), "bi-hit");
    }
  }

  // -- the sentence bar -----------------------------------------------------------------------

  describe(sentence) {
    this.barActions.textContent = "";
    if (!sentence) {
      this.barText.textContent = KEYS_HINT;
      return;
    }
    const index = Number(sentence.dataset.s);
    const info = this.info.get(index) || {};
    const where = `Sentence ${index + 1}`;
    this.barText.textContent = info.label ? `${where}: ${info.label}` : where;
    const german = this.sentences.de.get(index);
    const english = this.sentences.en.get(index);
    if (german) this.barActions.appendChild(this.copyButton("Copy German", () => german.textContent));
    if (english) {
      this.barActions.appendChild(this.copyButton("Copy English", () => english.textContent));
      if (this.canChoose(index)) {
        const more = button("bi-tool", "Alternatives…", "Alternative translations of this sentence");
        more.addEventListener("click", () => this.openMenu(index));
        this.barActions.appendChild(more);
      }
    }
  }

  copyButton(text, read) {
    const element = button("bi-tool", text);
    element.addEventListener("click", () => this.copy(read(), element));
    return element;
  }

  async copy(text, from) {
    const done = await copyText(text);
    const said = done ? "Copied." : "Copying was refused by the browser.";
    if (from) {
      const label = from.textContent;
      from.textContent = done ? "Copied ✓" : "Not copied";
      setTimeout(() => {
        from.textContent = label;
      }, 1500);
    }
    this.barText.textContent = said;
  }

  columnText(side) {
    return this.rows.map((row) => (side === "en" && row.data.en === null ? "" : textOf(row.data[side]))).join("\n\n");
  }

  canChoose(index) {
    const sentence = this.sentences.en.get(index);
    const info = this.info.get(index);
    if (!sentence || !info || !(info.alts || []).length || !this.send || !this.state.choose) return false;
    const row = this.rowOf(sentence);
    return Boolean(row) && !row.element.classList.contains("bi-stale");
  }

  // -- the sentence menu: copy, and alternatives to choose --------------------------------------

  closeMenu(refocus) {
    if (!this.menu) return;
    const { element, sentence } = this.menu;
    this.menu = null; // first: removing the focused element fires focusout, which comes back here
    element.remove();
    if (refocus && sentence && sentence.isConnected) this.focusOn(sentence);
  }

  openMenu(index) {
    this.closeMenu(false);
    const sentence = this.sentences.en.get(index) || this.sentences.de.get(index);
    if (!sentence) return;
    const info = this.info.get(index) || {};
    const element = node("div", "bi-menu");
    element.setAttribute("role", "menu");
    element.setAttribute("aria-label", `Sentence ${index + 1}`);
    const german = this.sentences.de.get(index);
    const english = this.sentences.en.get(index);
    const add = (text, action, className) => {
      const option = button(`bi-menu-item ${className || ""}`.trim());
      option.setAttribute("role", "menuitem");
      if (typeof text === "string") option.textContent = text;
      else option.appendChild(text);
      option.addEventListener("click", action);
      element.appendChild(option);
      return option;
    };
    const copying = (element) => () => {
      this.copy(element.textContent, null);
      this.closeMenu(true);
    };
    if (german) add("Copy the German sentence", copying(german));
    if (english) add("Copy the English sentence", copying(english));
    if (this.canChoose(index)) {
      element.appendChild(node("div", "bi-menu-title", "Alternative translations"));
      for (const choice of info.alts) {
        add(marked(choice), () => this.choose(index, choice.text), "bi-choice");
      }
    }
    const anchor = english || sentence;
    anchor.parentElement.appendChild(element);
    element.style.top = `${anchor.offsetTop + anchor.offsetHeight + 4}px`;
    this.menu = { element, sentence: anchor };
    const first = element.querySelector(".bi-choice") || element.querySelector("button");
    first.focus();
  }

  onMenuKey(event) {
    const options = [...this.menu.element.querySelectorAll("button")];
    const at = options.indexOf(event.target);
    let next = null;
    if (event.key === "ArrowDown") next = options[(at + 1) % options.length];
    else if (event.key === "ArrowUp") next = options[(at - 1 + options.length) % options.length];
    else if (event.key === "Home") next = options[0];
    else if (event.key === "End") next = options[options.length - 1];
    else if (event.key === "Escape" || event.key === "Tab") {
      this.closeMenu(true);
      event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    next.focus();
  }

  // The chosen text shows at once, marked "aligning…", until the page sends the aligned row.
  choose(index, text) {
    const sentence = this.sentences.en.get(index);
    this.closeMenu(false);
    if (!sentence || !this.send) return;
    this.clear();
    sentence.textContent = text;
    sentence.words = [];
    sentence.classList.add("bi-aligning");
    const note = node("span", "bi-note", "aligning…");
    note.setAttribute("role", "status");
    sentence.after(note);
    this.focusOn(sentence);
    this.send("choose", { sentence: index, text, view: this.view });
  }

  // -- events ---------------------------------------------------------------------------------

  listen() {
    const focusedSentence = (target) => (target.closest ? target.closest(".bi-s") : null);
    this.handlers = [
      ["mouseover", (event) => this.activate(event.target)],
      ["mouseleave", () => this.clear()],
      [
        "focusin",
        (event) => {
          const target = event.target;
          if (this.grid.contains(target)) {
            const row = this.rowOf(target);
            if (row && row.stop !== target && target.tabIndex !== undefined) {
              if (row.stop) row.stop.tabIndex = -1;
              row.stop = target;
              target.tabIndex = 0;
            }
            this.activate(target);
            const sentence = focusedSentence(target);
            if (sentence) this.describe(sentence);
            else if (target.classList.contains("bi-alt")) {
              this.describe(this.sentences.en.get(Number(target.dataset.s)));
            }
          }
        },
      ],
      [
        "focusout",
        (event) => {
          if (!this.root.contains(event.relatedTarget)) this.clear();
          if (this.menu && !this.menu.element.contains(event.relatedTarget)) this.closeMenu(false);
        },
      ],
      [
        "click",
        (event) => {
          const target = event.target;
          const more = target.closest ? target.closest(".bi-alt") : null;
          if (more) {
            this.openMenu(Number(more.dataset.s));
            return;
          }
          if (target === this.copyDe) this.copy(this.columnText("de"), this.copyDe);
          else if (target === this.copyEn) this.copy(this.columnText("en"), this.copyEn);
          else if (target === this.skip) {
            event.preventDefault();
            skipToDownloads();
          }
        },
      ],
      [
        "change",
        (event) => {
          if (event.target === this.shadeBox) {
            shadePreference = this.shadeBox.checked;
            this.root.classList.toggle("bi-shade", shadePreference);
          }
        },
      ],
      ["keydown", (event) => this.onKey(event)],
    ];
    for (const [type, handler] of this.handlers) this.root.addEventListener(type, handler);
  }
}

// The element that scrolls the reader: Streamlit's main area, or the page itself.
function scrollerOf(element) {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
      return node;
    }
  }
  return document.scrollingElement;
}

function viewTop(scroller) {
  return scroller === document.scrollingElement ? 0 : scroller.getBoundingClientRect().top;
}

// An alternative's text with the words that differ from the English shown marked.
function marked(choice) {
  const text = node("span", "bi-choice-text");
  let cursor = 0;
  for (const [start, end] of choice.marks || []) {
    if (start > cursor) text.appendChild(document.createTextNode(choice.text.slice(cursor, start)));
    text.appendChild(node("mark", "bi-mark", choice.text.slice(start, end)));
    cursor = end;
  }
  if (cursor < choice.text.length) text.appendChild(document.createTextNode(choice.text.slice(cursor)));
  return text;
}

function describeFocus(element) {
  const sentence = element.closest(".bi-s");
  const word = element.closest(".bi-w");
  if (sentence) {
    return { side: sentence.dataset.side, s: sentence.dataset.s, w: word ? word.dataset.w : null };
  }
  const cell = element.closest(".bi-cell");
  return { side: cell && cell.classList.contains("bi-en") ? "en" : "de", s: null, w: null };
}

function findFocus(row, where) {
  if (where.s !== null) {
    const sentence = row[where.side].find((s) => s.dataset.s === where.s);
    if (sentence) return (where.w !== null && sentence.words[Number(where.w)]) || sentence;
  }
  return row.stop;
}

// The page's download buttons (the menu at the top on a phone, the row below the reader
// otherwise): focus the first one that shows.
function skipToDownloads() {
  const candidates = document.querySelectorAll(
    ".st-key-downloads button, .st-key-download-menu button",
  );
  for (const candidate of candidates) {
    if (candidate.offsetParent !== null) {
      candidate.scrollIntoView({ block: "center" });
      candidate.focus();
      return;
    }
  }
}
