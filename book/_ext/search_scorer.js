/*
 * Search tweaks for the lossbook (Sphinx `html_search_scorer`, set in _config.yml).
 *
 * Sphinx inlines this file into _static/language_data.js, which only the search page loads,
 * after searchtools.js and before the search runs. It does two things:
 *
 * 1. Ranking: the API reference (book/api) names every loss, so it matched every loss name as
 *    strongly as the chapter that teaches it and often came first. Its results are demoted
 *    (still listed, after the chapters). A section whose title matches the query is moved
 *    up, before the pages that only have the word in one of their headings.
 * 2. Snippets: Sphinx builds each result's snippet from the page's HTML before MathJax runs,
 *    so math showed as raw TeX ("\(10^5\)"). The math elements' TeX is turned into plain text
 *    (delimiters dropped, Greek letters and common symbols as Unicode) before the snippet is
 *    cut.
 *
 * The Scorer values below are Sphinx 7.4's defaults; only `score` is added.
 */
var Scorer = {
  // [docname, title, anchor, descr, score, filename] -> new score
  score: (result) => {
    const [docname, , anchor, descr, score] = result;
    if (docname === "book/api") return Math.round(score / 3) - 5;
    // A section whose title is (mostly) the query, e.g. "Classification losses > Focal loss"
    // for "focal", goes before pages that merely mention the query in some heading.
    if (anchor && descr === null) return score + 10;
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};

(() => {
  if (typeof Search === "undefined" || !Search.htmlToText) return;

  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    zeta: "ζ", eta: "η", theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ",
    pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ",
    omega: "ω", ell: "ℓ", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ",
    Psi: "Ψ", Omega: "Ω", cdot: "·", times: "×", le: "≤", leq: "≤", ge: "≥", geq: "≥",
    ne: "≠", neq: "≠", approx: "≈", sim: "∼", infty: "∞", sum: "Σ", prod: "Π", int: "∫",
    partial: "∂", nabla: "∇", in: "∈", to: "→", rightarrow: "→", mapsto: "↦", pm: "±",
    ldots: "…", cdots: "…", dots: "…", lVert: "‖", rVert: "‖", Vert: "‖", mid: "|",
    top: "ᵀ", quad: " ", qquad: " ", left: "", right: "", big: "", Big: "", bigl: "",
    bigr: "", displaystyle: "", limits: "", nolimits: "",
  };
  const ARG = String.raw`\s*(?:\{([^{}]*)\}|([A-Za-z0-9]))`;  // {group} or one character
  const UNWRAP = new RegExp(
    String.raw`\\(?:mathrm|mathbf|mathbb|mathcal|mathit|mathsf|operatorname\*?|text|textrm|textbf|textit|boldsymbol|bm)(?![A-Za-z])` + ARG, "g");
  const ACCENT = new RegExp(String.raw`\\(hat|widehat|bar|overline|tilde|widetilde|vec|dot)(?![A-Za-z])` + ARG, "g");
  const MARKS = { hat: "\u0302", widehat: "\u0302", bar: "\u0304", overline: "\u0304",
                  tilde: "\u0303", widetilde: "\u0303", vec: "\u20d7", dot: "\u0307" };
  const FRAC = new RegExp(String.raw`\\[dt]?frac(?![A-Za-z])` + ARG + ARG, "g");
  const SQRT = new RegExp(String.raw`\\sqrt(?![A-Za-z])` + ARG, "g");
  const paren = (x) => (x.length > 1 ? `(${x})` : x);

  const texToText = (tex) => {
    // escaped braces are kept (as in {0, 1}); grouping braces are dropped below
    let s = tex.trim().replace(/\\\{/g, "\u0001").replace(/\\\}/g, "\u0002");
    s = s.replace(/^\\\(|\\\)$/g, "").replace(/^\\\[|\\\]$/g, "").replace(/^\$\$?|\$\$?$/g, "");
    s = s.replace(/\\(?:begin|end)\{[^}]*\}/g, " ").replace(/\\label\{[^}]*\}/g, "");
    for (let i = 0; i < 3; i++) {
      s = s.replace(UNWRAP, (m, g, c) => g ?? c);
      s = s.replace(ACCENT, (m, name, g, c) => {
        const x = g ?? c;
        return x.length === 1 ? x + MARKS[name] : x;
      });
      s = s.replace(FRAC, (m, g1, c1, g2, c2) => `${paren(g1 ?? c1)}/${paren(g2 ?? c2)}`);
      s = s.replace(SQRT, (m, g, c) => `√${paren(g ?? c)}`);
    }
    s = s.replace(/\\([A-Za-z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : ` ${name}`));
    s = s.replace(/([_^])\{([^{}]*)\}/g, (m, op, x) => op + paren(x));
    s = s.replace(/\\\\|\\[,;:! ]|&/g, " ").replace(/\\([{}|%$#_])/g, "$1");
    s = s.replace(/[{}\\]/g, "").replace(/\u0001/g, "{").replace(/\u0002/g, "}");
    return s.replace(/\s+/g, " ").trim();
  };

  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".math").forEach((el) => {
      const text = texToText(el.textContent);
      el.textContent = el.tagName === "DIV" ? ` ${text} ` : text;
    });
    return original(doc.documentElement.outerHTML, anchor);
  };
})();
