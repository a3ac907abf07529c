"""The network code of the series: pure NumPy, shared by the asset build and the browser.

``demos.nn`` is the network, ``demos.datasets`` the data the posts train it on.
"""

__version__ = "0.1.0"
