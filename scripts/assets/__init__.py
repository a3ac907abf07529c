"""The asset pipeline: every figure, video and trained model of the series.

``build`` runs the recipes (``recipes/``, one module per post) that changed;
``plotting`` gives them the series' look and deterministic files.
Run it with ``python -m scripts.assets``.
"""
