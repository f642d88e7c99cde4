"""The page `BackwardWatch.to_html` writes: the graph as inline SVG, the frames, a small script.

Everything is in the one file (no network, no CDN), so it opens from disk, in
a notebook's output, or attached to an e-mail. The script only reads the
frames and lights up SVG nodes by their Graphviz name (each `<g class="node">`
holds a `<title>` with the name Python gave the node: `op3`, `t5`, `layer1`).
Ids the browser tests read: `#step` (the slider), `#title`, `#grad`,
`#passes`, `#queue`, `#leaves`, `#freed`, and `.current` on the lit node.
"""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 8px 12px; background: #f3f3f7; border-bottom: 1px solid #ccc; }
header h1 { font-size: 16px; margin: 0 0 6px 0; }
header button { font-size: 14px; min-width: 2.4em; }
#step { width: 40%; vertical-align: middle; }
main { display: flex; height: calc(100vh - 74px); }
#graph { flex: 3; overflow: auto; padding: 8px; }
#graph svg { width: 100%; height: 100%; }  /* the whole graph in view, scaled to fit */
aside { flex: 1.3; min-width: 300px; overflow: auto; padding: 8px 12px;
  border-left: 1px solid #ccc; font-size: 13px; }
aside h2 { font-size: 14px; margin: 12px 0 4px 0; }
code, .mono { font-family: Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.node.done ellipse, .node.done polygon, .node.done path { fill: #e4ecfb; }
.node.filled polygon, .node.filled path, .node.filled ellipse { fill: #c6f0c2; }
.node.current ellipse, .node.current polygon, .node.current path
  { stroke: #d62728; stroke-width: 4px; fill: #ffe08a; }
.node.target ellipse, .node.target polygon, .node.target path
  { stroke: #ff7f0e; stroke-width: 3px; }
.edge.current path { stroke: #d62728; stroke-width: 3px; }
.edge.current polygon { stroke: #d62728; fill: #d62728; }
.summed { color: #b0006d; font-weight: bold; }
ol, ul { padding-left: 20px; margin: 4px 0; }
"""

SCRIPT = """
(function () {
  const frames = JSON.parse(document.getElementById("frames").textContent);
  const nodes = {};
  for (const g of document.querySelectorAll("#graph g.node")) {
    nodes[g.querySelector("title").textContent] = g;
  }
  const edges = [];
  for (const g of document.querySelectorAll("#graph g.edge")) {
    const [tail, head] = g.querySelector("title").textContent.split("->");
    edges.push({ g: g, tail: tail, head: head });
  }
  const slider = document.getElementById("step");
  slider.max = frames.length - 1;
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  const list = (id, items, ordered) => {
    const box = document.getElementById(id);
    box.replaceChildren();
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item.text;
      if (item.cls) li.className = item.cls;
      box.appendChild(li);
    }
  };
  function show(k) {
    const frame = frames[k];
    slider.value = k;
    text("counter", "step " + (k + 1) + " of " + frames.length);
    for (const g of Object.values(nodes)) g.classList.remove("current", "done", "filled", "target");
    for (const e of edges) e.g.classList.remove("current");
    for (let j = 0; j < k; j++) {
      const node = nodes[frames[j].node];
      if (node) node.classList.add(frames[j].kind === "leaf" ? "filled" : "done");
    }
    const current = nodes[frame.node];
    if (current) current.classList.add("current");
    for (const p of frame.passes) if (nodes[p.node]) nodes[p.node].classList.add("target");
    for (const e of edges) if (e.head === frame.node) e.g.classList.add("current");
    const kinds = { seed: "The seed", run: "An op runs its backward", leaf: "A leaf's .grad" };
    text("kind", kinds[frame.kind]);
    text("title", frame.title);
    text("tensor", frame.tensor);
    text("grad", frame.grad);
    text("freed", frame.freed || "-");
    const before = ".grad before this backward: " + frame.gradBefore;
    text("before", frame.kind === "leaf" ? before : "");
    const sum_note = "  (used twice: added to the gradient waiting, now ";
    list("passes", frame.passes.map(p => ({
      text: "to " + p.to + ": " + p.grad + (p.summed ? sum_note + p.total + ")" : ""),
      cls: p.summed ? "summed" : "",
    })));
    list("queue", frame.queue.map(q => ({ text: q })));
    const leaves = frames.slice(0, k + 1).filter(f => f.kind === "leaf");
    list("leaves", leaves.map(f => ({ text: f.title })));
  }
  const clamp = k => Math.max(0, Math.min(frames.length - 1, k));
  const at = () => Number(slider.value);
  slider.addEventListener("input", () => show(at()));
  document.getElementById("first").onclick = () => show(0);
  document.getElementById("back").onclick = () => show(clamp(at() - 1));
  document.getElementById("next").onclick = () => show(clamp(at() + 1));
  document.getElementById("last").onclick = () => show(frames.length - 1);
  let timer = null;
  document.getElementById("play").onclick = () => {
    if (timer) { clearInterval(timer); timer = null; return; }
    timer = setInterval(() => {
      if (at() >= frames.length - 1) { clearInterval(timer); timer = null; } else show(at() + 1);
    }, 700);
  };
  document.addEventListener("keydown", event => {
    if (event.target === slider) return;  // the slider steps itself on arrow keys
    if (event.key === "ArrowRight") show(clamp(at() + 1));
    if (event.key === "ArrowLeft") show(clamp(at() - 1));
  });
  show(0);
})();
"""


def page(title: str, svg: str, frames: list[dict[str, Any]]) -> str:
    """The HTML text of a watch page for `frames` (`Frame.to_json()` dicts) over `svg`."""
    # "</" inside the JSON would end the script element early; "<\\/" reads the same in JSON.
    data = json.dumps(frames).replace("</", "<\\/")
    heading = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{heading}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
  <h1>{heading}</h1>
  <button id="first" title="first step">first</button>
  <button id="back" title="previous step (left arrow)">&#x25C0; back</button>
  <button id="play" title="play / pause">play</button>
  <button id="next" title="next step (right arrow)">next &#x25B6;</button>
  <button id="last" title="last step">last</button>
  <input id="step" type="range" min="0" value="0" aria-label="step">
  <span id="counter"></span>
</header>
<main>
  <div id="graph">{svg}</div>
  <aside>
    <h2 id="kind"></h2>
    <div class="mono" id="title"></div>
    <h2>Gradient arriving at <span class="mono" id="tensor"></span></h2>
    <code id="grad"></code>
    <div class="mono" id="before"></div>
    <h2>Passed to each input</h2>
    <ul id="passes"></ul>
    <h2>Saved arrays</h2>
    <div class="mono" id="freed"></div>
    <h2>Queue (a heap: highest sequence number runs next)</h2>
    <ol id="queue"></ol>
    <h2>Leaves whose .grad is filled in</h2>
    <ul id="leaves"></ul>
  </aside>
</main>
<script type="application/json" id="frames">{data}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
