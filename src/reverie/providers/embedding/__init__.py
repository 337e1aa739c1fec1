"""Embedding models: the contract (``model.py``) and one module per wire; each provider class
makes its own (``embedding_model``), and ``reverie.embed``/``embed_many`` are built on them."""
