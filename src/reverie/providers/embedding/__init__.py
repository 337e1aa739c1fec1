"""Embedding models: the contract (``model.py``), one module per wire, and which wire each
provider speaks (``select.py``); ``reverie.embed``/``embed_many`` are built on them."""
