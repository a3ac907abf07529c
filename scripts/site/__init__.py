"""The site: the MkDocs hooks (``hooks``), the widget and video blocks (``blocks``), the
maths typeset at build time (``maths``) and each page's Content-Security-Policy (``csp``)."""
