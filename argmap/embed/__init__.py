"""Embedding: MiniLM sentence vectors.

``weights`` finds the packaged model, ``runtimes`` picks a runtime by name (``onnx``,
``onnx-int8`` from ``onnx_runtime``, ``torch`` from ``torch_runtime``), ``vectors``
embeds texts through the instance folder's cache.
"""
