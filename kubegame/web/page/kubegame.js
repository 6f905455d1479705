// kubegame web: the page around textual-serve's terminal.
//
// textual.js makes its xterm.js Terminal inside a closure (`this.terminal = new Terminal(...)`).
// The page needs it to give the keyboard back to the game after the kubectl panel, and the
// browser test reads what the player sees from its buffer: so, before textual.js runs, a setter
// on Object.prototype catches the first `terminal` that looks like an xterm Terminal, stores it
// as an ordinary property of its owner, and removes itself.
(function () {
  "use strict";
  const kubegame = (window.kubegame = { terminal: null });

  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", { value, writable: true, configurable: true, enumerable: true });
      if (value && typeof value.onData === "function" && value.buffer) {
        kubegame.terminal = value;
        delete Object.prototype.terminal;
      }
    },
  });

  // The visible screen as text, one string a row (the browser test reads it; so can a player's
  // own bookmarklet).
  kubegame.screen = function () {
    const t = kubegame.terminal;
    if (!t) return [];
    const buf = t.buffer.active;
    const rows = [];
    for (let y = 0; y < t.rows; y++) {
      const line = buf.getLine(buf.viewportY + y);
      rows.push(line ? line.translateToString(true, 0, t.cols) : "");   // cells past a shrink stay in the line
    }
    return rows;
  };

  kubegame.focus = function () {
    if (kubegame.terminal) kubegame.terminal.focus();
  };

  async function showKubectl(panel) {
    const wait = document.getElementById("kubectl-wait");
    const ready = document.getElementById("kubectl-ready");
    let served = false;
    try {
      const answer = await fetch(panel.dataset.kubeconfigUrl, { method: "GET", cache: "no-store" });
      served = answer.ok;
    } catch (e) {
      served = false;
    }
    wait.hidden = served;
    ready.hidden = !served;
  }

  window.addEventListener("DOMContentLoaded", () => {
    const panel = document.getElementById("kubectl");
    const toggle = document.getElementById("kubectl-toggle");
    if (panel && toggle) {
      const close = () => {
        panel.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        kubegame.focus();
      };
      toggle.addEventListener("click", () => {
        if (!panel.hidden) return close();
        panel.hidden = false;
        toggle.setAttribute("aria-expanded", "true");
        showKubectl(panel);
      });
      document.getElementById("kubectl-close").addEventListener("click", close);
      panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") close();
      });
    }
  });
})();
