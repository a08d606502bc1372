/* The knowledge base's full-text search over every released report (Pagefind, no server).

   The query and the filters live in the address (?q=&year=&topic=&industry=&district=
   &standard=&commendation=), so index.html?q=碳达峰 opens with its results shown and a search
   can be linked to. Pagefind finds the candidate pages (its Chinese matching is by characters and
   words, so a report with 碳, 达 and 峰 far apart is a candidate); a report is shown only when
   its text holds every word of the query as typed; its pages and excerpts are found in that text
   (Pagefind's `content`, where "第 N 页. " starts each page). Every excerpt and every value is
   put into the page as text nodes (textContent), never as HTML, so nothing in a report or a
   query becomes markup. The index is in shards (pagefind/<shard>/: one per year, more for a
   large year; the form's data-index lists them, newest first): the first is loaded and the
   others merged into it (Pagefind's mergeIndex), so one search runs over all of them. */

const FILTERS = ["year", "topic", "industry", "district", "standard", "commendation"];
const SHOWN = 20; // reports shown
const CHECKED = 300; // candidates whose text is read before the count is given as "at least"
const HITS = 3; // pages shown per report
const FIRST_BATCH = 3; // fragments fetched at once, first
const BATCH = 10; // and then

const form = document.getElementById("kb-search");
const list = document.getElementById("kb-results");
const status = document.getElementById("kb-status");
let pagefind = null;
let generation = 0;

function normalise(text) {
  return String(text || "").normalize("NFKC").toLowerCase();
}

