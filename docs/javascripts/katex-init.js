// Typeset the maths of each page with the self-hosted KaTeX.
//
// pymdownx.arithmatex (generic mode) leaves every formula as TeX inside an element
// of class "arithmatex": <span> for inline maths wrapped in \( \), <div> for display
// maths wrapped in \[ \]. Material's document$ emits each page it shows, including
// pages reached by instant navigation, so subscribing to it typesets every page once.
(function () {
  "use strict";

  // [opening, closing, display] delimiters that arithmatex may leave around the TeX.
  const WRAPPERS = [
    ["\\(", "\\)", false],
    ["\\[", "\\]", true],
    ["$$", "$$", true],
    ["$", "$", false],
  ];

  function unwrap(text, isBlock) {
    for (const [open, close, display] of WRAPPERS) {
      if (text.length >= open.length + close.length && text.startsWith(open) && text.endsWith(close)) {
        return { tex: text.slice(open.length, text.length - close.length), display: display };
      }
    }
    return { tex: text, display: isBlock };
  }

  function typeset(root) {
    // Without KaTeX (it failed to load) the TeX source stays on the page, still readable.
    if (typeof katex === "undefined") return;
    for (const element of root.querySelectorAll(".arithmatex:not([data-typeset])")) {
      const { tex, display } = unwrap(element.textContent.trim(), element.tagName === "DIV");
      // throwOnError false: a typo in one formula shows in red instead of stopping the rest.
      katex.render(tex, element, { displayMode: display, throwOnError: false });
      element.setAttribute("data-typeset", "");
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function (doc) { typeset(doc.body || document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  }
})();
