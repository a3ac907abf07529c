"""The browser's runtime: the pinned Pyodide, NumPy and KaTeX fetched and verified
(``vendor``), their Python files compiled to bytecode (``bytecode``), and the pinned
accessibility checker the browser tests use (``axe``)."""
