// The demo page: gallery picker and upload → GET/POST /api/search → result cards.
"use strict";
const $ = (id) => document.getElementById(id);
let info = null;
let offset = 0;

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function api(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function k() {
  const value = Number($("k").value);
  return Number.isInteger(value) && value >= 1 && value <= (info ? info.maxK : 50) ? value : 12;
}

async function loadPicker() {
  const page = await api(`/api/gallery?offset=${offset}&count=24`);
  $("picker").replaceChildren(
    ...page.items.map((item) =>
      el("button", { type: "button", title: `gallery image ${item.id}: ${item.className}`, onclick: () => searchById(item.id) }, [
        el("img", { src: `/api/image/${item.id}.png`, alt: item.className }),
        el("span", { textContent: `#${item.id} ${item.className}` }),
      ]),
    ),
  );
}

function showResults(answer, queryImage, queryLabel) {
  $("query").replaceChildren(el("img", { src: queryImage, alt: "query" }), el("span", { textContent: queryLabel }));
  const queryClass = answer.query.className;
  $("results").replaceChildren(
    ...answer.results.map((r, i) =>
      el("li", { className: `result${queryClass && r.className === queryClass ? " same" : ""}` }, [
        el("img", { src: `/api/image/${r.id}.png`, alt: r.className }),
        el("div", { textContent: `${i + 1}. ${r.className}` }),
        el("div", { className: "score", textContent: `score ${r.score.toFixed(3)}` }),
      ]),
    ),
  );
  setStatus(`${answer.results.length} results, most similar first (score = cosine similarity of the embeddings).`);
}

async function searchById(id) {
  setStatus("Searching…");
  try {
    const answer = await api(`/api/search?id=${id}&k=${k()}`);
    showResults(answer, `/api/image/${id}.png`, `query: gallery image #${id} (${answer.query.className}); green border = same class`);
  } catch (err) {
    setStatus(err.message, true);
  }
}

async function searchUpload(file) {
  if (!file) return;
  setStatus(`Embedding ${file.name}…`);
  try {
    const answer = await api(`/api/search?k=${k()}`, { method: "POST", headers: { "content-type": file.type || "application/octet-stream" }, body: file });
    showResults(answer, URL.createObjectURL(file), `query: your upload ${file.name}`);
  } catch (err) {
    setStatus(err.message, true);
  }
}

async function start() {
  try {
    info = await api("/api/info");
    $("info").textContent = `${info.count} gallery images · ${info.modelId} embeddings · ${info.kind} index`;
    $("note").textContent = info.note;
    await loadPicker();
  } catch (err) {
    setStatus(`Could not reach the search server: ${err.message}`, true);
  }
  $("upload").addEventListener("change", (event) => searchUpload(event.target.files[0]));
  $("more").addEventListener("click", () => {
    offset = info && offset + 24 < info.count ? offset + 24 : 0;
    loadPicker().catch((err) => setStatus(err.message, true));
  });
}

start();