function words(query) {
  return normalise(query).replace(/["“”]/g, " ").split(/\s+/).filter(Boolean);
}

function readAddress() {
  const params = new URLSearchParams(window.location.search);
  const state = { q: params.get("q") || "" };
  FILTERS.forEach((name) => { state[name] = params.get(name) || ""; });
  return state;
}

function fillForm(state) {
  form.elements.namedItem("q").value = state.q;
  FILTERS.forEach((name) => {
    const select = form.elements.namedItem(name);
    select.value = state[name];
    if (select.value !== state[name]) {
      select.value = ""; // a value the list does not offer: no filter
    }
  });
}

function readForm() {
  const state = { q: form.elements.namedItem("q").value.trim() };
  FILTERS.forEach((name) => { state[name] = form.elements.namedItem(name).value; });
  return state;
}

function writeAddress(state) {
  const params = new URLSearchParams();
  ["q", ...FILTERS].forEach((name) => { if (state[name]) { params.set(name, state[name]); } });
  const query = params.toString();
  window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

const PAGE_MARK = /第 (\d+) 页\. /g;
const BEFORE = 30; // characters of context before a hit
const AFTER = 60; // and after it

/* Return the pages of a report's text (Pagefind's `content`: "第 N 页. " before each page)
   that hold the first word of the query: [{page, start}] in page order, at most HITS. */
function pagesWith(content, tokens) {
  const marks = [];
  for (const found of content.matchAll(PAGE_MARK)) {
    marks.push({ page: Number(found[1]), at: found.index });
  }
  const hits = [];
  let from = 0;
  while (hits.length < HITS) {
    const at = content.indexOf(tokens[0], from);
    if (at < 0) { break; }
    const mark = marks.filter((m) => m.at <= at).pop();
    const page = mark ? mark.page : null;
    if (!hits.some((h) => h.page === page)) { hits.push({ page, at }); }
    from = at + tokens[0].length;
  }
  return hits;
}

/* Append the text around `at` to `parent`, every query word in it as <mark> (text nodes).
   `text` is the normalised text searched; `shown` the text as written when it is as long. */
function appendContext(parent, text, shown, at, tokens) {
  const start = Math.max(0, at - BEFORE);
  const end = Math.min(text.length, at + AFTER);
  const piece = text.slice(start, end);
  const display = (shown.length === text.length ? shown : text).slice(start, end);
  const marked = new Array(piece.length).fill(false);
  tokens.forEach((t) => {
    for (let i = piece.indexOf(t); i >= 0; i = piece.indexOf(t, i + 1)) {
      marked.fill(true, i, i + t.length);
    }
  });
  if (start > 0) { parent.appendChild(document.createTextNode("…")); }
  let i = 0;
  while (i < piece.length) {
    let j = i;
    while (j < piece.length && marked[j] === marked[i]) { j += 1; }
    const chunk = display.slice(i, j);
    if (marked[i]) {
      parent.appendChild(element("mark", "", chunk));
    } else {
      parent.appendChild(document.createTextNode(chunk));
    }
    i = j;
  }
  if (end < text.length) { parent.appendChild(document.createTextNode("…")); }
}

function renderResult(data, tokens) {
  const item = element("li", "kb-result");
  const title = element("h2");
  const link = element("a", "", data.meta.unit || data.meta.title || data.url);
  const page = data.url.replace(/#.*$/, "");
  link.href = page;
  title.appendChild(link);
  item.appendChild(title);
  const about = [data.meta.year ? data.meta.year + "年发布" : "", data.meta.report, data.meta.grade];
  item.appendChild(element("p", "muted", about.filter(Boolean).join(" · ")));
  const content = normalise(data.content);
  const hits = element("ul", "kb-hits");
  (tokens.length ? pagesWith(content, tokens) : []).forEach((hit) => {
    const line = element("li");
    const anchor = element("a", "page", hit.page ? "第 " + hit.page + " 页" : "报告全文");
    anchor.href = hit.page ? page + "#p" + hit.page : page;
    line.appendChild(anchor);
    const excerpt = element("span", "excerpt");
    appendContext(excerpt, content, String(data.content || ""), hit.at, tokens);
    line.appendChild(excerpt);
    hits.appendChild(line);
  });
  item.appendChild(hits);
  return item;
}

function filtersOf(state) {
  const chosen = {};
  FILTERS.forEach((name) => { if (state[name]) { chosen[name] = state[name]; } });
  return chosen;
}

function finish(started, shown, label, state) {
  list.dataset.ms = String(Math.round(performance.now() - started));
  list.dataset.count = String(shown);
  list.dataset.state = state;
  status.textContent = label;
}

async function run(state) {
  const mine = ++generation;
  const started = performance.now();
  list.replaceChildren();
  list.dataset.state = "searching";
  delete list.dataset.first;
  delete list.dataset.firstAt;
  const tokens = words(state.q);
  const filters = filtersOf(state);
  if (!tokens.length && !Object.keys(filters).length) {
    finish(started, 0, "", "idle");
    return;
  }
  if (pagefind === null) { // a site with no report: no index
    finish(started, 0, "没有找到包含这些词的报告。", "done");
    return;
  }
  status.textContent = "检索中…";
  const search = await pagefind.search(tokens.length ? tokens.join(" ") : null, { filters });
  if (mine !== generation || search === null) { return; }
  let shown = 0;
  let checked = 0;
  let at = 0;
  while (at < search.results.length && shown < SHOWN && checked < CHECKED) {
    const size = at === 0 ? FIRST_BATCH : BATCH; // a small first batch: the first result sooner
    const loading = search.results.slice(at, at + size).map((r) => r.data()); // fetched together
    at += size;
    for (const pending of loading) { // checked and shown in order, each as soon as it is here
      const data = await pending;
      if (mine !== generation) { return; }
      checked += 1;
      if (shown >= SHOWN || !tokens.every((t) => normalise(data.content).includes(t))) { continue; }
      list.appendChild(renderResult(data, tokens));
      shown += 1;
      if (shown === 1) {
        list.dataset.first = String(Math.round(performance.now() - started)); // from the query
        list.dataset.firstAt = String(Math.round(performance.now())); // from the navigation
      }
    }
  }
  const more = checked < search.results.length;
  const label = shown === 0 ? "没有找到包含这些词的报告。"
    : (more ? "显示前 " + shown + " 份报告（共有更多结果，可加词或筛选缩小范围）"
      : "找到 " + shown + " 份报告");
  finish(started, shown, label, "done");
}

let timer = null;
function searchNow() {
  window.clearTimeout(timer);
  const state = readForm();
  writeAddress(state);
  run(state).catch(failed);
}

function update() { // while typing: load the index chunks of the words so far, wait for a pause
  window.clearTimeout(timer);
  const tokens = words(readForm().q);
  if (tokens.length && pagefind !== null) { pagefind.preload(tokens.join(" ")).catch(() => {}); }
  timer = window.setTimeout(searchNow, 200);
}

function failed(error) {
  list.dataset.state = "error";
  status.textContent = "检索暂不可用（" + (error && error.name ? error.name : "error") + "）。";
}

async function start() {
  if (window.location.protocol === "file:") {
    document.getElementById("kb-file").hidden = false;
    list.dataset.state = "unavailable";
    return;
  }
  const root = new URL("..", import.meta.url);
  const shards = (form.dataset.index || "").split(" ").filter(Boolean);
  if (shards.length) {
    const options = { baseUrl: root.pathname, excerptLength: 40 };
    pagefind = await import(new URL("pagefind/" + shards[0] + "/pagefind.js", root).href);
    await pagefind.options(options);
    await Promise.all(shards.slice(1).map(
      (name) => pagefind.mergeIndex(new URL("pagefind/" + name + "/", root).pathname, options)));
    await pagefind.init();
  }
  fillForm(readAddress());
  form.addEventListener("input", update);
  form.addEventListener("change", searchNow);
  form.addEventListener("submit", (event) => { event.preventDefault(); searchNow(); });
  list.dataset.ready = "1";
  await run(readForm());
}

start().catch(failed);
